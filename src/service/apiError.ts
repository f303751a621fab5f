/**
 * The stable error codes of the prnet HTTP API and the job queue. Every error a client can
 * see is `{ "error": { "code", "message" } }` with one of these codes; the message is one
 * line for people, the code is the contract (never a stack trace).
 */

/** Every code the API answers with, and its HTTP status. */
export const API_ERROR_STATUS = {
  /** The request body is empty. */
  empty_body: 400,
  /** Query or headers fail the route's schema (e.g. an unknown `format`). */
  invalid_request: 400,
  /** No such route. */
  not_found: 404,
  /** The route needs an API key (`Authorization: Bearer <key>` or `X-API-Key`) and the request has none, or a wrong one. */
  unauthorized: 401,
  /** The route exists, but not for this method. */
  method_not_allowed: 405,
  /** The body is larger than `--body-limit`. */
  body_too_large: 413,
  /** Content type other than `image/*`, `application/octet-stream` or `multipart/form-data`. */
  unsupported_content_type: 415,
  /** The bytes are not an image format the decoder reads. */
  not_an_image: 422,
  /** `POST /v1/paint`: the texture part is not a 256×256 UV texture the decoder reads. */
  not_a_uv_texture: 422,
  /** An image that is corrupt or truncated. */
  corrupt_image: 422,
  /** An image with more pixels than `--max-pixels` (checked before decoding). */
  too_many_pixels: 422,
  /** The image decoded, but no face was found (the message gives the reason). */
  no_face: 422,
  /** A job's input file is missing or unreadable (job queue). */
  unreadable_input: 422,
  /** A face index (`?face=`) beyond the faces found. */
  no_such_face: 422,
  /** The model is still loading (see `/readyz`). */
  not_ready: 503,
  /** The bounded queue is full: retry after `Retry-After` seconds. */
  overloaded: 503,
  /** The server is shutting down and takes no new work. */
  shutting_down: 503,
  /** The request took longer than `--timeout`. */
  timeout: 504,
  /** Anything else; details go to the server's log, not to the client. */
  internal_error: 500,
} as const;

/** One of the stable error codes. */
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** An error that carries an API code and its HTTP status. */
export interface ApiError extends Error {
  /** The stable code. */
  code: ApiErrorCode;
  /** HTTP status of {@link API_ERROR_STATUS}. */
  statusCode: number;
  /** Marks errors built by {@link apiError}. */
  apiError: true;
}

/**
 * An error with a stable API code, e.g. thrown deep in a handler and turned into
 * `{ "error": { "code": "no_face", "message": "no face found" } }` with status 422.
 *
 * ```ts
 * throw apiError('no_face', 'no face found in the image');
 * ```
 */
export function apiError(code: ApiErrorCode, message: string): ApiError {
  const err = new Error(message) as ApiError;
  err.code = code;
  err.statusCode = API_ERROR_STATUS[code];
  err.apiError = true;
  return err;
}
