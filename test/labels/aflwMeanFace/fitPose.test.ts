import test from 'node:test';
import assert from 'node:assert/strict';
import { fitPose, rotationFromVector } from '../../../src/labels/aflwMeanFace/fitPose.js';
import { aflw21ModelPoints } from '../../../src/labels/aflwMeanFace/aflw21Correspondence.js';
import { aflw21Deformation } from '../../../src/labels/aflwMeanFace/aflw21Deformation.js';
import { DEFORMATION_SHAPES } from '../../../src/labels/aflwMeanFace/deformationBasis.js';
import { canonicalPositionMap } from '../../../src/labels/aflwMeanFace/canonicalPositionMap.js';
import { createTrainRandom } from '../../../src/train/loop/trainRandom.js';
import { eulerRotation, testAssets } from '../../train/data/support.js';

/** Projects n×3 points: s · (R X)[x, y] + t (float64, naive). */
function project(model: ArrayLike<number>, R: ArrayLike<number>, s: number, t: [number, number]): Float64Array {
  const n = model.length / 3;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 2; r++) {
      let v = 0;
      for (let c = 0; c < 3; c++) v += R[r * 3 + c]! * model[i * 3 + c]!;
      out[i * 2 + r] = s * v + t[r]!;
    }
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

test('rotationFromVector is a proper rotation matching a hand-written one', () => {
  const R = rotationFromVector(0, Math.PI / 2, 0);
  assert.ok(maxDiff(R, eulerRotation(90, 0, 0)) < 1e-12);
  const rng = createTrainRandom(3);
  const Q = rotationFromVector(rng() - 0.5, rng() - 0.5, rng() - 0.5);
  // QᵀQ = I
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let d = 0;
    for (let k = 0; k < 3; k++) d += Q[k * 3 + i]! * Q[k * 3 + j]!;
    assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-12);
  }
});

test('fitPose recovers random synthetic poses of the canonical AFLW points exactly, also with half the points hidden', async () => {
  const assets = await testAssets();
  const model = aflw21ModelPoints(canonicalPositionMap(assets, { sweeps: 0 }));
  const rng = createTrainRandom(11);
  for (let trial = 0; trial < 30; trial++) {
    const yaw = (rng() * 2 - 1) * 85, pitch = (rng() * 2 - 1) * 30, roll = (rng() * 2 - 1) * 40;
    const R = eulerRotation(yaw, pitch, roll);
    const s = 0.5 + rng() * 1.5;
    const t: [number, number] = [100 + rng() * 250, 100 + rng() * 250];
    const image = project(model, R, s, t);
    const visible = new Uint8Array(21).fill(1);
    // Profile-like occlusion: hide the far side's points for large yaw.
    if (Math.abs(yaw) > 45) for (const j of yaw > 0 ? [0, 1, 2, 6, 7, 8, 12, 13, 17] : [3, 4, 5, 9, 10, 11, 15, 16, 19]) visible[j] = 0;
    const pose = fitPose(model, image, visible);
    assert.ok(pose.rmse < 1e-6, `trial ${trial}: rmse ${pose.rmse}`);
    assert.ok(maxDiff(pose.rotation, R) < 1e-6, `trial ${trial} (yaw ${yaw.toFixed(1)}): rotation off by ${maxDiff(pose.rotation, R)}`);
    assert.ok(Math.abs(pose.scale - s) < 1e-6 * s);
    assert.ok(maxDiff(pose.translation, t) < 1e-5);
  }
});

test('fitPose recovers known deformation coefficients with the AFLW basis', async () => {
  const assets = await testAssets();
  const canon = canonicalPositionMap(assets, { sweeps: 0 });
  const model = aflw21ModelPoints(canon);
  const basis = aflw21Deformation(canon, DEFORMATION_SHAPES).points;
  const rng = createTrainRandom(5);
  for (let trial = 0; trial < 10; trial++) {
    const alpha = [0.15 * (rng() - 0.5), 0.3 * (rng() - 0.5), 0.2 * (rng() - 0.5)];
    const shape = model.slice();
    for (let k = 0; k < 3; k++) for (let i = 0; i < 63; i++) shape[i] += alpha[k]! * basis[k * 63 + i]!;
    const R = eulerRotation((rng() * 2 - 1) * 60, (rng() * 2 - 1) * 20, (rng() * 2 - 1) * 20);
    const image = project(shape, R, 1.3, [220, 240]);
    const pose = fitPose(model, image, new Uint8Array(21).fill(1), { basis, regularization: 1e-12 });
    assert.ok(pose.rmse < 1e-5, `rmse ${pose.rmse}`);
    assert.ok(maxDiff(pose.deformation, alpha) < 1e-4, `α ${Array.from(pose.deformation)} vs ${alpha}`);
    assert.ok(maxDiff(pose.rotation, R) < 1e-5);
  }
});

test('fitPose rejects too few points and mismatched arrays', () => {
  const model = new Float64Array(9), image = new Float64Array(6);
  assert.throws(() => fitPose(model, image, [1, 1, 0]), /at least 3 visible/);
  assert.throws(() => fitPose(model, new Float64Array(4), [1, 1, 1]), /need 9 model and 6 image/);
});
