/** `--max-pixels` (issue 15, point 3): validated up front, named in refusals, default shown. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage, DECODE_MAX_PIXELS_LIMIT } from '../../src/node/inference/decodeImage.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const photo = path.resolve(repo, '../shared/fixtures/photos/photo1.jpg');

function prnet(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('--max-pixels above libvips\' limit is a usage error before any work; no output folder', async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-mp-'));
  try {
    const out = path.join(work, 'out');
    const r = await prnet(['reconstruct', photo, '-o', out, '--max-pixels', String(DECODE_MAX_PIXELS_LIMIT + 1)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--max-pixels must be an integer from 1 to 268402689/);
    assert.doesNotMatch(r.stderr, /maxPixels/);
    assert.ok(r.stderr.trim().split('\n').length <= 2, `short: ${r.stderr}`);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
    const zero = await prnet(['reconstruct', photo, '-o', out, '--max-pixels', '0']);
    assert.equal(zero.code, 2);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('--help shows the --max-pixels default and limit', async () => {
  const r = await prnet(['reconstruct', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout.replace(/\s+/g, ' '), /--max-pixels <n> refuse images larger than this many pixels \(at most 268402689, libvips' limit\) \(default: 50000000\)/);
});

test('an image over --max-pixels: one line naming --max-pixels, exit 1, no files', async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-mp-'));
  try {
    const out = path.join(work, 'out');
    const r = await prnet(['reconstruct', photo, '-o', out, '--max-pixels', '1000', '--outputs', 'obj,json,overlay']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /photo1\.jpg: .*pixels is over the limit of 1000 \(--max-pixels\)/);
    assert.deepEqual(await readdir(out), []);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('decodeImage refuses a maxPixels it cannot honour', async () => {
  await assert.rejects(decodeImage(photo, { maxPixels: DECODE_MAX_PIXELS_LIMIT + 1 }), /maxPixels must be an integer from 1 to 268402689/);
  await assert.rejects(decodeImage(photo, { maxPixels: 0.5 }), /maxPixels must be an integer/);
  const img = await decodeImage(photo, { maxPixels: DECODE_MAX_PIXELS_LIMIT });
  assert.ok(img.width > 0);
});
