/**
 * `mkdir -p` that cannot hang. Node's `mkdir(dir, { recursive: true })` loops for ever on a
 * path below a folder that refuses new entries with ENOENT, such as `/proc` (seen with
 * Node 20: `prnet reconstruct x.jpg -o /proc/out` never returned). This walks up to the
 * nearest existing folder and creates each missing one in turn, so every error surfaces.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Creates `dir` and its missing parents; returns the topmost folder it created, or
 * `undefined` when `dir` already existed. Throws, as mkdir does, `EEXIST` when `dir` is a
 * file and `ENOTDIR` (with the file's `path`) when a parent is, and mkdir's own error (ENOENT, EACCES, EROFS…) when one cannot be made.
 *
 * ```ts
 * const created = await makeFolders('out/a/b'); // 'out' when only '.' existed
 * ```
 */
export async function makeFolders(dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const st = await stat(p).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR: a parent is a file; the walk goes on up to it and names it.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw err;
    });
    if (st) {
      // As mkdir says it: EEXIST when the path itself is a file, ENOTDIR when a parent is.
      if (!st.isDirectory()) throw Object.assign(new Error(`${p}: not a folder`), { code: p === path.resolve(dir) ? 'EEXIST' : 'ENOTDIR', path: p });
      break;
    }
    missing.push(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing.reverse()) {
    await mkdir(p).catch(async (err: NodeJS.ErrnoException) => {
      // Made meanwhile by someone else: fine if it is a folder.
      if (err.code !== 'EEXIST' || !(await stat(p)).isDirectory()) throw err;
    });
  }
  return missing[0];
}
