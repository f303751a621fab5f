import { stageFile } from './stageFile.js';

/**
 * Writes a file so that readers never see half of it: the bytes go to a temporary
 * file in the same directory (same filesystem, so the rename is atomic), are
 * flushed, then renamed over `path` ({@link stageFile} then commit). On any error the
 * temporary file is removed and `path` is left as it was.
 *
 * ```ts
 * await writeFileAtomic('out/face.obj', encodeObj(mesh).obj);
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await (await stageFile(path, bytes)).commit();
}
