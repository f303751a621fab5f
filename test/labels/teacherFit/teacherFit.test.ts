import test from 'node:test';
import assert from 'node:assert/strict';
import { teacherFit, type FaceFit, type FitPoints } from '../../../src/labels/teacherFit/teacherFit.js';
import { faceFitPoints } from '../../../src/labels/teacherFit/faceFitPoints.js';
import { rotationFromVector } from '../../../src/labels/aflwMeanFace/fitPose.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

/** A random face-like model: m points on a bumpy ellipsoid cap, K smooth random bases. */
function syntheticModel(m: number, K: number, seed: number): FitPoints {
  const r = rng(seed);
  const mean = new Float64Array(m * 3), basis = new Float64Array(m * 3 * K);
  for (let j = 0; j < m; j++) {
    const a = (r() - 0.5) * 2.4, b = (r() - 0.5) * 2.4;
    mean[j * 3] = 80 * Math.sin(a); mean[j * 3 + 1] = 100 * Math.sin(b); mean[j * 3 + 2] = 60 * Math.cos(a) * Math.cos(b) + 10 * r();
    for (let d = 0; d < 3; d++) for (let k = 0; k < K; k++) basis[(j * 3 + d) * K + k] = (r() - 0.5) * 8;
  }
  return { mean, basis, coefficientCount: K };
}

const K = 6;
const std = new Float64Array(K).fill(1);
const truth: FaceFit = { rotation: rotationFromVector(0.1, 0.5, -0.05), scale: 0.9, translation: [220, 240], coefficients: Float64Array.of(1.2, -0.7, 0.4, 0.9, -1.1, 0.3) };
const start: FaceFit = { rotation: rotationFromVector(0.25, 0.35, 0.05), scale: 0.85, translation: [226, 232], coefficients: new Float64Array(K) };

test('the label fit recovers a synthetic face made from chosen parameters (pose, shape and expression)', () => {
  const points = syntheticModel(21, K, 3), others = syntheticModel(40, K, 4);
  const proj = faceFitPoints(truth, points);
  const human = new Float64Array(42), weights = new Float64Array(21).fill(1);
  for (let j = 0; j < 21; j++) { human[j * 2] = proj[j * 3]!; human[j * 2 + 1] = proj[j * 3 + 1]!; }
  weights[3] = 0; weights[11] = 0; human[6] = NaN; // unannotated points are ignored
  // Weak priors: the 19 points decide.
  const fit = teacherFit(points, human, weights, start, std, 3, 150, { shapePrior: 1e4, expressionPrior: 1e4, rotationSigma: 1e4, iterations: 100 });
  assert.equal(fit.pointCount, 19);
  assert.ok(fit.fitError < 1e-6, `fit error ${fit.fitError}`);
  assert.ok(fit.teacherGap > 0.05, `the start was far off (${fit.teacherGap})`);
  fit.coefficients.forEach((c, k) => assert.ok(Math.abs(c - truth.coefficients[k]!) < 1e-3, `coefficient ${k}: ${c}`));
  // 3D too: the other points of the same face, depth included.
  const want = faceFitPoints(truth, others), got = faceFitPoints(fit, others);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(want[i]! - got[i]!) < 1e-3, `point value ${i}: ${got[i]} vs ${want[i]}`);
});

test('strong priors keep the teacher; without annotated points the fit returns the start', () => {
  const points = syntheticModel(21, K, 3);
  const proj = faceFitPoints(truth, points);
  const human = new Float64Array(42);
  for (let j = 0; j < 21; j++) { human[j * 2] = proj[j * 3]!; human[j * 2 + 1] = proj[j * 3 + 1]!; }
  const none = teacherFit(points, human, new Float64Array(21), start, std, 3, 150);
  assert.equal(none.pointCount, 0);
  assert.deepEqual(Array.from(none.coefficients), Array.from(start.coefficients));
  assert.deepEqual(Array.from(none.rotation), Array.from(start.rotation));
  const tight = teacherFit(points, human, new Float64Array(21).fill(1), start, std, 3, 150, { shapePrior: 1e-4, expressionPrior: 1e-4, rotationSigma: 1e-4 });
  tight.coefficients.forEach((c) => assert.ok(Math.abs(c) < 1e-3));
  // Pose still moves only through scale and translation; the error stays large.
  assert.ok(tight.fitError > 0.01);
});

test('a mirrored face gives the mirrored label', () => {
  // Mirror: image x → W − x; model x → −x (mean and basis), rotation conjugated by diag(−1, 1, 1).
  const W = 450;
  const points = syntheticModel(21, K, 7);
  const mirrorModel = (p: FitPoints): FitPoints => {
    const mean = p.mean.slice(), basis = p.basis.slice();
    for (let j = 0; j < mean.length / 3; j++) { mean[j * 3] = -mean[j * 3]!; for (let k = 0; k < K; k++) basis[(j * 3) * K + k] = -basis[(j * 3) * K + k]!; }
    return { mean, basis, coefficientCount: K };
  };
  const mirrorFit = (f: FaceFit): FaceFit => {
    const R = f.rotation.slice();
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if ((i === 0) !== (j === 0)) R[i * 3 + j] = -R[i * 3 + j]!;
    return { rotation: R, scale: f.scale, translation: [W - f.translation[0], f.translation[1]], coefficients: f.coefficients.slice() };
  };
  const r = rng(9);
  const human = new Float64Array(42);
  const proj = faceFitPoints(truth, points);
  for (let j = 0; j < 21; j++) { human[j * 2] = proj[j * 3]! + (r() - 0.5) * 6; human[j * 2 + 1] = proj[j * 3 + 1]! + (r() - 0.5) * 6; }
  const weights = new Float64Array(21).fill(1);
  const a = teacherFit(points, human, weights, start, std, 3, 150);
  const mirrored = human.slice();
  for (let j = 0; j < 21; j++) mirrored[j * 2] = W - human[j * 2]!;
  const b = teacherFit(mirrorModel(points), mirrored, weights, mirrorFit(start), std, 3, 150);
  const pa = faceFitPoints(a, points), pb = faceFitPoints(b, mirrorModel(points));
  for (let j = 0; j < 21; j++) {
    assert.ok(Math.abs(W - pa[j * 3]! - pb[j * 3]!) < 1e-4, `x of point ${j}`);
    assert.ok(Math.abs(pa[j * 3 + 1]! - pb[j * 3 + 1]!) < 1e-4, `y of point ${j}`);
    assert.ok(Math.abs(pa[j * 3 + 2]! - pb[j * 3 + 2]!) < 1e-4, `z of point ${j}`);
  }
  a.coefficients.forEach((c, k) => assert.ok(Math.abs(c - b.coefficients[k]!) < 1e-5));
  // And the noise was really fitted through (not a trivial pass-through).
  assert.ok(a.fitError > 0.002 && a.fitError < 0.05, `fit error ${a.fitError}`);
});
