/**
 * `prnet worker`: takes reconstruct jobs from a BullMQ queue and runs them through the
 * same pipeline as `prnet serve` ({@link faceService}), writing the files as
 * `prnet reconstruct` does (`writeOutputs`: each file staged under a temporary name, an
 * image's files renamed into place together, all or none).
 *
 * - Bad input (not an image, corrupt, too large, no face, missing file, invalid job) fails
 *   the job for good (`UnrecoverableError`): recorded with its reason, never retried.
 * - Anything else (a network error fetching a URL, a full disk) is retried with
 *   exponential backoff, up to the job's attempts.
 * - A worker killed mid-job holds its lock until `lockDurationMs` passes; then another
 *   worker (or the same one restarted) takes the job again. Its files are written whole
 *   or not at all, a re-run writes the same names and first removes the temporary files
 *   the killed worker left, so each image's files exist exactly once in the output.
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { writeOutputs } from '../node/inference/writeOutputs.js';
import { isApiError } from '../service/isApiError.js';
import { faceOutputsForKinds } from '../service/faceOutputsForKinds.js';
import { reconstructJob } from '../service/reconstructJob.js';
import { jobOutputNamePattern } from '../service/jobOutputNamePattern.js';
import { faceService, NO_FACE_REASON, type FaceService, type FaceServiceOptions } from './faceService.js';
import { QUEUE_DEFAULTS, queueConnection } from './queueConnection.js';
import { decodeImage } from '../node/inference/decodeImage.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link runJobWorker}. */
export interface RunJobWorkerOptions extends Partial<FaceServiceOptions> {
  /** Queue name. */
  queue: string;
  /** Redis URL. */
  redis: string;
  /** Jobs run at once. */
  concurrency: number;
  /** Job lock duration in ms (a killed worker's job returns to the queue after it). */
  lockDurationMs: number;
  /** Stop once the queue has no job waiting, delayed or running. */
  untilEmpty: boolean;
  /** Where progress lines go. */
  log: (line: string) => void;
  /** Longest wait for an input URL, in ms. */
  fetchTimeoutMs: number;
}

/** Defaults of {@link runJobWorker}. */
export const RUN_JOB_WORKER_DEFAULTS = {
  concurrency: QUEUE_DEFAULTS.concurrency,
  lockDurationMs: QUEUE_DEFAULTS.lockDurationMs,
  untilEmpty: false,
  log: (line: string) => process.stderr.write(`${line}\n`),
  fetchTimeoutMs: 60_000,
};

/** A running worker. */
export interface JobWorker {
  /** Stops taking jobs, lets the running ones finish, frees everything. */
  close(): Promise<void>;
  /** Resolves when the worker has stopped (after `close`, or when the queue is empty with `untilEmpty`). */
  stopped: Promise<void>;
  /** Jobs completed and failed (for good or to be retried) by this worker. */
  counts: { completed: number; failed: number };
}

/** The same Redis error is logged at most once per this many ms. */
const ERROR_REPEAT_MS = 60_000;

/** How often `untilEmpty` looks at the queue, in ms. */
const EMPTY_POLL_MS = 500;

/**
 * Removes temporary files a killed worker left while writing this job's outputs: this
 * worker holds the job's lock now, so no live writer owns them.
 */
async function removeStaleTemporaries(outDir: string, base: string): Promise<void> {
  const dir = path.join(outDir, path.dirname(base));
  const pattern = jobOutputNamePattern(path.posix.basename(base), true);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => pattern.test(n)).map((n) => unlink(path.join(dir, n)).catch(() => undefined)));
}

/** The image bytes of an http(s) input, or the path itself for a file. */
async function readInput(input: string, timeoutMs: number): Promise<Uint8Array | string> {
  if (!/^https?:\/\//i.test(input)) return input;
  const res = await fetch(input, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status >= 400 && res.status < 500) throw new UnrecoverableError(`cannot fetch ${input}: HTTP ${res.status}`);
  if (!res.ok) throw new Error(`cannot fetch ${input}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Starts a worker on the queue (the model loads first).
 *
 * ```ts
 * const worker = await runJobWorker({ queue: 'photos', redis: 'redis://127.0.0.1:6379', concurrency: 2, lockDurationMs: 30000, untilEmpty: true });
 * await worker.stopped;
 * ```
 */
export async function runJobWorker(options: Partial<RunJobWorkerOptions> & Pick<RunJobWorkerOptions, 'queue' | 'redis'>): Promise<JobWorker> {
  const o = withDefaults(RUN_JOB_WORKER_DEFAULTS, options) as RunJobWorkerOptions;
  const connection = queueConnection(o.redis);
  // Fail fast, before loading the model, when Redis cannot be reached at all.
  const probe = new Queue(o.queue, { connection: queueConnection(o.redis, { retries: QUEUE_DEFAULTS.oneShotRetries }) });
  probe.on('error', () => undefined);
  try {
    await probe.getJobCounts('waiting');
  } catch (err) {
    throw new Error(`queue ${o.queue} at ${o.redis}: ${(err as Error).message}`);
  } finally {
    await probe.close().catch(() => undefined);
  }
  const service: FaceService = await faceService(o);
  // A lost Redis is retried for ever (it may restart); say so once a minute, not on every try.
  let lastError = '';
  let lastErrorAt = 0;
  const logError = (err: Error): void => {
    const now = Date.now();
    if (err.message === lastError && now - lastErrorAt < ERROR_REPEAT_MS) return;
    lastError = err.message;
    lastErrorAt = now;
    o.log(`prnet: worker: ${err.message}`);
  };
  const counts = { completed: 0, failed: 0 };

  async function process(job: Job): Promise<{ faces: number; files: string[] }> {
    let spec;
    try {
      spec = reconstructJob(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    o.log(`prnet: job ${job.id} ${spec.input}: started (attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1})`);
    const source = await readInput(spec.input, o.fetchTimeoutMs);
    await mkdir(spec.outDir, { recursive: true });
    await removeStaleTemporaries(spec.outDir, spec.base);
    let result;
    try {
      const outputs = {
        ...faceOutputsForKinds(spec.outputs, spec.texture),
        ...(spec.fovY !== undefined ? { cameraFovY: spec.fovY } : {}),
        ...(spec.cameraSpace ? { pose: true } : {}), // camera-space meshes are placed by the pose
      };
      result = await service.reconstruct(source, { maxFaces: spec.maxFaces, outputs });
    } catch (err) {
      if (!isApiError(err)) throw err;
      if (err.code === 'no_face' && spec.outputs.includes('json')) {
        // As `prnet reconstruct`: the JSON records the image, with no faces and the reason.
        const image = await decodeImage(source, { maxPixels: o.maxPixels });
        await writeOutputs({ outDir: spec.outDir, file: spec.input, model: service.model, reason: NO_FACE_REASON, base: spec.base, image, faces: [], assets: service.prnet.assets, kinds: ['json'], front: false });
      }
      throw new UnrecoverableError(`${err.code}: ${err.message}`);
    }
    const files = await writeOutputs({ outDir: spec.outDir, file: spec.input, model: service.model, base: spec.base, image: result.image, faces: result.faces, assets: service.prnet.assets, kinds: spec.outputs, front: false, align: spec.align, cameraSpace: spec.cameraSpace });
    return { faces: result.faces.length, files };
  }

  const worker = new Worker(o.queue, process, {
    connection,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.lockDurationMs,
    autorun: false,
  });
  worker.on('completed', (job, value: { faces: number }) => {
    counts.completed++;
    o.log(`prnet: job ${job.id} ${(job.data as { input?: string }).input}: done, ${value.faces} face${value.faces === 1 ? '' : 's'}`);
  });
  worker.on('failed', (job, err) => {
    counts.failed++;
    if (!job) return;
    const permanent = err instanceof UnrecoverableError || err.name === 'UnrecoverableError';
    const left = (job.opts.attempts ?? 1) - job.attemptsMade;
    const what = permanent ? 'failed for good' : left > 0 ? `failed, will retry (${left} ${left === 1 ? 'try' : 'tries'} left)` : 'failed, no tries left';
    o.log(`prnet: job ${job.id} ${(job.data as { input?: string }).input}: ${what}: ${err.message}`);
  });
  worker.on('error', logError);

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => { resolveStopped = r; });
  let closing: Promise<void> | undefined;
  let poll: NodeJS.Timeout | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(poll);
      await worker.close();
      await service.dispose();
      resolveStopped();
    })();
    return closing;
  };
  void worker.run().catch((err: Error) => o.log(`prnet: worker: ${err.message}`));
  if (o.untilEmpty) {
    const queue = new Queue(o.queue, { connection });
    queue.on('error', logError);
    let checking = false;
    poll = setInterval(() => {
      if (checking) return;
      checking = true;
      queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
        .then(async (c) => {
          if (Object.values(c).every((n) => n === 0)) {
            await close();
            await queue.close();
          }
        })
        .catch(logError)
        .finally(() => { checking = false; });
    }, EMPTY_POLL_MS);
  }
  return { close, stopped, counts };
}
