/**
 * `prnet enqueue`: one BullMQ job per image. A job's id is a hash of what it asks for
 * (input, output folder and name, outputs), so enqueuing the same images again adds
 * nothing twice while those jobs are still known to the queue.
 */
import { Queue } from 'bullmq';
import type { ReconstructJob } from '../service/reconstructJob.js';
import { QUEUE_DEFAULTS, queueConnection } from './queueConnection.js';
import { jobId } from './jobId.js';

/** Options of {@link enqueueJobs}. */
export interface EnqueueJobsOptions {
  /** Queue name. */
  queue: string;
  /** Redis URL. */
  redis: string;
  /** Tries per job for transient failures. */
  attempts: number;
  /** First retry delay in ms (doubling). */
  backoffMs: number;
}

/** Defaults of {@link enqueueJobs}. */
export const ENQUEUE_JOBS_DEFAULTS = { attempts: QUEUE_DEFAULTS.attempts, backoffMs: QUEUE_DEFAULTS.backoffMs };

/**
 * Adds the jobs; returns how many were new (the others were already in the queue).
 *
 * ```ts
 * await enqueueJobs([{ input: '/data/a.jpg', outDir: '/data/out', base: 'a', outputs: ['obj', 'json'], texture: 'filled' }],
 *   { queue: 'photos', redis: 'redis://127.0.0.1:6379', attempts: 3, backoffMs: 1000 });
 * ```
 */
export async function enqueueJobs(jobs: readonly ReconstructJob[], options: EnqueueJobsOptions): Promise<{ added: number; existing: number }> {
  const queue = new Queue(options.queue, { connection: queueConnection(options.redis, { retries: QUEUE_DEFAULTS.oneShotRetries }) });
  // Connection errors reject the awaited calls below; no event noise besides.
  queue.on('error', () => undefined);
  try {
    const ids = jobs.map(jobId);
    const before = new Set((await Promise.all(ids.map((id) => queue.getJob(id)))).flatMap((j) => (j ? [j.id] : [])));
    await queue.addBulk(jobs.map((data, i) => ({
      name: QUEUE_DEFAULTS.jobName,
      data,
      opts: { jobId: ids[i], attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs }, removeOnComplete: false, removeOnFail: false },
    })));
    const existing = ids.filter((id) => before.has(id)).length;
    return { added: jobs.length - existing, existing };
  } finally {
    await queue.close();
  }
}
