/**
 * The synchronous twin of `writeFileAtomic` (src/node/files/atomicWrite.ts) for fixtures
 * built on first use from synchronous helpers: the bytes go to a temporary file beside
 * `file` (the process id in its name, so parallel test files do not collide), then are
 * renamed over it, so a concurrent reader never sees half a fixture.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeFileAtomicSync(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}
