import test from 'node:test';
import assert from 'node:assert/strict';
import { LANDMARKS_68, landmarkMean } from '../../src/geometry/landmarks68.js';
import { rng } from './reference.js';

const r = rng(61);

test('landmarkMean: the naive mean of a part, at any stride and dimension; the ranges cover the scheme as 300-W numbers it', () => {
  for (const stride of [2, 3]) {
    const pts = Array.from({ length: 68 * stride }, () => r() * 500);
    for (const dims of stride === 3 ? [2, 3] : [2]) {
      const got = landmarkMean(pts, LANDMARKS_68.rightEye, stride, dims);
      for (let d = 0; d < dims; d++) {
        const want = [42, 43, 44, 45, 46, 47].reduce((s, i) => s + pts[i * stride + d]!, 0) / 6;
        assert.ok(Math.abs(got[d]! - want) < 1e-9, `stride ${stride}, coordinate ${d}`);
      }
    }
  }
  // 1-based, 300-W's eyes are 37–42 and 43–48, the mouth 49–68, the nose tip 31.
  assert.deepEqual([LANDMARKS_68.leftEye, LANDMARKS_68.rightEye, LANDMARKS_68.mouth, LANDMARKS_68.noseTip + 1], [[36, 42], [42, 48], [48, 68], 31]);
  assert.throws(() => landmarkMean(new Float64Array(67 * 3), LANDMARKS_68.eyes), /needs 68 points/);
});
