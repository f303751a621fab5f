/** `prnet jobs status --queue <name>`: progress and failures of a job queue. */
import { Command } from 'commander';
import { int } from '../optionParsers.js';
import { jobsStatus } from '../../server/jobsStatus.js';
import { redisUrl } from '../../server/redisUrl.js';
import { EXIT_USAGE } from '../exitCodes.js';

/** Registers `prnet jobs`. */
export function register(program: Command): void {
  const jobs = program.command('jobs').description('job queues of `prnet enqueue` / `prnet worker`');
  jobs
    .command('status')
    .description('progress and failed jobs (with their reasons) of a queue')
    .requiredOption('--queue <name>', 'queue name')
    .option('--redis <url>', 'Redis URL (default: $PRNET_REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--failed <n>', 'list at most this many failed jobs', int('--failed', 0), 20)
    .option('--json', 'print the status as JSON on stdout')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (opts: { queue: string; redis?: string; failed: number; json?: boolean }) => {
      let s;
      try {
        s = await jobsStatus({ queue: opts.queue, redis: redisUrl(opts.redis), failedLimit: Math.max(1, opts.failed) });
      } catch (err) {
        process.stderr.write(`prnet: queue ${opts.queue} at ${redisUrl(opts.redis)}: ${(err as Error).message}\n`);
        process.exit(EXIT_USAGE);
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      const c = s.counts;
      const finished = c.completed + c.failed;
      process.stdout.write(`queue ${s.queue}: ${finished} of ${s.total} finished (${s.total ? Math.round((100 * finished) / s.total) : 100} %): ${c.completed} completed, ${c.failed} failed, ${c.active} running, ${c.waiting} waiting, ${c.delayed} waiting to retry; ${s.faces} faces\n`);
      for (const f of s.failed.slice(0, opts.failed)) process.stdout.write(`failed: ${f.input}: ${f.reason} (${f.attempts} ${f.attempts === 1 ? 'try' : 'tries'})\n`);
    });
}
