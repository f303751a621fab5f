import test from 'node:test';
import assert from 'node:assert/strict';
import { cropFromPrediction, PREDICTED_CROP_FACTOR } from '../../src/face/cropFromPrediction.js';
import { cropFromLandmarks } from '../../src/face/cropFromLandmarks.js';
import { seededRandom } from '../support/checkpointFixture.js';

test('cropFromPrediction: centre of the x, y box of x y z triples, side factor × its mean side (upright crops off)', () => {
  const rand = seededRandom(5);
  for (let trial = 0; trial < 200; trial++) {
    const n = 68;
    const lm = new Float32Array(3 * n);
    const cx = 100 + 300 * rand(), cy = 100 + 300 * rand(), w = 20 + 200 * rand(), h = 20 + 200 * rand();
    for (let i = 0; i < n; i++) {
      lm[3 * i] = cx + (rand() - 0.5) * w;
      lm[3 * i + 1] = cy + (rand() - 0.5) * h;
      lm[3 * i + 2] = (rand() - 0.5) * 1e4; // z must not matter
    }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      x0 = Math.min(x0, lm[3 * i]!); x1 = Math.max(x1, lm[3 * i]!);
      y0 = Math.min(y0, lm[3 * i + 1]!); y1 = Math.max(y1, lm[3 * i + 1]!);
    }
    const f = 1.3 + rand() * 0.5;
    // Random points have a random eye line: 180 keeps the crop axis-aligned (faceRoll.test.ts turns it).
    const crop = cropFromPrediction(lm, f, 180);
    assert.ok(Math.abs(crop.center[0] - (x0 + x1) / 2) < 1e-9 && Math.abs(crop.center[1] - (y0 + y1) / 2) < 1e-9);
    assert.ok(Math.abs(crop.size - (f * (x1 - x0 + y1 - y0)) / 2) < 1e-9);
    // At 1.6 it is the evaluation protocol's crop of the same points given as x y pairs.
    const xy = Float64Array.from({ length: 2 * n }, (_, k) => lm[3 * (k >> 1) + (k & 1)]!);
    const protocol = cropFromLandmarks(xy), at16 = cropFromPrediction(lm, 1.6, 180);
    assert.ok(Math.abs(protocol.size - at16.size) < 1e-9 && Math.abs(protocol.center[0] - at16.center[0]) < 1e-9);
  }
  assert.ok(PREDICTED_CROP_FACTOR > 1 && PREDICTED_CROP_FACTOR < 2);
});

test('cropFromPrediction refuses what is not a face', () => {
  assert.throws(() => cropFromPrediction(new Float32Array([1, 2])), /x y z triples/);
  assert.throws(() => cropFromPrediction(new Float32Array([1, 2, 3, 1, 5, 3, 1, 9, 3])), /no area/);
  assert.throws(() => cropFromPrediction(new Float32Array([NaN, 2, 3, 4, 5, 6])), /no area/);
});
