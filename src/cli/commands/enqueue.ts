/**
 * `prnet enqueue <inputs…> --queue <name> -o <dir>`: one job per image on a BullMQ queue
 * (Redis), for `prnet worker`s on any number of machines. Inputs are files, folders and
 * globs as for `prnet reconstruct` (paths every worker can read: shared storage), or
 * http(s) URLs. Output names follow `prnet reconstruct`'s rule.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { expandInputs, isGlob } from '../expandInputs.js';
import { outputBases } from '../outputBases.js';
import { fovDegrees, int } from '../optionParsers.js';
import { alignCliOptions, alignFromOptions, type AlignCliOptions } from '../alignOptions.js';
import { TEXTURE_MODES, type TextureMode } from '../../reconstruct/faceResult.js';
import { JOB_OUTPUT_KINDS, type JobOutputKind, type ReconstructJob } from '../../service/reconstructJob.js';
import { enqueueJobs, ENQUEUE_JOBS_DEFAULTS } from '../../server/enqueueJobs.js';
import { redisUrl } from '../../server/redisUrl.js';
import { EXIT_USAGE } from '../exitCodes.js';

function parseOutputs(v: string): JobOutputKind[] {
  const kinds = [...new Set(v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
  for (const k of kinds) if (!(JOB_OUTPUT_KINDS as readonly string[]).includes(k)) throw new InvalidArgumentError(`unknown output '${k}' (choose from ${JOB_OUTPUT_KINDS.join(', ')})`);
  if (kinds.length === 0) throw new InvalidArgumentError('no output chosen');
  return kinds as JobOutputKind[];
}

/** Registers `prnet enqueue`. */
export function register(program: Command): void {
  const [alignOption, alignSizeOption] = alignCliOptions();
  program
    .command('enqueue')
    .description('add one reconstruct job per image to a queue (Redis, BullMQ) for `prnet worker`')
    .argument('<inputs...>', 'image files, folders, globs (paths the workers can read), or http(s) URLs')
    .requiredOption('--queue <name>', 'queue name')
    .requiredOption('-o, --output <dir>', 'output folder (on storage the workers share)')
    .option('--redis <url>', 'Redis URL (default: $PRNET_REDIS_URL, else redis://127.0.0.1:6379)')
    .addOption(new Option('--outputs <list>', `comma-separated: ${JOB_OUTPUT_KINDS.join(',')}`).default(['obj', 'json'], 'obj,json').argParser(parseOutputs))
    .addOption(new Option('--texture <mode>', 'UV texture of hidden face parts').choices(TEXTURE_MODES).default('filled'))
    .option('--max-faces <n>', 'at most this many faces per image', int('--max-faces', 1))
    .addOption(alignOption)
    .addOption(alignSizeOption)
    .option('--fov <degrees>', 'the camera\'s vertical field of view for each face\'s perspective pose ("camera" in the JSON; default: the photo\'s EXIF lens, else 63)', fovDegrees('--fov'))
    .option('--camera-space', 'write meshes in the space of each face\'s perspective camera, in metres, y up (as prnet reconstruct --camera-space)')
    .option('--attempts <n>', 'tries per job for transient failures (bad images fail at once)', int('--attempts', 1), ENQUEUE_JOBS_DEFAULTS.attempts)
    .option('--backoff <ms>', 'first retry delay in ms, doubling each retry', int('--backoff', 0), ENQUEUE_JOBS_DEFAULTS.backoffMs)
    .option('-r, --recursive', 'descend into sub-folders of folder inputs')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (inputs: string[], opts: { queue: string; output: string; redis?: string; outputs: JobOutputKind[]; texture: TextureMode; maxFaces?: number; align: AlignCliOptions['align']; alignSize?: number; fov?: number; cameraSpace?: boolean; attempts: number; backoff: number; recursive?: boolean }) => {
      const urls = inputs.filter((i) => /^https?:\/\//i.test(i));
      const expanded = await expandInputs(inputs.filter((i) => !urls.includes(i)), { recursive: Boolean(opts.recursive) });
      const bad = expanded.filter((e) => e.error);
      if (bad.length > 0) {
        process.stderr.write(bad.map((e) => `prnet: ${e.file}: ${isGlob(e.file) ? 'no image matches this pattern' : e.error}`).join('\n') + '\n');
        process.exit(EXIT_USAGE);
      }
      const files = [...expanded.map((e) => path.resolve(e.file)), ...urls];
      const bases = outputBases(files.map((f) => (urls.includes(f) ? new URL(f).pathname : f)));
      const outDir = path.resolve(opts.output);
      const jobs: ReconstructJob[] = files.map((input, i) => ({ input, outDir, base: bases[i]!, outputs: opts.outputs, texture: opts.texture, ...(opts.maxFaces ? { maxFaces: opts.maxFaces } : {}), ...(opts.outputs.includes('aligned') ? { align: alignFromOptions(opts) } : {}), ...(opts.fov !== undefined ? { fovY: opts.fov } : {}), ...(opts.cameraSpace ? { cameraSpace: true } : {}) }));
      try {
        const { added, existing } = await enqueueJobs(jobs, { queue: opts.queue, redis: redisUrl(opts.redis), attempts: opts.attempts, backoffMs: opts.backoff });
        process.stderr.write(`prnet: queue ${opts.queue}: ${added} job${added === 1 ? '' : 's'} added${existing ? `, ${existing} already queued` : ''}\n`);
      } catch (err) {
        process.stderr.write(`prnet: queue ${opts.queue} at ${redisUrl(opts.redis)}: ${(err as Error).message}\n`);
        process.exit(EXIT_USAGE);
      }
    });
}
