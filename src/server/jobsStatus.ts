/**
 * `prnet jobs status`: the queue's progress (counts by state) and the jobs that failed,
 * each with its input and reason.
 */
import { Queue } from 'bullmq';
import { QUEUE_DEFAULTS, queueConnection } from './queueConnection.js';

/** What {@link jobsStatus} reports. */
export interface JobsStatus {
  queue: string;
  /** Jobs per state: waiting, active, delayed (waiting for a retry), completed, failed. */
  counts: Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>;
  /** Total jobs known and the fraction finished (completed or failed). */
  total: number;
  /** Failed jobs (at most `failedLimit`): input, reason, tries made. */
  failed: Array<{ id: string; input: string; reason: string; attempts: number }>;
  /** Faces written by the completed jobs. */
  faces: number;
}

/**
 * Reads the queue's state.
 *
 * ```ts
 * const s = await jobsStatus({ queue: 'photos', redis: 'redis://127.0.0.1:6379' });
 * console.log(`${s.counts.completed} of ${s.total} done`);
 * ```
 */
export async function jobsStatus(options: { queue: string; redis: string; failedLimit?: number }): Promise<JobsStatus> {
  const queue = new Queue(options.queue, { connection: queueConnection(options.redis, { retries: QUEUE_DEFAULTS.oneShotRetries }) });
  // Connection errors reject the awaited calls below; no event noise besides.
  queue.on('error', () => undefined);
  try {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    const counts = { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
    const failedJobs = await queue.getFailed(0, (options.failedLimit ?? 100) - 1);
    let faces = 0;
    for (let start = 0; start < counts.completed; start += 1000) {
      for (const j of await queue.getCompleted(start, start + 999)) faces += (j?.returnvalue as { faces?: number } | undefined)?.faces ?? 0;
    }
    return {
      queue: options.queue,
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      failed: failedJobs.filter(Boolean).map((j) => ({ id: String(j.id), input: String((j.data as { input?: string }).input), reason: j.failedReason, attempts: j.attemptsMade })),
      faces,
    };
  } finally {
    await queue.close();
  }
}
