/**
 * `fetch` for binary assets with download progress, for the demo's loading line
 * ("loading model 45 %…"). Isomorphic: needs only `fetch` and web streams.
 */

/** Options of {@link fetchBytes}. */
export interface FetchBytesOptions {
  /** Called with the fraction received (0…1; NaN while the total size is unknown). */
  onProgress?: (fraction: number, received: number, total: number) => void;
  /** Name used in error messages (default: the URL). */
  what?: string;
}

/**
 * Downloads `url` into one `Uint8Array`, reporting progress. Throws a one-line error
 * naming the file when the request fails or the server answers an error status.
 *
 * ```ts
 * const bytes = await fetchBytes('models/default.onnx', { onProgress: (f) => status(`loading model ${Math.round(f * 100)} %`) });
 * ```
 */
export async function fetchBytes(url: string, options: FetchBytesOptions = {}): Promise<Uint8Array> {
  const what = options.what ?? url;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`cannot fetch ${what}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot fetch ${what}: HTTP ${res.status} ${res.statusText}`.trim());
  const total = Number(res.headers.get('content-length') ?? NaN);
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    options.onProgress?.(1, bytes.length, bytes.length);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    options.onProgress?.(total > 0 ? Math.min(1, received / total) : NaN, received, total);
  }
  if (total > 0 && received !== total) throw new Error(`cannot fetch ${what}: got ${received} of ${total} bytes`);
  const out = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  options.onProgress?.(1, received, received);
  return out;
}
