import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { parseMat, type MatFile } from '../../io/mat.js';

/**
 * Reads a MATLAB level-5 MAT-file from disk (compressed variables inflated with Node's
 * zlib). Errors name the file.
 *
 * ```ts
 * const mat = await readMatFile('image00002.mat');
 * ```
 */
export async function readMatFile(file: string): Promise<MatFile> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read ${file}: ${e.code === 'ENOENT' ? 'file not found' : e.message}`);
  }
  return parseMat(bytes, { name: file, inflate: (d) => inflateSync(d) });
}
