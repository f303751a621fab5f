import type { ApiError } from './apiError.js';

/** Whether `err` was built by `apiError` (carries a stable code and status). */
export function isApiError(err: unknown): err is ApiError {
  return err instanceof Error && (err as Partial<ApiError>).apiError === true;
}
