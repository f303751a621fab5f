/**
 * `prnet worker --queue <name>`: runs reconstruct jobs from the queue; start any number,
 * on any number of machines, against one Redis. SIGTERM or Ctrl-C: finish the jobs in
 * hand, exit 0 (a killed worker's jobs return to the queue after the lock duration).
 */
import { Command } from 'commander';
import { int } from '../optionParsers.js';
import { DECODE_IMAGE_DEFAULTS } from '../../node/inference/decodeImage.js';
import { runJobWorker, RUN_JOB_WORKER_DEFAULTS } from '../../server/runJobWorker.js';
import { redisUrl } from '../../server/redisUrl.js';
import { EXIT_USAGE } from '../exitCodes.js';

/** Registers `prnet worker`. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('process reconstruct jobs from a queue (Redis, BullMQ); run any number of these')
    .requiredOption('--queue <name>', 'queue name')
    .option('--redis <url>', 'Redis URL (default: $PRNET_REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--model <onnx>', 'ONNX model (default: $PRNET_MODEL, else the official model from `prnet weights download`, else the shipped one)')
    .option('--concurrency <n>', 'jobs at once (decoding and detection overlap the network)', int('--concurrency', 1), RUN_JOB_WORKER_DEFAULTS.concurrency)
    .option('--threads <n>', 'ONNX Runtime threads (default: cores − 1; 0 = one per core)', int('--threads', 0))
    .option('--max-pixels <n>', 'refuse images larger than this many pixels (the job fails for good)', int('--max-pixels', 1), DECODE_IMAGE_DEFAULTS.maxPixels)
    .option('--lock-duration <ms>', 'job lock in ms; a killed worker\'s job returns to the queue after it', int('--lock-duration', 1000), RUN_JOB_WORKER_DEFAULTS.lockDurationMs)
    .option('--until-empty', 'exit once no job is waiting, delayed or running')
    .option('--data-dir <dir>', 'folder with the official PRNet uv-data files (default: the copy shipped in the package)')
    .option('--force', 'run a model that has no prnet metadata')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (opts: { queue: string; redis?: string; model?: string; concurrency: number; threads?: number; maxPixels: number; lockDuration: number; untilEmpty?: boolean; dataDir?: string; force?: boolean }) => {
      let worker;
      try {
        worker = await runJobWorker({
          queue: opts.queue, redis: redisUrl(opts.redis), model: opts.model, concurrency: opts.concurrency, threads: opts.threads, maxPixels: opts.maxPixels,
          lockDurationMs: opts.lockDuration, untilEmpty: Boolean(opts.untilEmpty), dataDir: opts.dataDir, force: Boolean(opts.force),
        });
      } catch (err) {
        process.stderr.write(`prnet: ${(err as Error).message}\n`);
        process.exit(EXIT_USAGE);
      }
      process.stderr.write(`prnet: worker on queue ${opts.queue} (concurrency ${opts.concurrency})\n`);
      const stop = (sig: NodeJS.Signals): void => {
        process.stderr.write(`prnet: ${sig}: finishing the jobs in hand…\n`);
        void worker.close();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await worker.stopped;
      process.stderr.write(`prnet: worker stopped: ${worker.counts.completed} done, ${worker.counts.failed} failed\n`);
      process.exit(0);
    });
}
