import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes a file so that readers never see half of it: the bytes go to a temporary
 * file in the same directory (same filesystem, so the rename is atomic), are
 * flushed, then renamed over `path`. On any error the temporary file is removed
 * and `path` is left as it was.
 *
 * ```ts
 * await writeFileAtomic('out/face.obj', encodeObj(mesh).obj);
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx');
    created = true;
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'the directory does not exist'
      : err.code === 'EACCES' ? 'permission denied'
      : err.code === 'EISDIR' ? 'it is a directory'
      : err.code === 'ENOSPC' ? 'no space left on the device'
      : err.message;
    throw new Error(`could not write ${path}: ${why}`);
  }
}
