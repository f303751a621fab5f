import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeFolders } from '../../../src/node/files/makeFolders.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'prnet-makefolders-'));
const root = fileURLToPath(new URL('../../../', import.meta.url));

test('makeFolders: creates the missing chain and says where it began; an existing folder is left alone', async () => {
  const deep = path.join(work, 'a', 'b', 'c');
  assert.equal(await makeFolders(deep), path.join(work, 'a'));
  assert.ok(statSync(deep).isDirectory());
  assert.equal(await makeFolders(deep), undefined);
  assert.equal(await makeFolders(path.join(work, 'a', 'b', 'd')), path.join(work, 'a', 'b', 'd'));
  // Relative paths resolve against the working folder.
  const rel = path.relative(process.cwd(), path.join(work, 'rel', 'x'));
  assert.equal(await makeFolders(rel), path.join(work, 'rel'));
});

test('makeFolders: a file in the way is EEXIST when it is the folder asked for, ENOTDIR naming it when above', async () => {
  const file = path.join(work, 'a-file');
  writeFileSync(file, 'x');
  await assert.rejects(makeFolders(file), (err: NodeJS.ErrnoException) => err.code === 'EEXIST' && (err as { path?: string }).path === file);
  // A file above: the error names the file, not the folder asked for.
  await assert.rejects(makeFolders(path.join(file, 'below', 'deeper')), (err: NodeJS.ErrnoException) => err.code === 'ENOTDIR' && (err as { path?: string }).path === file);
  assert.ok(!existsSync(path.join(file, 'below')));
});

test('makeFolders: under /proc it fails with ENOENT at once, where Node\'s recursive mkdir never returns', { skip: !existsSync('/proc/self') }, async () => {
  await assert.rejects(makeFolders('/proc/prnet-no-such/x'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  // Through the command line: a setup error in one line, not a hang (the timeout kills a hang).
  const photo = path.join(root, '../shared/fixtures/photos', 'photo1.jpg');
  const r = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'reconstruct', photo, '-o', '/proc/prnet-no-such/out'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'finished by itself');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /\/proc\/prnet-no-such\/out: cannot create the output folder \(ENOENT\)/);
});
