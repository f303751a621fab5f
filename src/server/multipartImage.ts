/**
 * The image of a `multipart/form-data` request: its file part, read whole. A body the
 * multipart parser cannot read is the client's mistake (400 `invalid_request`, saying what
 * is wrong), not a server error.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from '../service/apiError.js';
import { drainBody } from './drainBody.js';

/** @fastify/multipart's codes for a part beyond the limits (one file, no text field). */
const TOO_MANY_PARTS = new Set(['FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT', 'FST_FILES_LIMIT']);

/**
 * Resolves with the bytes of the request's first file part, or `undefined` when it has
 * none. A file over the body limit keeps its own error (`FST_REQ_FILE_TOO_LARGE`, 413).
 * After a parse error the rest of the body is unread and the connection cannot serve
 * another request (it held the server's shutdown until the keep-alive timeout): the
 * answer closes it, once what is left of the body has been read and dropped (at most
 * `DRAIN_MAX_BYTES`, for `DRAIN_MAX_MS`: see `drainBody`), so that a client still sending
 * gets the answer rather than a connection reset under its write (`fetch failed`, EPIPE).
 *
 * ```ts
 * const bytes = request.isMultipart() ? await multipartImage(request, reply) : (request.body as Uint8Array);
 * ```
 */
export async function multipartImage(request: FastifyRequest, reply: FastifyReply): Promise<Uint8Array | undefined> {
  try {
    const file = await request.file();
    return file ? await file.toBuffer() : undefined;
  } catch (err) {
    return multipartFailure(err, request, reply, 'the multipart body must hold one part, the image file, first (a text field or another part came before it)');
  }
}

/**
 * The files of a `multipart/form-data` request by field name, each read whole: exactly the
 * `names` asked for, each once (no text field). A missing or extra part is 400
 * `invalid_request` naming the parts; parse errors as for {@link multipartImage}.
 *
 * ```ts
 * const { image, texture } = await multipartFiles(request, reply, ['image', 'texture']);
 * ```
 */
export async function multipartFiles(request: FastifyRequest, reply: FastifyReply, names: readonly string[]): Promise<Record<string, Uint8Array>> {
  const expected = `${names.length === 2 ? 'two' : names.length} files: ${names.join(' and ')}`;
  const out: Record<string, Uint8Array> = {};
  try {
    for await (const part of request.files({ limits: { files: names.length, parts: names.length, fields: 0 } })) {
      if (!names.includes(part.fieldname) || out[part.fieldname]) {
        await part.toBuffer().catch(() => undefined);
        throw apiError('invalid_request', `unexpected part "${part.fieldname}": the multipart body must hold ${expected}`);
      }
      out[part.fieldname] = await part.toBuffer();
    }
  } catch (err) {
    if ((err as { apiError?: boolean }).apiError) {
      reply.header('connection', 'close');
      await drainBody(request.raw);
      throw err;
    }
    return multipartFailure(err, request, reply, `the multipart body must hold ${expected}, and no text field`);
  }
  const missing = names.filter((n) => !out[n] || out[n]!.length === 0);
  if (missing.length) throw apiError('invalid_request', `the multipart body has no ${missing.join(' and ')} (it must hold ${expected})`);
  return out;
}

/** A multipart parse error as the client's mistake: the rest of the body dropped, the connection ended, 400 saying what is wrong. */
async function multipartFailure(err: unknown, request: FastifyRequest, reply: FastifyReply, tooMany: string): Promise<never> {
  const e = err as Error & { code?: string };
  reply.header('connection', 'close');
  await drainBody(request.raw);
  if (e.code && TOO_MANY_PARTS.has(e.code)) throw apiError('invalid_request', tooMany);
  // Busboy's parse errors carry no code: a missing boundary, a body cut short.
  if (e.code === undefined || e.code === 'FST_MP_PREMATURE_CLOSE' || e.code === 'FST_PROTO_VIOLATION') {
    throw apiError('invalid_request', `the multipart body cannot be read: ${e.message}`);
  }
  throw err;
}
