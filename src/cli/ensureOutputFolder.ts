/**
 * The output folder of a command, created if missing and checked for writing before any
 * work: a folder that cannot be created or written is one setup error (exit 2), not one
 * failure per image or frame.
 */
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { makeFolders } from '../node/files/makeFolders.js';

/**
 * Creates `dir` (and its parents) and checks that it can be written; throws one line,
 * `<dir>: cannot create the output folder (EACCES)`, `<dir>: cannot write to the output folder (EACCES)`
 * or `<dir>: exists and is not a folder`.
 *
 * ```ts
 * await ensureOutputFolder('out/'); // before the batch
 * ```
 */
export async function ensureOutputFolder(dir: string): Promise<void> {
  let step = 'create';
  try {
    await makeFolders(dir);
    step = 'write to';
    await access(dir, fsConstants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`${dir}: exists and is not a folder`);
    throw new Error(`${dir}: cannot ${step} the output folder (${code ?? (err as Error).message})`);
  }
}
