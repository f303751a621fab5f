import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expandInputs, globToRegExp } from '../../src/cli/expandInputs.js';

test('globToRegExp: *, ? and ** semantics', () => {
  const m = (g: string, p: string) => globToRegExp(g).test(p);
  assert.ok(m('*.jpg', 'a.jpg'));
  assert.ok(!m('*.jpg', 'd/a.jpg'));
  assert.ok(m('?.jpg', 'a.jpg') && !m('?.jpg', 'ab.jpg'));
  assert.ok(m('**/*.jpg', 'a.jpg') && m('**/*.jpg', 'd/e/a.jpg'));
  assert.ok(m('d/**/x?.png', 'd/x1.png') && m('d/**/x?.png', 'd/e/f/x1.png') && !m('d/**/x?.png', 'e/x1.png'));
  assert.ok(!m('*.jpg', 'a.jpgx') && !m('a.b', 'axb'));
});

test('expandInputs: files, folders (flat or recursive), globs, and errors in argument order', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-expand-'));
  try {
    await mkdir(path.join(dir, 'sub', 'deep'), { recursive: true });
    for (const f of ['b.jpg', 'a.PNG', 'notes.txt', 'sub/c.jpeg', 'sub/deep/d.webp']) await writeFile(path.join(dir, f), 'x');
    const flat = await expandInputs([dir]);
    assert.deepEqual(flat.map((e) => path.relative(dir, e.file)), ['a.PNG', 'b.jpg']);
    const deep = await expandInputs([dir], { recursive: true });
    assert.deepEqual(deep.map((e) => path.relative(dir, e.file)), ['a.PNG', 'b.jpg', 'sub/c.jpeg', 'sub/deep/d.webp']);
    const globbed = await expandInputs([`${dir}/**/*.jp*g`, `${dir}/notes.txt`, `${dir}/missing.jpg`, `${dir}/*.gif`]);
    assert.deepEqual(globbed.map((e) => [path.relative(dir, e.file), e.error ?? null]), [
      ['b.jpg', null],
      ['sub/c.jpeg', null],
      ['notes.txt', null], // an explicit file is kept; decoding will judge it
      ['missing.jpg', 'no such file or folder'],
      ['*.gif', 'no image matches this pattern'],
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
