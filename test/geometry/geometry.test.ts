import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { affine2d, affineApply, affineCompose, affineInvert, affineScale } from '../../src/geometry/affine2d.js';
import { svd3, det3 } from '../../src/geometry/svd3.js';
import { umeyama, applySimilarity3d } from '../../src/geometry/umeyama.js';
import { estimateAffineCamera } from '../../src/geometry/estimateAffineCamera.js';
import { affineCameraToSRt } from '../../src/geometry/affineCameraToSRt.js';
import { rotationToEuler, eulerToRotation } from '../../src/geometry/rotationToEuler.js';
import { estimatePose } from '../../src/geometry/estimatePose.js';
import { readNpy } from '../../src/io/npy.js';
import { rng, gaussian, matmul, randomRotation, hornSimilarity, quatToRotation } from './reference.js';

const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);
const r = rng(11);

test('affine2d: compose, invert and apply agree with 3×3 homogeneous products', () => {
  for (let trial = 0; trial < 50; trial++) {
    const A = affine2d(...Array.from({ length: 6 }, () => gaussian(r) * 3) as [number, number, number, number, number, number]);
    const B = affine2d(...Array.from({ length: 6 }, () => gaussian(r) * 3) as [number, number, number, number, number, number]);
    const H = (t: Float64Array) => [t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, 0, 0, 1];
    const AB = matmul(H(A), H(B), 3, 3, 3);
    const C = affineCompose(A, B);
    for (let i = 0; i < 6; i++) close(C[i]!, AB[i]!, 1e-9);
    const pts = Array.from({ length: 10 }, () => gaussian(r) * 100);
    const viaC = affineApply(C, pts);
    const viaAB = affineApply(A, affineApply(B, pts));
    for (let i = 0; i < 10; i++) close(viaC[i]!, viaAB[i]!, 1e-7);
    const back = affineApply(affineInvert(A), affineApply(A, pts));
    for (let i = 0; i < 10; i++) close(back[i]!, pts[i]!, 1e-7 * (1 + Math.abs(pts[i]!)));
    const I = affineCompose(affineInvert(A), A);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => close(I[i]!, v, 1e-9));
  }
  // stride 3 leaves z untouched
  const xyz = affineApply(affine2d(2, 0, 1, 0, 2, -1), [1, 2, 7], 3);
  assert.deepEqual([...xyz], [3, 3, 7]);
  close(affineScale(affine2d(0, -3, 5, 3, 0, 1)), 3, 1e-12);
  assert.throws(() => affineInvert(affine2d(1, 2, 0, 2, 4, 0)), /not invertible/);
});

test('svd3: reconstructs random and rank-deficient matrices with orthogonal factors', () => {
  const cases: number[][] = [];
  for (let i = 0; i < 200; i++) cases.push(Array.from({ length: 9 }, () => gaussian(r)));
  cases.push([1, 2, 3, 2, 4, 6, 3, 6, 9]); // rank 1
  cases.push([1, 0, 0, 0, 1, 0, 0, 0, 0]); // rank 2
  cases.push([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  cases.push([1, 0, 0, 0, -1, 0, 0, 0, 1]);
  for (const A of cases) {
    const { U, S, V } = svd3(A);
    const US = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => U[i]! * S[i % 3]!);
    const Vt = [0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => V[i]!);
    const back = matmul(US, Vt, 3, 3, 3);
    for (let i = 0; i < 9; i++) close(back[i]!, A[i]!, 1e-10, 'U S Vt');
    for (const M of [U, V]) {
      const Mt = [0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => M[i]!);
      const I = matmul(Mt, M, 3, 3, 3);
      for (let i = 0; i < 9; i++) close(I[i]!, i % 4 === 0 ? 1 : 0, 1e-10, 'orthogonal');
    }
    assert.ok(S[0]! >= S[1]! && S[1]! >= S[2]! && S[2]! >= 0);
  }
});

function randomPoints(n: number, spread = 50): number[] {
  return Array.from({ length: 3 * n }, () => gaussian(r) * spread);
}

test('umeyama: exact recovery of a known similarity, rigid mode, reflections refused', () => {
  for (let trial = 0; trial < 30; trial++) {
    const src = randomPoints(20);
    const R = randomRotation(r);
    const s = 0.2 + r() * 5;
    const t = [gaussian(r) * 100, gaussian(r) * 100, gaussian(r) * 100];
    const dst = applySimilarity3d({ scale: s, rotation: Float64Array.from(R), translation: Float64Array.from(t) }, src);
    const fit = umeyama(src, dst);
    close(fit.scale, s, 1e-9 * s);
    for (let i = 0; i < 9; i++) close(fit.rotation[i]!, R[i]!, 1e-9);
    for (let i = 0; i < 3; i++) close(fit.translation[i]!, t[i]!, 1e-7);
    const rigid = umeyama(src, applySimilarity3d({ scale: 1, rotation: Float64Array.from(R), translation: Float64Array.from(t) }, src), { withScale: false });
    assert.equal(rigid.scale, 1);
    for (let i = 0; i < 9; i++) close(rigid.rotation[i]!, R[i]!, 1e-9);
  }
  // Mirror image: the best proper rotation, never a reflection.
  const src = randomPoints(30);
  const mirrored = src.map((v, i) => (i % 3 === 0 ? -v : v));
  const fit = umeyama(src, mirrored);
  close(det3(fit.rotation), 1, 1e-12);
  assert.throws(() => umeyama([1, 2, 3], [1, 2]), /equal, non-empty n×3/);
});

test('umeyama with noise: matches Horn quaternion method and is a local minimum', () => {
  const cost = (sc: number, R: ArrayLike<number>, t: ArrayLike<number>, src: ArrayLike<number>, dst: ArrayLike<number>) => {
    const y = applySimilarity3d({ scale: sc, rotation: Float64Array.from(R), translation: Float64Array.from(t) }, src);
    let c = 0;
    for (let i = 0; i < y.length; i++) c += (y[i]! - dst[i]!) ** 2;
    return c;
  };
  for (let trial = 0; trial < 20; trial++) {
    const src = randomPoints(15);
    const R = randomRotation(r);
    const dst = applySimilarity3d({ scale: 1.7, rotation: Float64Array.from(R), translation: Float64Array.of(5, -3, 2) }, src).map((v) => v + gaussian(r) * 10);
    const fit = umeyama(src, dst);
    const horn = hornSimilarity(src, dst);
    close(fit.scale, horn.s, 1e-9);
    for (let i = 0; i < 9; i++) close(fit.rotation[i]!, horn.R[i]!, 1e-8);
    for (let i = 0; i < 3; i++) close(fit.translation[i]!, horn.t[i]!, 1e-6);
    const best = cost(fit.scale, fit.rotation, fit.translation, src, dst);
    for (let k = 0; k < 20; k++) {
      const q = [1, gaussian(r) * 0.01, gaussian(r) * 0.01, gaussian(r) * 0.01];
      const dR = quatToRotation(q.map((v) => v / Math.hypot(...q))); // small random rotation
      const R2 = matmul(dR, fit.rotation, 3, 3, 3);
      const s2 = fit.scale * (1 + gaussian(r) * 0.01);
      const t2 = [...fit.translation].map((v) => v + gaussian(r) * 0.1);
      assert.ok(cost(s2, R2, t2, src, dst) >= best - 1e-9);
    }
  }
});

test('estimateAffineCamera and affineCameraToSRt recover a known camera', () => {
  const X = randomPoints(40);
  const P = Array.from({ length: 12 }, () => gaussian(r) * 2);
  const Y: number[] = [];
  for (let i = 0; i < 40; i++) for (let row = 0; row < 3; row++) {
    Y.push(P[4 * row]! * X[3 * i]! + P[4 * row + 1]! * X[3 * i + 1]! + P[4 * row + 2]! * X[3 * i + 2]! + P[4 * row + 3]!);
  }
  const Pfit = estimateAffineCamera(X, Y);
  for (let i = 0; i < 12; i++) close(Pfit[i]!, P[i]!, 1e-9);
  // A scaled rotation decomposes exactly.
  const R = randomRotation(r);
  const Psr = [...R.slice(0, 3).map((v) => 2.5 * v), 7, ...R.slice(3, 6).map((v) => 2.5 * v), -4, ...R.slice(6).map((v) => 2.5 * v), 1];
  const { scale, rotation, translation } = affineCameraToSRt(Psr);
  close(scale, 2.5, 1e-12);
  for (let i = 0; i < 9; i++) close(rotation[i]!, R[i]!, 1e-12);
  assert.deepEqual([...translation], [7, -4, 1]);
  assert.throws(() => estimateAffineCamera([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0], [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]), /coplanar/);
});

test('rotationToEuler: official matrix2angle formulas, round trip, gimbal lock', () => {
  for (let i = 0; i < 500; i++) {
    const e = { yaw: (r() - 0.5) * 178, pitch: (r() - 0.5) * 358, roll: (r() - 0.5) * 358 };
    const R = eulerToRotation(e);
    close(det3(R), 1, 1e-12);
    // official matrix2angle, literally (radians → degrees)
    const x = Math.asin(R[6]!);
    const y = Math.atan2(R[7]! / Math.cos(x), R[8]! / Math.cos(x));
    const z = Math.atan2(R[3]! / Math.cos(x), R[0]! / Math.cos(x));
    const got = rotationToEuler(R);
    close(got.yaw, (x * 180) / Math.PI, 1e-9);
    close(got.pitch, (y * 180) / Math.PI, 1e-9);
    close(got.roll, (z * 180) / Math.PI, 1e-9);
    close(got.yaw, e.yaw, 1e-8);
    close(got.pitch, e.pitch, 1e-8);
    close(got.roll, e.roll, 1e-8);
  }
  // A pure rotation about the vertical (y) axis by +θ is yaw −θ (official sign).
  const t = 0.3;
  const Ry = [Math.cos(t), 0, Math.sin(t), 0, 1, 0, -Math.sin(t), 0, Math.cos(t)];
  const e = rotationToEuler(Ry);
  close(e.yaw, (-t * 180) / Math.PI, 1e-12);
  close(e.pitch, 0, 1e-12);
  close(e.roll, 0, 1e-12);
  // Gimbal lock: still a decomposition that reproduces R.
  for (const yaw of [90, -90]) {
    const lock = eulerToRotation({ yaw, pitch: 25, roll: 10 });
    const got = rotationToEuler(lock);
    assert.equal(got.roll, 0);
    const back = eulerToRotation(got);
    for (let i = 0; i < 9; i++) close(back[i]!, lock[i]!, 1e-6);
  }
});

test('estimatePose: canonical face rotated, scaled, translated → exact pose', () => {
  const uv = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/canonical_vertices.npy', import.meta.url));
  const canonical = Float32Array.from(readNpy(new Uint8Array(readFileSync(uv))).data as Float64Array);
  for (const e of [{ yaw: 35, pitch: -12, roll: 8 }, { yaw: -70, pitch: 20, roll: -15 }, { yaw: 0, pitch: 0, roll: 0 }]) {
    const R = eulerToRotation(e);
    const t = Float64Array.of(120, 80, -30);
    const vertices = Float32Array.from(applySimilarity3d({ scale: 0.8, rotation: R, translation: t }, canonical));
    for (const method of ['similarity', 'affine'] as const) {
      const p = estimatePose(vertices, canonical, { method });
      // float32 vertices limit the precision to ~1e-5 of their magnitude
      close(p.yaw, e.yaw, 1e-4, `${method} yaw`);
      close(p.pitch, e.pitch, 1e-4, `${method} pitch`);
      close(p.roll, e.roll, 1e-4, `${method} roll`);
      close(p.scale, 0.8, 1e-6, method);
      for (let i = 0; i < 9; i++) close(p.rotation[i]!, R[i]!, 1e-6);
      for (let i = 0; i < 3; i++) close(p.translation[i]!, t[i]!, 1e-3);
      for (let row = 0; row < 3; row++) close(p.cameraMatrix[4 * row + 3]!, t[row]!, 1e-3);
    }
  }
  // float64 input: 1e-6 agreement in degrees as asked
  const c64 = Float64Array.from(canonical);
  const R = eulerToRotation({ yaw: 41, pitch: 13, roll: -22 });
  const v64 = applySimilarity3d({ scale: 1.3, rotation: R, translation: Float64Array.of(1, 2, 3) }, c64);
  const p = estimatePose(v64, c64);
  close(p.yaw, 41, 1e-6);
  close(p.pitch, 13, 1e-6);
  close(p.roll, -22, 1e-6);
});
