/**
 * API keys of `prnet serve`: a request to a protected route carries one of the keys as
 * `Authorization: Bearer <key>` or `X-API-Key: <key>`. Keys are compared by their SHA-256
 * in constant time, so neither a key's characters nor its length leak through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The shortest key accepted: shorter ones are guessable, not secrets. */
export const API_KEY_MIN_LENGTH = 16;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The key a request carries (`Authorization: Bearer …` first, then `X-API-Key`), if any. */
export function requestApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers['authorization'];
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  if (bearer) return bearer;
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/**
 * A check of request headers against `keys`. Throws for a key shorter than
 * {@link API_KEY_MIN_LENGTH} or with whitespace (it could not travel in a header as given).
 *
 * ```ts
 * const allowed = apiKeyCheck(['k3y-from-a-secret-store-…']);
 * if (!allowed(request.headers)) reply.code(401);
 * ```
 */
export function apiKeyCheck(keys: readonly string[]): (headers: Record<string, string | string[] | undefined>) => boolean {
  keys.forEach((k, i) => {
    if (/\s/.test(k)) throw new Error(`API key ${i + 1} contains whitespace`);
    if (k.length < API_KEY_MIN_LENGTH) throw new Error(`API key ${i + 1} has ${k.length} characters; use at least ${API_KEY_MIN_LENGTH} (e.g. openssl rand -hex 24)`);
  });
  const digests = keys.map(digest);
  return (headers) => {
    const key = requestApiKey(headers);
    if (key === undefined) return false;
    const d = digest(key);
    // Every key is compared, matched or not: the time does not say which one matched.
    let ok = false;
    for (const k of digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  };
}

/**
 * The keys in a text: one per line (or comma-separated), blank lines and `#` comments skipped.
 *
 * ```ts
 * const keys = parseApiKeys(await readFile('/run/secrets/prnet-keys', 'utf8'));
 * ```
 */
export function parseApiKeys(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.replace(/#.*$/, '')).flatMap((l) => l.split(',')).map((k) => k.trim()).filter(Boolean);
}
