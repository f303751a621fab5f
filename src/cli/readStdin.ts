/**
 * `-` as an input of `prnet reconstruct`: the image piped into standard input
 * (`curl -s https://… | prnet reconstruct - -o out/`), read whole before decoding.
 */
import { withDefaults } from '../io/withDefaults.js';

/** The argument that names standard input, as Unix tools spell it. */
export const STDIN_ARG = '-';

/** The same dash as `-o`'s folder: the records go to standard output, and no files are written. */
export const STDOUT_ARG = '-';

/** The output base (file names) of an image read from standard input: `stdin.json`, `stdin_0.obj`. */
export const STDIN_BASE = 'stdin';

/** Options of {@link readStdin}. */
export interface ReadStdinOptions {
  /** Refuse more bytes than this: a stream that never ends must not fill memory. */
  maxBytes: number;
  /** The stream to read (tests pass their own). */
  stream: NodeJS.ReadStream | NodeJS.ReadableStream & { isTTY?: boolean };
}

/** 512 MiB: more than any photo sharp's default pixel limit lets through, as PNG. */
export const READ_STDIN_DEFAULTS: ReadStdinOptions = { maxBytes: 512 * 1024 * 1024, stream: process.stdin };

/**
 * Reads standard input to its end. Throws one line when it is a terminal (nothing piped
 * in: reading would wait for typing), when it is empty, or past `maxBytes`.
 *
 * ```ts
 * const bytes = await readStdin();
 * const image = await decodeImage(bytes);
 * ```
 */
export async function readStdin(options: Partial<ReadStdinOptions> = {}): Promise<Uint8Array> {
  const { maxBytes, stream } = withDefaults(READ_STDIN_DEFAULTS, options);
  if (stream.isTTY) throw new Error('standard input is a terminal: pipe an image in (prnet reconstruct - -o out/ < photo.jpg)');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += b.length;
    if (total > maxBytes) {
      (stream as NodeJS.ReadStream).destroy?.();
      throw new Error(`standard input holds more than ${maxBytes} bytes: not one image`);
    }
    chunks.push(b);
  }
  if (total === 0) throw new Error('standard input is empty: nothing was piped in');
  return Buffer.concat(chunks, total);
}
