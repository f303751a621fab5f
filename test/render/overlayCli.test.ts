/** Issue 15, point 15: overlay strokes scale with the face; transparent photos are shown over white. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { overlayStrokes, OVERLAY_REFERENCE_FACE_SIZE } from '../../src/render/overlayStrokes.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const photo = path.resolve(repo, '../shared/fixtures/photos/photo1.jpg'); // 227×227
const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-overlay-'));
test.after(() => rm(work, { recursive: true, force: true }));

function prnet(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 180_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

/** Pixels of the official landmark red (255, 0, 0). */
async function redPixels(file: string): Promise<number> {
  const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += 3) if (data[i] === 255 && data[i + 1] === 0 && data[i + 2] === 0) n++;
  return n;
}

test('overlayStrokes: official sizes up to the reference face, proportional above', () => {
  assert.deepEqual(overlayStrokes(100), { dotRadius: 2, lineWidth: 1, poseLineWidth: 2 });
  assert.deepEqual(overlayStrokes(OVERLAY_REFERENCE_FACE_SIZE * 5), { dotRadius: 10, lineWidth: 5, poseLineWidth: 10 });
});

test('a 10× larger photo gets proportionally larger landmark dots', async () => {
  const big = path.join(work, 'big.png');
  await sharp(photo).resize(2270, 2270, { kernel: 'cubic' }).png().toFile(big);
  const r = await prnet(['reconstruct', photo, big, '-o', work, '--outputs', 'overlay']);
  assert.equal(r.code, 0, r.stderr);
  const small = await redPixels(path.join(work, 'photo1_overlay.png'));
  const large = await redPixels(path.join(work, 'big_overlay.png'));
  // Dot area grows with the square of the scale (about 7× here, from the face box): far more than 10×.
  assert.ok(large > 10 * small, `red pixels: ${small} at 227 px, ${large} at 2270 px`);
});

test('a semi-transparent PNG is shown over white in the overlay; the network still sees black', async () => {
  const { data, info } = await sharp(photo).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let y = 0; y < info.height; y++) for (let x = 0; x < 20; x++) data[(y * info.width + x) * 4 + 3] = 0; // left strip transparent
  const rgba = path.join(work, 'alpha.png');
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toFile(rgba);
  const r = await prnet(['reconstruct', rgba, '-o', work, '--outputs', 'overlay']);
  assert.equal(r.code, 0, r.stderr);
  const overlay = await decodeImage(path.join(work, 'alpha_overlay.png'));
  const at = (x: number, y: number) => Array.from(overlay.data.subarray((y * overlay.width + x) * 3, (y * overlay.width + x) * 3 + 3));
  assert.deepEqual(at(5, 5), [255, 255, 255]);
  assert.deepEqual(at(10, 220), [255, 255, 255]);
  const decoded = await decodeImage(rgba);
  assert.deepEqual(Array.from(decoded.data.subarray(0, 3)), [0, 0, 0], 'decodeImage default: over black');
});
