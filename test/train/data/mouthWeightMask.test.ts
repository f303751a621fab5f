import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../../src/node/inference/uvAssets.js';
import { mouthWeightMask } from '../../../src/train/data/mouthWeightMask.js';
import { resampleWeightMask } from '../../../src/train/engine/loss.js';

const dataDir = fileURLToPath(new URL('../../../../shared/prnet-data/uv-data/', import.meta.url));
const assets = await loadUvAssets({ dataDir, download: false });
const N = 256;
const kp = assets.keypointIndices;
const at = (k: number) => [kp[k]! % N, Math.floor(kp[k]! / N)] as const;

test('mouthWeightMask: factor 1 is the paper mask, as a copy', () => {
  const m = mouthWeightMask(assets.weightMask, kp, { factor: 1 });
  assert.notEqual(m, assets.weightMask);
  assert.deepEqual(Array.from(m), Array.from(assets.weightMask));
});

test('mouthWeightMask: scales the lips and nothing else (256 map)', () => {
  const m = mouthWeightMask(assets.weightMask, kp, { factor: 4 });
  // Every lip landmark, outer and inner, is scaled; the nose tip, chin, eye corners and brows are not.
  for (let k = 48; k < 68; k++) {
    const [u, v] = at(k), i = v * N + u;
    assert.ok(assets.weightMask[i]! > 0, `landmark ${k} has weight`);
    assert.equal(m[i], assets.weightMask[i]! * 4, `landmark ${k}`);
  }
  for (const k of [8, 30, 33, 36, 45, 19, 24]) {
    const [u, v] = at(k), i = v * N + u;
    assert.equal(m[i], assets.weightMask[i], `landmark ${k} unchanged`);
  }
  // The scaled region is the lips' size: between the corners, and a few hundred pixels.
  let scaled = 0, left = 0, right = 0, minU = N, maxU = 0;
  const [cu] = at(51);
  for (let i = 0; i < m.length; i++) {
    if (m[i] === assets.weightMask[i]) continue;
    assert.equal(m[i], assets.weightMask[i]! * 4);
    scaled++;
    const u = i % N;
    minU = Math.min(minU, u); maxU = Math.max(maxU, u);
    if (u < cu) left++; else if (u > cu) right++;
  }
  assert.ok(scaled > 300 && scaled < 1500, `${scaled} pixels scaled`);
  assert.ok(minU >= at(48)[0] - 3 && maxU <= at(54)[0] + 3, `u span ${minU}–${maxU}`);
  // The UV layout is nearly mirror-symmetric, so is the region.
  assert.ok(Math.abs(left - right) < 0.15 * scaled, `left ${left}, right ${right}`);
  // Zero weight (outside the face) stays zero.
  for (let i = 0; i < m.length; i++) if (assets.weightMask[i] === 0) assert.equal(m[i], 0);
});

test('mouthWeightMask: a 128 mask is scaled where the 256 one is, block for block', () => {
  const m256 = mouthWeightMask(assets.weightMask, kp, { factor: 3 });
  const small = resampleWeightMask(assets.weightMask, 128);
  const m128 = mouthWeightMask(small, kp, { factor: 3 });
  const fromBig = resampleWeightMask(m256, 128);
  // Where the whole 2×2 block was scaled at 256, the 128 pixel is scaled too; where none was, it is not.
  let agree = 0, total = 0;
  for (let v = 0; v < 128; v++) for (let u = 0; u < 128; u++) {
    const i = v * 128 + u;
    if (small[i] === 0) continue;
    const ratio = fromBig[i]! / small[i]!;
    if (ratio === 1 || Math.abs(ratio - 3) < 1e-5) {
      total++;
      if (Math.abs(m128[i]! / small[i]! - ratio) < 1e-5) agree++;
    }
  }
  assert.ok(total > 4000);
  assert.ok(agree / total > 0.995, `${agree} of ${total}`);
});

test('mouthWeightMask: refuses bad factors and masks', () => {
  assert.throws(() => mouthWeightMask(assets.weightMask, kp, { factor: 0 }), /factor must be a positive number, got 0/);
  assert.throws(() => mouthWeightMask(new Float32Array(100 * 100), kp, { factor: 2 }), /S dividing 256/);
  assert.throws(() => mouthWeightMask(assets.weightMask, kp.subarray(0, 21), { factor: 2 }), /68 landmark pixels, got 21/);
});
