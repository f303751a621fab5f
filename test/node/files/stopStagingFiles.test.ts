/**
 * stopStagingFiles (a second Ctrl-C): writes and renames already running are waited for,
 * then no temporary file stays and no set is left half in place; later writes are refused.
 * Its own file: stopping is process-wide and cannot be undone.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { commitStagedFiles, stageFile, stopStagingFiles } from '../../../src/node/files/stageFile.js';

test('stop during writes and a commit: no temporary file, the set all or none, the old file intact or replaced whole; new writes refused', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-stop-'));
  try {
    const big = new Uint8Array(48 << 20).fill(7); // long enough to be mid-write when the stop comes
    // A set being committed: its files are staged, then the commit starts.
    await writeFile(path.join(dir, 'a.obj'), 'old');
    const set = await Promise.all(['a.obj', 'a.json', 'a.glb'].map((f) => stageFile(path.join(dir, f), f)));
    const committing = commitStagedFiles(set);
    // Writes still running.
    const writing = [stageFile(path.join(dir, 'b.glb'), big), stageFile(path.join(dir, 'c.glb'), big)];
    await Promise.allSettled([committing, ...writing]);
    // (The commit above finished before stopping; now one that the stop interrupts.)
    const set2 = await Promise.all(['d.obj', 'd.json', 'd.glb'].map((f) => stageFile(path.join(dir, f), f)));
    // libuv's four threads busy with long writes, so that the files staged next have not
    // even been opened when the stop comes.
    const busy = Array.from({ length: 4 }, (_, i) => stageFile(path.join(dir, `c${i}.glb`), big));
    await new Promise((r) => setTimeout(r, 2));
    const more = Array.from({ length: 12 }, (_, i) => stageFile(path.join(dir, `e${i}.glb`), 'e'));
    const interrupted = Promise.allSettled([commitStagedFiles(set2), ...busy, ...more]);
    const removed = await stopStagingFiles();
    assert.ok(removed >= 2, `removed ${removed}`);
    const settled = await interrupted;
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files.filter((f) => f.startsWith('.') || f.endsWith('.tmp')), [], 'no temporary files');
    const d = files.filter((f) => f.startsWith('d.'));
    assert.ok(d.length === 0 || d.length === 3, `set d: ${d.join(', ')}`);
    assert.equal(d.length === 3, settled[0]!.status === 'fulfilled', 'the set is in place exactly when its commit resolved');
    // The first set, committed before the stop, is whole with the new contents.
    assert.equal(await readFile(path.join(dir, 'a.obj'), 'utf8'), 'a.obj');
    assert.deepEqual(files.filter((f) => f.startsWith('a.')), ['a.glb', 'a.json', 'a.obj']);
    // Staged but never committed: b, c and the e files leave nothing.
    assert.deepEqual(files.filter((f) => /^(b|c\d|e\d+)\./.test(f)), []);
    await assert.rejects(stageFile(path.join(dir, 'g.obj'), 'g'), /could not write .*g\.obj: the program is stopping/);
    assert.ok(!(await readdir(dir)).some((f) => f.includes('g.obj')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
