import { open, rename, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file written under a temporary name next to its final path, not yet in place. */
export interface StagedFile {
  /** The final path. */
  path: string;
  /** The temporary file holding the bytes (hidden: `.<name>.<pid>.<random>.tmp`). */
  tmp: string;
  /** Renames the temporary file over `path` (atomic: same folder, same filesystem). */
  commit(): Promise<void>;
  /** Removes the temporary file (no error if it is already gone). */
  discard(): Promise<void>;
}

/** Temporary files staged and not yet committed or discarded, process-wide. */
const pending = new Set<string>();

/** Final paths already put in place by a {@link commitStagedFiles} call that has not finished. */
const partial = new Set<Set<string>>();

/**
 * Removes every staged temporary file now, synchronously, and takes back the files of a
 * set whose commit was under way (for a signal handler that is about to exit: no
 * temporary file stays, and no set is left half in place). Returns how many files it removed.
 */
export function removeStagedFilesSync(): number {
  let n = 0;
  for (const file of [...pending, ...[...partial].flatMap((set) => [...set])]) {
    try {
      unlinkSync(file);
      n++;
    } catch {
      // already gone
    }
  }
  pending.clear();
  partial.clear();
  return n;
}

/**
 * Puts a set of staged files in place, all or none: renamed one after the other; if one
 * rename fails, the ones already in place and the remaining temporary files are removed
 * and the error is thrown. Resolves with the final paths.
 *
 * ```ts
 * await commitStagedFiles(await Promise.all([stageFile('a.obj', obj), stageFile('a.json', json)]));
 * ```
 */
export async function commitStagedFiles(staged: readonly StagedFile[]): Promise<string[]> {
  const done = new Set<string>();
  partial.add(done);
  try {
    for (const f of staged) {
      await f.commit();
      done.add(f.path);
    }
  } catch (err) {
    await Promise.all([...staged.map((f) => f.discard()), ...[...done].map((p) => unlink(p).catch(() => undefined))]);
    throw err;
  } finally {
    partial.delete(done);
  }
  return [...done];
}

/** One line for a failed write: the path and a plain reason. */
function writeError(path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'the directory does not exist'
    : err.code === 'EACCES' ? 'permission denied'
    : err.code === 'EISDIR' ? 'it is a directory'
    : err.code === 'ENOTDIR' ? 'a parent is not a directory'
    : err.code === 'ENOSPC' ? 'no space left on the device'
    : err.message;
  return new Error(`could not write ${path}: ${why}`);
}

/**
 * Writes `bytes` to a temporary file beside `path` and flushes it; the caller then
 * commits (renames into place) or discards it. Several staged files committed together
 * give a set of outputs that is complete or absent. Staged files not yet committed are
 * tracked, so an interrupted program can remove them ({@link removeStagedFilesSync}).
 * On a write error the temporary file is removed and the error names `path`.
 *
 * ```ts
 * const staged = await Promise.all([stageFile('out/a.obj', obj), stageFile('out/a.json', json)]);
 * for (const s of staged) await s.commit();
 * ```
 */
export async function stageFile(path: string, bytes: Uint8Array | string): Promise<StagedFile> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pending.add(tmp);
  const discard = async (): Promise<void> => {
    await unlink(tmp).catch(() => undefined);
    pending.delete(tmp);
  };
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await discard();
    throw writeError(path, e);
  }
  return {
    path,
    tmp,
    async commit() {
      try {
        await rename(tmp, path);
        pending.delete(tmp);
      } catch (e) {
        await discard();
        throw writeError(path, e);
      }
    },
    discard,
  };
}
