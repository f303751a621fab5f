/**
 * The Redis connection and the settings shared by `prnet enqueue`, `prnet worker` and
 * `prnet jobs status` (BullMQ on Redis).
 */
import type { ConnectionOptions } from 'bullmq';

/** Settings of the job queue. */
export const QUEUE_DEFAULTS = {
  /** Redis to use when neither `--redis` nor `$PRNET_REDIS_URL` is given. */
  redisUrl: 'redis://127.0.0.1:6379',
  /** Tries per job (the first run and the retries) for transient failures. */
  attempts: 3,
  /** First retry delay in milliseconds; doubles each retry (exponential backoff). */
  backoffMs: 1000,
  /** How long a worker's lock on a job lasts without renewal: a killed worker's job returns to the queue after it. */
  lockDurationMs: 30_000,
  /** Jobs one worker runs at once (decoding and detection overlap the network). */
  concurrency: 2,
  /** Reconnection tries before a long-running worker gives up on Redis (see `oneShotRetries`). */
  connectRetries: 20,
  /** Reconnection tries of a one-shot command (enqueue, status): a wrong address fails within seconds. */
  oneShotRetries: 2,
  /** The BullMQ job name. */
  jobName: 'reconstruct',
};

/**
 * BullMQ connection options for a Redis URL (`redis://[user:password@]host:port[/db]`).
 * Workers need `maxRetriesPerRequest: null` (BullMQ blocks on Redis commands). `retries`:
 * reconnection tries before giving up (one-shot commands fail fast with few).
 *
 * ```ts
 * new Queue('photos', { connection: queueConnection('redis://127.0.0.1:6379') });
 * ```
 */
export function queueConnection(url: string, options: { retries?: number } = {}): ConnectionOptions {
  const retries = options.retries ?? QUEUE_DEFAULTS.connectRetries;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis ${url}: not a URL (expected redis://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--redis ${url}: expected a redis:// or rediss:// URL`);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    // Fail fast on a wrong address instead of retrying for ever.
    retryStrategy: (times: number) => (times > retries ? null : Math.min(times * 200, 2000)),
  };
}
