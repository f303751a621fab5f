/**
 * Ctrl-C and SIGTERM during `prnet reconstruct` (issue 15, point 2): the run stops,
 * completes the files being written, leaves no temporary file, gives every image all of
 * its requested files or none, prints the summary and exits with 130.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const photo = path.resolve(repo, '../shared/fixtures/photos/photo1.jpg');
const COUNT = 60;
const KINDS = ['obj', 'glb', 'json', 'texture', 'overlay'];
/** Files per image for KINDS: <base>_0.obj, <base>_0.mtl (textured OBJ), <base>_0.glb, <base>.json, <base>_0_texture.png, <base>_overlay.png. */
const PER_IMAGE = 6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts that every image in an output listing has all its files; returns how many images there are. */
function assertWholeImages(files: string[]): number {
  const perBase = new Map<string, number>();
  for (const f of files) {
    const base = f.match(/^(img\d{3})/)![1]!;
    perBase.set(base, (perBase.get(base) ?? 0) + 1);
  }
  for (const [base, n] of perBase) assert.equal(n, PER_IMAGE, `${base}: ${n} of ${PER_IMAGE} files`);
  return perBase.size;
}

/** `prnet reconstruct` on COUNT copies of the photo in `work`, writing every kind of file: the child, its output folder, its stderr so far, its exit. */
async function startBatch(work: string) {
  const inputs = path.join(work, 'in');
  await mkdir(inputs);
  for (let i = 0; i < COUNT; i++) await copyFile(photo, path.join(inputs, `img${String(i).padStart(3, '0')}.jpg`));
  const out = path.join(work, 'out');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'reconstruct', inputs, '-o', out, '--outputs', KINDS.join(','), '--box', '40,30,150,170', '--batch', '2'], { cwd: repo });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
  return { child, out, stderr: () => stderr, exited };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} mid-batch: exit 130, summary, no temporary files, every image all or none`, async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-int-'));
    try {
      const { child, out, stderr: err, exited } = await startBatch(work);
      // Wait until a few images are written, then interrupt.
      for (;;) {
        const files = await readdir(out).catch(() => [] as string[]);
        if (files.filter((f) => f.endsWith('.json')).length >= 3) break;
        if (child.exitCode !== null) assert.fail(`finished before the signal: ${err()}`);
        await sleep(50);
      }
      child.kill(signal);
      const { code, sig } = await exited;
      assert.equal(sig, null, err());
      assert.equal(code, 130, err());
      const m = err().match(/prnet: interrupted: (\d+) of 60 images done, \d+ faces, 0 failed, (\d+) not processed/);
      assert.ok(m, err());
      const done = Number(m[1]);
      assert.ok(done >= 3 && done < COUNT, `done ${done}`);
      assert.equal(done + Number(m[2]), COUNT);
      const files = await readdir(out);
      assert.deepEqual(files.filter((f) => f.endsWith('.tmp') || f.startsWith('.')), [], 'no temporary files');
      assert.equal(assertWholeImages(files), done, 'the summary counts the complete images');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

test('a second Ctrl-C stops at once: exit 130, still no temporary files and no half image', async () => {
  /** One run: the first SIGINT while files are being written, the second once the first is handled. Null when the run ended before the second could be sent. */
  const attempt = async (): Promise<{ code: number | null; stderr: string; files: string[] } | null> => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-int-'));
    try {
      const { child, out, stderr: err, exited } = await startBatch(work);
      for (;;) {
        const files = await readdir(out).catch(() => [] as string[]);
        if (files.some((f) => f.endsWith('.tmp'))) break; // files are being written right now
        if (child.exitCode !== null) assert.fail(`finished before the signal: ${err()}`);
        await sleep(5);
      }
      child.kill('SIGINT');
      // Two signals sent back to back can merge into one; the second goes once the first is handled.
      while (!err().includes('SIGINT: stopping') && child.exitCode === null) await sleep(1);
      if (child.exitCode !== null) return null;
      child.kill('SIGINT');
      const { code } = await exited;
      if (!err().includes('SIGINT again')) return null; // the run ended before the second signal reached it
      return { code, stderr: err(), files: await readdir(out) };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };
  let run = null;
  for (let k = 0; k < 3 && !run; k++) run = await attempt();
  assert.ok(run, 'in three runs the second signal never arrived while files were being written');
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT again: stopped; no temporary files left/);
  assert.deepEqual(run.files.filter((f) => f.endsWith('.tmp') || f.startsWith('.')), [], 'no temporary files');
  assertWholeImages(run.files);
});

test('a write that fails takes back the image\'s other files: all or none', async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-int-'));
  try {
    const out = path.join(work, 'out');
    // photo1_0.glb is a folder, so that file cannot be put in place; photo2 is fine.
    await mkdir(path.join(out, 'photo1_0.glb'), { recursive: true });
    const photo2 = path.resolve(repo, '../shared/fixtures/photos/photo2.jpg');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'reconstruct', photo, photo2, '-o', out, '--outputs', 'obj,glb,json', '--box', '40,30,150,170'], { cwd: repo });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /photo1\.jpg: could not write .*photo1_0\.glb: it is a directory/);
    assert.deepEqual((await readdir(out)).sort(), ['photo1_0.glb', 'photo2.json', 'photo2_0.glb', 'photo2_0.obj']);
    assert.deepEqual(await readdir(path.join(out, 'photo1_0.glb')), []);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
