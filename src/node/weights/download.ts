/**
 * A resumable file downloader over `fetch`: bytes go to `<dest>.part`, an interrupted
 * download resumes with an HTTP `Range` request, and only a complete file whose size
 * and sha256 check out is renamed to `<dest>`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** An HTML page a server answered instead of the file (e.g. Google Drive's virus-scan warning). */
export interface InterstitialPage {
  /** Final URL of the page (after redirects). */
  url: string;
  html: string;
  /** Cookies the server set so far, by name. */
  cookies: ReadonlyMap<string, string>;
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Expected size in bytes; checked before the rename. */
  size?: number;
  /** Expected sha256 (hex); a mismatching download is deleted. */
  sha256?: string;
  /** Called as bytes arrive: bytes on disk so far and the total when known. */
  onProgress?: (bytes: number, total: number | undefined) => void;
  /** Extra attempts after a network error or an interrupted transfer; each resumes. */
  retries?: number;
  /** Delay before the first retry in ms; doubles after each. */
  retryDelayMs?: number;
  /**
   * Given an HTML page received instead of the file, returns the URL to request next
   * (a confirmation link), or undefined to give up. Without it HTML is saved as data.
   */
  interstitial?: (page: InterstitialPage) => string | undefined;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export const DOWNLOAD_DEFAULTS = { retries: 3, retryDelayMs: 1000 };

/** What {@link downloadFile} did. */
export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Whether bytes of an earlier partial download were reused. */
  resumed: boolean;
}

/** A failure worth retrying (the connection, not the content): the .part is kept. */
class TransientError extends Error {}

async function fileSize(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** sha256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function htmlTitle(html: string): string | undefined {
  const m = /<title[^>]*>([^<]*)<\/title>/i.exec(html);
  return m?.[1]?.trim() || undefined;
}

function storeCookies(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie?.() ?? []) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
}

/**
 * Downloads `url` to `dest`, resuming a previous `<dest>.part`. Servers that ignore
 * `Range` (answer 200) make it start over. Network errors and early-closed
 * connections are retried; if they persist the `.part` is kept and the error says so.
 * A size or sha256 mismatch deletes the corrupt file.
 *
 * ```ts
 * await downloadFile('https://example.org/model.onnx', 'models/model.onnx', {
 *   size: 1234, sha256: 'ab12…', onProgress: (n, total) => console.log(n, total),
 * });
 * ```
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  // Explicit undefined fields (forwarded options) must not erase the defaults.
  const o = { ...options, retries: options.retries ?? DOWNLOAD_DEFAULTS.retries, retryDelayMs: options.retryDelayMs ?? DOWNLOAD_DEFAULTS.retryDelayMs };
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const state = { reused: false };
  let delay = o.retryDelayMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await transfer(url, part, o, state);
      break;
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      const have = await fileSize(part);
      if (attempt >= o.retries) {
        if (have === 0) {
          await rm(part, { force: true });
          throw new Error(`download of ${url} failed after ${attempt + 1} attempt(s): ${err.message}`);
        }
        const total = o.size ? ` of ${o.size}` : '';
        throw new Error(`download of ${url} was interrupted (${err.message}) after ${have}${total} bytes; the partial file is kept at ${part}, run the command again to resume`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }

  const bytes = await fileSize(part);
  if (o.size !== undefined && bytes !== o.size) {
    if (bytes < o.size) {
      throw new Error(`download of ${url} stopped after ${bytes} of ${o.size} bytes; the partial file is kept at ${part}, run the command again to resume`);
    }
    await rm(part, { force: true });
    throw new Error(`download of ${url} is ${bytes} bytes, expected ${o.size}; the file was deleted`);
  }
  const sha256 = await sha256File(part);
  if (o.sha256 && sha256 !== o.sha256.toLowerCase()) {
    await rm(part, { force: true });
    throw new Error(`download of ${url} is corrupt: sha256 ${sha256}, expected ${o.sha256}; the corrupt file was deleted`);
  }
  await rename(part, dest);
  return { path: dest, bytes, sha256, resumed: state.reused };
}

type Resolved = typeof DOWNLOAD_DEFAULTS & DownloadOptions;

/** One attempt: request (following interstitial pages), then append the body to `part`. */
async function transfer(startUrl: string, part: string, o: Resolved, state: { reused: boolean }): Promise<void> {
  const doFetch = o.fetch ?? fetch;
  const jar = new Map<string, string>();
  let url = startUrl;
  let have = await fileSize(part);
  if (o.size !== undefined && have > o.size) { await rm(part, { force: true }); have = 0; }
  if (o.size !== undefined && have === o.size) { state.reused = true; return; } // verified by the caller
  for (let hop = 0; ; hop++) {
    if (hop > 8) throw new Error(`download of ${startUrl}: too many confirmation pages or bad range answers`);
    const headers: Record<string, string> = { ...o.headers };
    if (have > 0) headers.Range = `bytes=${have}-`;
    if (jar.size) headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let res: Response;
    try {
      res = await doFetch(url, { headers, redirect: 'follow' });
    } catch (err) {
      throw new TransientError(`request failed: ${describe(err)}`);
    }
    storeCookies(res, jar);
    if (res.status === 416 && have > 0) {
      // Nothing after our bytes: the part is already whole (the caller checks size and hash).
      await res.body?.cancel();
      state.reused = true;
      return;
    }
    if (!res.ok) {
      await res.body?.cancel();
      const msg = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${url}`;
      if (res.status >= 500 || res.status === 429 || res.status === 408) throw new TransientError(msg);
      throw new Error(`download failed: ${msg}`);
    }
    const type = res.headers.get('content-type') ?? '';
    if (o.interstitial && /text\/html/i.test(type)) {
      const html = await res.text();
      const next = hop < 3 ? o.interstitial({ url: res.url || url, html, cookies: jar }) : undefined;
      if (!next) {
        const title = htmlTitle(html);
        throw new Error(`${url} answered with an HTML page${title ? ` ("${title}")` : ''} instead of the file (download quota exceeded, or the file is not shared?)`);
      }
      url = next;
      continue;
    }
    let total: number | undefined;
    if (res.status === 206) {
      const m = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/i.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== have) {
        // A range we did not ask for: start over cleanly.
        await res.body?.cancel();
        await rm(part, { force: true });
        have = 0;
        continue;
      }
      total = m[3] === '*' ? o.size : Number(m[3]);
      if (have > 0) state.reused = true;
    } else {
      if (have > 0) { await rm(part, { force: true }); have = 0; } // Range ignored: restart
      state.reused = false;
      const len = res.headers.get('content-length');
      total = len !== null ? Number(len) : o.size;
    }
    if (o.size !== undefined && total !== undefined && total !== o.size) {
      // The server's whole file has another size: not an interruption, a wrong file.
      await res.body?.cancel();
      await rm(part, { force: true });
      throw new Error(`${url} serves a file of ${total} bytes, expected ${o.size} (a different file?); nothing was kept`);
    }
    await appendBody(res, part, have, total, o.onProgress);
    return;
  }
}

async function appendBody(
  res: Response, part: string, have: number, total: number | undefined, onProgress: DownloadOptions['onProgress'],
): Promise<void> {
  const fh = await open(part, 'a');
  let written = have;
  try {
    onProgress?.(written, total);
    if (res.body) {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          await fh.write(chunk);
          written += chunk.length;
          onProgress?.(written, total);
        }
      } catch (err) {
        throw new TransientError(`connection lost: ${describe(err)}`);
      }
    }
  } finally {
    await fh.close();
  }
  if (total !== undefined && written < total) throw new TransientError(`connection closed early at ${written} of ${total} bytes`);
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { message?: string; code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : String(e.message ?? err);
}
