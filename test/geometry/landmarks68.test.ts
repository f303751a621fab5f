import test from 'node:test';
import assert from 'node:assert/strict';
import { LANDMARKS_68, landmarkGap, landmarkMean } from '../../src/geometry/landmarks68.js';
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

test('landmarkGap: the mean distance of facing lip and eyelid points; opening the mouth widens it, and only that', () => {
  for (const stride of [2, 3]) {
    const pts = Array.from({ length: 68 * stride }, () => r() * 500);
    const d = (a: number, b: number) => Math.hypot(pts[a * stride]! - pts[b * stride]!, pts[a * stride + 1]! - pts[b * stride + 1]!);
    // 1-based, 300-W's inner lips are 61–68: 62, 63, 64 above 68, 67, 66; the eyelids 38, 39 above 42, 41 and 44, 45 above 48, 47.
    assert.ok(Math.abs(landmarkGap(pts, LANDMARKS_68.innerLipPairs, stride) - (d(61, 67) + d(62, 66) + d(63, 65)) / 3) < 1e-9);
    assert.ok(Math.abs(landmarkGap(pts, LANDMARKS_68.eyelidPairs, stride) - (d(37, 41) + d(38, 40) + d(43, 47) + d(44, 46)) / 4) < 1e-9);
  }
  // A closed mouth (inner lips on one line) opened by 12 px: the gap is 12, the eyes' unchanged.
  const face = Array.from({ length: 68 * 3 }, () => r() * 100);
  for (const [a, b] of LANDMARKS_68.innerLipPairs) { face[b * 3] = face[a * 3]!; face[b * 3 + 1] = face[a * 3 + 1]!; }
  assert.equal(landmarkGap(face, LANDMARKS_68.innerLipPairs), 0);
  const eyes = landmarkGap(face, LANDMARKS_68.eyelidPairs);
  for (const [, b] of LANDMARKS_68.innerLipPairs) face[b * 3 + 1]! += 12;
  assert.ok(Math.abs(landmarkGap(face, LANDMARKS_68.innerLipPairs) - 12) < 1e-9);
  assert.equal(landmarkGap(face, LANDMARKS_68.eyelidPairs), eyes);
  assert.throws(() => landmarkGap(new Float64Array(60), LANDMARKS_68.innerLipPairs), /needs 68 points/);
});
