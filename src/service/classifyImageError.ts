/**
 * Maps the decoder's one-line refusals (`decodeImage`'s messages) to stable API codes, so
 * the HTTP API and the job queue say the same thing for the same bad image.
 */
import { apiError, type ApiError } from './apiError.js';

/**
 * The {@link ApiError} for a decoding failure, or `undefined` when the message is not one
 * of the decoder's (then it is an internal error). The input's name is left out of the
 * message: a client sent bytes, not a file.
 *
 * ```ts
 * try { await decodeImage(bytes); } catch (err) { throw classifyImageError(err) ?? err; }
 * ```
 */
export function classifyImageError(err: unknown): ApiError | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  const read = /^cannot read image (.*)$/s.exec(msg);
  if (read) return apiError('unreadable_input', `cannot read ${read[1]}`);
  const m = /^cannot decode image (?:<\d+ bytes>|.*?): (.*)$/s.exec(msg);
  if (!m) return undefined;
  const why = m[1]!;
  if (/is empty \(0 bytes\)/.test(why)) return apiError('empty_body', 'the image is empty (0 bytes)');
  if (/^not an image/.test(why)) return apiError('not_an_image', why);
  if (/over the limit of/.test(why)) return apiError('too_many_pixels', why);
  if (/no pixels/.test(why)) return apiError('corrupt_image', why);
  return apiError('corrupt_image', why);
}
