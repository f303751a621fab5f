/**
 * What is left of a request body that the server refuses, read and dropped before the
 * answer: a client still sending then gets the answer instead of a connection reset under
 * its write (`fetch failed`, EPIPE). Bounded in bytes and time, so a refused client cannot
 * make the server read without end.
 */
import type { IncomingMessage } from 'node:http';

/** The most of a rejected body read and dropped before the answer (beyond it the connection is reset). */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/** The longest wait for the rest of a rejected body. */
export const DRAIN_MAX_MS = 5000;

/**
 * Reads and drops what is left of `raw`, up to `maxBytes` or {@link DRAIN_MAX_MS}.
 *
 * ```ts
 * reply.header('connection', 'close');
 * await drainBody(request.raw);
 * ```
 */
export function drainBody(raw: IncomingMessage, maxBytes = DRAIN_MAX_BYTES): Promise<void> {
  if (raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    raw.on('data', onData);
    raw.on('end', done);
    raw.on('close', done);
    raw.on('error', done);
    raw.resume();
  });
}
