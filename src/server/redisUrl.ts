import { QUEUE_DEFAULTS } from './queueConnection.js';

/**
 * The Redis URL: the option, else `$PRNET_REDIS_URL`, else {@link QUEUE_DEFAULTS.redisUrl}.
 *
 * ```ts
 * redisUrl(opts.redis); // 'redis://127.0.0.1:6379' when nothing is set
 * ```
 */
export function redisUrl(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? env.PRNET_REDIS_URL ?? QUEUE_DEFAULTS.redisUrl;
}
