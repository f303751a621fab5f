/**
 * The output folder of a command, created if missing and checked for writing before any
 * work: a folder that cannot be created or written is one setup error (exit 2), not one
 * failure per image or frame.
 */
import { constants as fsConstants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';

/**
 * Creates `dir` (and its parents) and checks that it can be written; throws one line,
 * `<dir>: cannot create the output folder (EACCES)` or `<dir>: cannot write to the output folder (EACCES)`.
 *
 * ```ts
 * await ensureOutputFolder('out/'); // before the batch
 * ```
 */
export async function ensureOutputFolder(dir: string): Promise<void> {
  let step = 'create';
  try {
    await mkdir(dir, { recursive: true });
    step = 'write to';
    await access(dir, fsConstants.W_OK);
  } catch (err) {
    throw new Error(`${dir}: cannot ${step} the output folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
