import { open, rename, unlink } from 'node:fs/promises';
import { existsSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { settleWithin } from '../../io/settleWithin.js';

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

/**
 * Sets of files whose {@link commitStagedFiles} call has not finished: each file is listed
 * before its rename starts, so a rename that completed but whose promise has not yet
 * resumed its caller is still known (its temporary file is gone, its final path is there).
 */
const partial = new Set<Set<StagedFile>>();

/** File-system work under way (writing a temporary file, a rename), process-wide. */
const inFlight = new Set<Promise<unknown>>();

/** Set by {@link stopStagingFiles}: no new temporary file is made and no rename starts. */
let stopping = false;

/** Runs `work` as a tracked file-system operation, so {@link stopStagingFiles} can wait for it. */
function tracked<T>(work: Promise<T>): Promise<T> {
  inFlight.add(work);
  const done = (): void => { inFlight.delete(work); };
  work.then(done, done);
  return work;
}

/** The error staging and commits give once {@link stopStagingFiles} was called. */
function stoppedError(path: string): Error {
  return new Error(`could not write ${path}: the program is stopping`);
}

/**
 * Removes every staged temporary file now, synchronously, and takes back the files of a
 * set whose commit was under way. It cannot see a write or rename still running in
 * libuv's threads; a signal handler should call {@link stopStagingFiles}, which waits for
 * those first. Returns how many files it removed.
 */
export function removeStagedFilesSync(): number {
  let n = 0;
  const remove = (file: string): void => {
    try {
      unlinkSync(file);
      n++;
    } catch {
      // already gone
    }
  };
  for (const set of partial) {
    // Listed before its rename started: in place if its temporary file is gone.
    for (const f of set) if (!existsSync(f.tmp)) remove(f.path);
  }
  for (const file of pending) remove(file);
  pending.clear();
  partial.clear();
  return n;
}

/**
 * Counts a temporary file that another program writes (ffmpeg's side outputs) among the
 * staged files, so a second Ctrl-C removes it too ({@link removeStagedFilesSync}). Returns
 * the function that stops counting it (after the caller removed or renamed it).
 *
 * ```ts
 * const release = holdTemporaryFile('out/.audio.mka');
 * try { await work(); } finally { await rm('out/.audio.mka', { force: true }); release(); }
 * ```
 */
export function holdTemporaryFile(path: string): () => void {
  pending.add(path);
  return () => { pending.delete(path); };
}

/** Options of {@link stopStagingFiles}. */
export interface StopStagingFilesOptions {
  /** The longest wait, in ms, for writes and renames already running (a stuck disk must not hold the exit). */
  timeoutMs?: number;
}

/** Defaults of {@link StopStagingFilesOptions}. */
export const STOP_STAGING_FILES_DEFAULTS: Required<StopStagingFilesOptions> = { timeoutMs: 2000 };

/**
 * For a program about to exit at once (a second Ctrl-C): refuses new temporary files and
 * renames from now on, waits for the writes and renames already running (they cannot be
 * cancelled, and one finishing after a plain synchronous clean-up would leave a temporary
 * file or half a set), then removes every temporary file and takes back every set whose
 * commit was under way. Resolves with how many files it removed.
 *
 * ```ts
 * process.on('SIGINT', () => void stopStagingFiles().then(() => process.exit(130)));
 * ```
 */
export async function stopStagingFiles(options: StopStagingFilesOptions = {}): Promise<number> {
  const { timeoutMs } = { ...STOP_STAGING_FILES_DEFAULTS, ...options };
  stopping = true;
  // Operations started while waiting (none should: new ones are refused) are waited for too.
  await settleWithin(inFlight, timeoutMs);
  return removeStagedFilesSync();
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
  const listed = new Set<StagedFile>();
  const done: string[] = [];
  partial.add(listed);
  try {
    for (const f of staged) {
      // Refused before it is listed: a file never renamed must not be taken for one in place.
      if (stopping) throw stoppedError(f.path);
      listed.add(f);
      await f.commit();
      done.push(f.path);
    }
  } catch (err) {
    await Promise.all([...staged.map((f) => f.discard()), ...done.map((p) => unlink(p).catch(() => undefined))]);
    throw err;
  } finally {
    partial.delete(listed);
  }
  return done;
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
  if (stopping) throw stoppedError(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pending.add(tmp);
  const discard = async (): Promise<void> => {
    await unlink(tmp).catch(() => undefined);
    pending.delete(tmp);
  };
  try {
    await tracked((async () => {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
    })());
  } catch (e) {
    await discard();
    throw writeError(path, e);
  }
  return {
    path,
    tmp,
    async commit() {
      if (stopping) {
        await discard();
        throw stoppedError(path);
      }
      try {
        await tracked(rename(tmp, path));
        pending.delete(tmp);
      } catch (e) {
        await discard();
        throw writeError(path, e);
      }
    },
    discard,
  };
}
