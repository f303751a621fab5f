/** Issue 15, point 12: a model without prnet metadata and a box outside the image are refused. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { locateFaces } from '../../src/reconstruct/locateFaces.js';
import { constantFaceModel } from '../support/randomModel.js';
import { syntheticFace } from '../support/syntheticFace.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const photo = path.resolve(repo, '../shared/fixtures/photos/photo1.jpg'); // 227×227
const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-nonsense-'));
test.after(() => rm(work, { recursive: true, force: true }));

function prnet(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

test('an ONNX model with the right tensors but no prnet metadata: refused (exit 2) unless --force', async () => {
  const assets = await loadUvAssets();
  const { positionMap } = syntheticFace(assets, { scale: 0.85, tx: 128, ty: 135, tz: 120 });
  const model = path.join(work, 'foreign.onnx');
  await writeFile(model, constantFaceModel(positionMap, 256, {}));
  const out = path.join(work, 'foreign-out');
  const r = await prnet(['reconstruct', photo, '-o', out, '--model', model, '--outputs', 'json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /foreign\.onnx: not a prnet model \(no prnet\.variant metadata\).*--force/);
  await assert.rejects(readdir(out), { code: 'ENOENT' });
  const forced = await prnet(['reconstruct', photo, '-o', out, '--model', model, '--outputs', 'json', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(await readdir(out), ['photo1.json']);
});

test('--box outside the image: that image fails with one line, no files; a box cut by the border runs', async () => {
  const out = path.join(work, 'box-out');
  const r = await prnet(['reconstruct', photo, '-o', out, '--outputs', 'obj,json', '--box', '400,400,100,100']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /photo1\.jpg: the face box \[400, 400, 100, 100\] lies outside the 227×227 image/);
  assert.deepEqual(await readdir(out), []);
  const edge = await prnet(['reconstruct', photo, '-o', out, '--outputs', 'json', '--box', '-50,40,150,150']);
  assert.equal(edge.code, 0, edge.stderr);
});

test('locateFaces refuses user boxes and landmarks (almost) outside the image', async () => {
  const image = { width: 100, height: 80, data: new Uint8Array(100 * 80 * 3) };
  await assert.rejects(locateFaces(image, { box: [100, 0, 50, 50] }), /lies outside the 100×80 image/);
  await assert.rejects(locateFaces(image, { box: [-45, -45, 50, 50] }), /lies 99 % outside/);
  // A box that holds the whole picture many times over: said so, not "100 % outside".
  await assert.rejects(locateFaces(image, { box: [0, 0, 100000, 100000] }), new RegExp(`is far larger than the ${image.width}×${image.height} image \\(99 % of it lies outside\\)$`));
  await assert.rejects(locateFaces(image, { landmarks: [200, 200, 260, 260, 230, 300] }), /landmarks' box .* outside/);
  const [face] = await locateFaces(image, { box: [-25, 10, 50, 50] }); // half inside
  assert.deepEqual(face!.box, [-25, 10, 50, 50]);
});

test('a model that returns NaN: each image fails with one line saying so (exit 1), no NaN meshes or null landmarks written', async () => {
  const model = path.join(work, 'nan.onnx');
  await writeFile(model, constantFaceModel(new Float32Array(256 * 256 * 3).fill(NaN), 256));
  const out = path.join(work, 'nan-out');
  const r = await prnet(['reconstruct', photo, '-o', out, '--model', model, '--outputs', 'obj,json', '--box', '40,40,150,150']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /photo1\.jpg: the network returned non-finite values \(NaN or ±∞\) for this face: the model is broken/);
  assert.deepEqual(await readdir(out), []);
});

test('a model whose metadata and graph disagree on the crop size: refused before any work (exit 2), not every image failing', async () => {
  const map = new Float32Array(256 * 256 * 3).fill(100);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['mismatch', { 'prnet.variant': 'x', 'prnet.input_size': '128' }, /mismatch\.onnx: its graph takes 256×256×3 crops, not 128×128×3, its prnet\.input_size metadata's/],
    ['not-a-size', { 'prnet.variant': 'x', 'prnet.input_size': 'abc' }, /not-a-size\.onnx: its prnet\.input_size metadata "abc" is not a crop size in pixels/],
  ];
  for (const [name, metadata, message] of cases) {
    const model = path.join(work, `${name}.onnx`);
    await writeFile(model, constantFaceModel(map, 256, metadata));
    const out = path.join(work, `${name}-out`);
    const r = await prnet(['reconstruct', photo, '-o', out, '--model', model, '--outputs', 'json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /photo1\.jpg/);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  }
});

test('an output folder that exists but cannot be written: one setup error before any work (exit 2), not one failure per image', { skip: process.platform === 'win32' && 'POSIX permissions' }, async (t) => {
  // Root writes anywhere: run prnet as nobody then (the folder is read-only for everyone).
  const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const readOnly = path.join(work, 'read-only');
  await mkdir(readOnly);
  await chmod(work, 0o755);
  await chmod(readOnly, 0o555);
  const run = (args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 120_000, ...user, env: { ...process.env, HOME: os.tmpdir() } }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  if ((await run(['--version'])).code !== 0) return t.skip('the checkout cannot be read as nobody');
  const r = await run(['reconstruct', photo, photo.replace('photo1', 'photo2'), '-o', readOnly, '--outputs', 'obj,json']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /read-only: cannot write to the output folder \(EACCES\)/);
  assert.doesNotMatch(r.stderr, /photo[12]\.jpg/);
});
