/**
 * Mirroring position maps: the proof that PRNet's UV layout is left–right symmetric
 * (so a flipped crop's map can be mapped back), and the flip-averaging model wrapper.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { mirrorPositionMap } from '../../src/uv/mirrorPositionMap.js';
import { positionMapLandmarks } from '../../src/uv/positionMapLandmarks.js';
import { withFlipAveraging } from '../../src/reconstruct/withFlipAveraging.js';
import type { PositionMapModel } from '../../src/model/session.js';
import { syntheticFace } from '../support/syntheticFace.js';
import { randomFloats, seededRandom } from '../support/random.js';

const uvDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));

/** The 68-point (iBUG) order of the mirror image: landmark k of a face is landmark MIRROR_68[k] of its mirror. */
const MIRROR_68 = [
  ...Array.from({ length: 17 }, (_, i) => 16 - i), // jaw
  26, 25, 24, 23, 22, 21, 20, 19, 18, 17, // brows
  27, 28, 29, 30, 35, 34, 33, 32, 31, // nose
  45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40, // eyes
  54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, // outer lips
  64, 63, 62, 61, 60, 67, 66, 65, // inner lips
];

test('PRNet UV layout is symmetric about its middle column (canonical face)', async () => {
  const a = await loadUvAssets({ dataDir: uvDir });
  const S = a.uvSize, n = a.faceIndices.length;
  const cv = a.canonicalVertices;
  let cx = 0;
  for (let i = 0; i < n; i++) cx += cv[3 * i]! / n;
  const at = new Int32Array(S * S).fill(-1);
  a.faceIndices.forEach((p, i) => { at[p] = i; });
  // For the mirror column S−1−u and its wrong neighbours: share of face pixels whose mirror
  // is a face pixel, and the median distance of the mirrored canonical point.
  const score = (last: number) => {
    const d: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = a.faceIndices[i]!, v = Math.floor(p / S), u = p % S;
      if (last - u < 0 || last - u >= S) continue;
      const j = at[v * S + last - u]!;
      if (j < 0) continue;
      d.push(Math.hypot(2 * cx - cv[3 * j]! - cv[3 * i]!, cv[3 * j + 1]! - cv[3 * i + 1]!, cv[3 * j + 2]! - cv[3 * i + 2]!));
    }
    d.sort((p, q) => p - q);
    return { share: d.length / n, median: d[d.length >> 1]! };
  };
  const right = score(S - 1);
  assert.ok(right.share > 0.999, `mirror pixels on the face: ${right.share}`);
  // The canonical face is ~210 units wide: a median of < 1 unit is < 0.5 % of it.
  assert.ok(right.median < 1, `median mirror distance ${right.median}`);
  for (const wrong of [S - 2, S]) assert.ok(score(wrong).median > 2 * right.median, `column ${wrong} fits as well`);
});

test('mirrorPositionMap: the map of a posed face becomes the map of its mirror image (yaw, roll and x negated)', async () => {
  const a = await loadUvAssets({ dataDir: uvDir });
  const pose = { scale: 0.55, ty: 140, pitch: -10 };
  const face = syntheticFace(a, { ...pose, tx: 118, yaw: 35, roll: 12 });
  // The canonical face is symmetric, so its mirror image is the same face posed mirrored.
  const expected = syntheticFace(a, { ...pose, tx: 255 - 118, yaw: -35, roll: -12 }).positionMap;
  const mirrored = mirrorPositionMap(face.positionMap);
  const d = Array.from(a.faceIndices, (p) => Math.hypot(mirrored[3 * p]! - expected[3 * p]!, mirrored[3 * p + 1]! - expected[3 * p + 1]!, mirrored[3 * p + 2]! - expected[3 * p + 2]!)).sort((p, q) => p - q);
  const median = d[d.length >> 1]!, p99 = d[Math.floor(d.length * 0.99)]!;
  assert.ok(median < 0.5 && p99 < 1.5, `mirrored map off by median ${median}, 99th percentile ${p99} px`);
  // Landmarks: landmark k of the mirror image is landmark MIRROR_68[k] of the face,
  // reflected — within the official keypoints' own asymmetry (one UV pixel at most).
  const lm = positionMapLandmarks(face.positionMap, a), ml = positionMapLandmarks(mirrored, a);
  let worst = 0, moved = 0;
  for (let k = 0; k < 68; k++) {
    const j = MIRROR_68[k]!;
    worst = Math.max(worst, Math.hypot(ml[3 * k]! - (255 - lm[3 * j]!), ml[3 * k + 1]! - lm[3 * j + 1]!, ml[3 * k + 2]! - lm[3 * j + 2]!));
    moved = Math.max(moved, Math.abs(ml[3 * k]! - lm[3 * k]!));
  }
  assert.ok(worst < 2.5, `mirrored landmarks off by ${worst} px`);
  assert.ok(moved > 20, 'the mirror moved the landmarks');
  const twice = mirrorPositionMap(mirrored);
  assert.ok(twice.every((v, i) => Math.abs(v - face.positionMap[i]!) < 1e-4), 'mirroring twice gives the map back');
  assert.throws(() => mirrorPositionMap(new Float32Array(10)), /expected 256×256×3/);
});

test('withFlipAveraging: one call of twice the batch, flipped crops, mean of the map and the mirrored mirror map', async () => {
  const S = 4, M = 256, per = S * S * 3, mapPer = M * M * 3;
  const calls: Array<{ input: Float32Array; batch: number }> = [];
  // A fake network whose map depends on its input: every value is the crop's first pixel's
  // red plus a position term, so flipped and unflipped crops give different maps.
  const base = randomFloats(mapPer, seededRandom(3), 0, 200);
  const model: PositionMapModel = {
    inputSize: S, outputSize: M, metadata: { k: 'v' },
    async predict(input, batch) {
      calls.push({ input: input.slice(), batch });
      const out = new Float32Array(batch * mapPer);
      for (let b = 0; b < batch; b++) for (let i = 0; i < mapPer; i++) out[b * mapPer + i] = base[i]! + 10 * input[b * per]!;
      return out;
    },
    dispose: async () => {},
  };
  const input = randomFloats(2 * per, seededRandom(4));
  const tta = withFlipAveraging(model);
  assert.equal(tta.metadata['k'], 'v');
  const out = await tta.predict(input, 2);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.batch, 4);
  // Crops 2 and 3 are crops 0 and 1 mirrored left–right.
  for (let b = 0; b < 2; b++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) {
    assert.equal(calls[0]!.input[(2 + b) * per + (y * S + (S - 1 - x)) * 3 + c], input[b * per + (y * S + x) * 3 + c]);
  }
  for (let b = 0; b < 2; b++) {
    const own = base.map((v) => v + 10 * input[b * per]!);
    const flipped = mirrorPositionMap(base.map((v) => v + 10 * input[b * per + (S - 1) * 3]!));
    const got = out.subarray(b * mapPer, (b + 1) * mapPer);
    let worst = 0;
    for (let i = 0; i < mapPer; i++) worst = Math.max(worst, Math.abs(got[i]! - 0.5 * (own[i]! + flipped[i]!)));
    assert.ok(worst < 1e-3, `crop ${b}: off by ${worst}`);
  }
  await assert.rejects(tta.predict(new Float32Array(5), 1), /holds .* crops, expected 1/);
});
