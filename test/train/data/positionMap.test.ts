import test from 'node:test';
import assert from 'node:assert/strict';
import { POSITION_MAP_SCALE } from '../../../src/model/resfcn.js';
import { canonicalPositionMap } from '../../../src/labels/aflwMeanFace/canonicalPositionMap.js';
import { cropMatrix, type CropSquare } from '../../../src/train/data/cropSquare.js';
import { affineInvert } from '../../../src/geometry/affine2d.js';
import type { FittedPose } from '../../../src/labels/aflwMeanFace/fitPose.js';
import { positionMapTarget } from '../../../src/train/data/positionMapTarget.js';
import { warpCropImage } from '../../../src/train/data/warpCropImage.js';
import { aflw21Deformation } from '../../../src/labels/aflwMeanFace/aflw21Deformation.js';
import { DEFORMATION_SHAPES } from '../../../src/labels/aflwMeanFace/deformationBasis.js';
import { createTrainRandom } from '../../../src/train/loop/trainRandom.js';
import { eulerRotation, testAssets } from './support.js';

/**
 * Naive float64 reference of the official generator for one UV pixel: pose the vertex, map
 * it into the 256 crop by the explicit steps (corners → 0 and 255), z scaled and shifted.
 */
function referenceMap(canon: Float64Array, face: Uint32Array, pose: FittedPose, sq: CropSquare, basisMap?: Float64Array): Float64Array {
  const N = 256;
  const k = 255 / sq.size;
  const c = Math.cos(sq.angle), s = Math.sin(sq.angle);
  const posed = new Float64Array(N * N * 3);
  for (let p = 0; p < N * N; p++) {
    let X0 = canon[p * 3]!, X1 = canon[p * 3 + 1]!, X2 = canon[p * 3 + 2]!;
    for (let q = 0; q < pose.deformation.length; q++) {
      const b = q * N * N * 3 + p * 3, a = pose.deformation[q]!;
      X0 += a * basisMap![b]!; X1 += a * basisMap![b + 1]!; X2 += a * basisMap![b + 2]!;
    }
    const R = pose.rotation;
    const ix = pose.scale * (R[0]! * X0 + R[1]! * X1 + R[2]! * X2) + pose.translation[0];
    const iy = pose.scale * (R[3]! * X0 + R[4]! * X1 + R[5]! * X2) + pose.translation[1];
    const iz = pose.scale * (R[6]! * X0 + R[7]! * X1 + R[8]! * X2);
    const dx = ix - sq.center[0], dy = iy - sq.center[1];
    let qx = k * (c * dx - s * dy) + 127.5;
    const qy = k * (s * dx + c * dy) + 127.5;
    if (sq.flip) qx = 255 - qx;
    posed[p * 3] = qx; posed[p * 3 + 1] = qy; posed[p * 3 + 2] = k * iz;
  }
  let zmin = Infinity;
  for (const f of face) zmin = Math.min(zmin, posed[f * 3 + 2]!);
  const out = new Float64Array(N * N * 3);
  for (let v = 0; v < N; v++) for (let u = 0; u < N; u++) {
    const src = (v * N + (sq.flip ? 255 - u : u)) * 3, dst = (v * N + u) * 3;
    out[dst] = posed[src]! / POSITION_MAP_SCALE;
    out[dst + 1] = posed[src + 1]! / POSITION_MAP_SCALE;
    out[dst + 2] = (posed[src + 2]! - zmin) / POSITION_MAP_SCALE;
  }
  return out;
}

test('positionMapTarget equals a naive reference of the official generator (random poses, rotation, flip, deformation, S = 256 and 128)', async () => {
  const assets = await testAssets();
  const canon = canonicalPositionMap(assets, { sweeps: 20 });
  const basisMap = aflw21Deformation(canon, DEFORMATION_SHAPES).map; // all 3 shapes: the code is generic
  const rng = createTrainRandom(21);
  for (let trial = 0; trial < 4; trial++) {
    const pose: FittedPose = {
      rotation: eulerRotation((rng() - 0.5) * 150, (rng() - 0.5) * 50, (rng() - 0.5) * 60),
      scale: 0.6 + rng(), translation: [150 + rng() * 150, 150 + rng() * 150],
      deformation: trial % 2 ? Float64Array.from([rng() * 0.2 - 0.1, rng() * 0.2 - 0.1, rng() * 0.2 - 0.1]) : new Float64Array(0), rmse: 0,
    };
    const sq: CropSquare = { center: [200 + rng() * 50, 210 + rng() * 50], size: 200 + rng() * 150, angle: (rng() - 0.5) * 1.5, flip: trial >= 2 };
    const ref = referenceMap(canon, assets.faceIndices, pose, sq, basisMap);
    const got = positionMapTarget(canon, pose, sq, { side: 256, faceIndices: assets.faceIndices, basisMap });
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
    assert.ok(err < 2e-6, `trial ${trial}: max diff ${err}`);
    if (!sq.flip) {
      // The minimum z over the face pixels is 0 (a flip permutes pixels, so only without it).
      let zmin = Infinity;
      for (const f of assets.faceIndices) zmin = Math.min(zmin, got[f * 3 + 2]!);
      assert.ok(Math.abs(zmin) < 1e-6, `min z ${zmin}`);
    }
    // 128: 2×2 means of the 256 map.
    const small = positionMapTarget(canon, pose, sq, { side: 128, faceIndices: assets.faceIndices, basisMap });
    for (const [u, v] of [[0, 0], [64, 30], [127, 127], [50, 99]] as const) {
      for (let ch = 0; ch < 3; ch++) {
        const m = (ref[((2 * v) * 256 + 2 * u) * 3 + ch]! + ref[((2 * v) * 256 + 2 * u + 1) * 3 + ch]! + ref[((2 * v + 1) * 256 + 2 * u) * 3 + ch]! + ref[((2 * v + 1) * 256 + 2 * u + 1) * 3 + ch]!) / 4;
        assert.ok(Math.abs(small[(v * 128 + u) * 3 + ch]! - m) < 2e-6, `128 map (${u},${v},${ch}): ${small[(v * 128 + u) * 3 + ch]} vs ${m}`);
      }
    }
    // The same pose under another crop (as augmentation gives it each epoch): the depth floor
    // found for the pose the first time scales with the crop, mirrored or not.
    const other: CropSquare = { ...sq, size: sq.size * (0.6 + rng() * 0.8), angle: -sq.angle, flip: !sq.flip };
    const ref2 = referenceMap(canon, assets.faceIndices, pose, other, basisMap);
    const got2 = positionMapTarget(canon, pose, other, { side: 256, faceIndices: assets.faceIndices, basisMap });
    let err2 = 0;
    for (let i = 0; i < ref2.length; i++) err2 = Math.max(err2, Math.abs(ref2[i]! - got2[i]!));
    assert.ok(err2 < 2e-6, `trial ${trial}, second crop: max diff ${err2}`);
  }
  // A pose with a negative scale (a mirrored fit) takes the other extreme: z still starts at 0.
  const mirrored: FittedPose = { rotation: eulerRotation(20, 5, -10), scale: -0.9, translation: [200, 210], deformation: new Float64Array(0), rmse: 0 };
  const sq: CropSquare = { center: [200, 210], size: 260, angle: 0.2, flip: false };
  const ref = referenceMap(canon, assets.faceIndices, mirrored, sq);
  const got = positionMapTarget(canon, mirrored, sq, { side: 256, faceIndices: assets.faceIndices });
  let err = 0;
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
  assert.ok(err < 2e-6, `negative scale: max diff ${err}`);
});

test('canonicalPositionMap keeps the face pixels and fills the rest harmonically', async () => {
  const assets = await testAssets();
  const canon = canonicalPositionMap(assets);
  for (let i = 0; i < assets.faceIndices.length; i += 997) {
    for (let c = 0; c < 3; c++) assert.equal(canon[assets.faceIndices[i]! * 3 + c], assets.canonicalVertices[i * 3 + c]);
  }
  const face = new Uint8Array(65536);
  for (const f of assets.faceIndices) face[f] = 1;
  // Interior non-face pixels: value ≈ mean of the 4 neighbours (discrete Laplace = 0).
  let worst = 0, checked = 0;
  for (let p = 257; p < 65536 - 257; p += 7) {
    const x = p % 256;
    if (face[p] || x === 0 || x === 255) continue;
    for (let c = 0; c < 3; c++) {
      const avg = (canon[(p - 1) * 3 + c]! + canon[(p + 1) * 3 + c]! + canon[(p - 256) * 3 + c]! + canon[(p + 256) * 3 + c]!) / 4;
      worst = Math.max(worst, Math.abs(canon[p * 3 + c]! - avg));
    }
    checked++;
  }
  assert.ok(checked > 1000);
  assert.ok(worst < 0.05, `Laplace residual ${worst} (canonical units, face ≈ 200 wide)`);
});

test('cropMatrix maps the square corners to pixel centres 0 and S − 1; flip and inverse agree', () => {
  const sq: CropSquare = { center: [100, 80], size: 50, angle: 0, flip: false };
  const m = cropMatrix(sq, 128);
  const ap = (x: number, y: number) => [m[0]! * x + m[1]! * y + m[2]!, m[3]! * x + m[4]! * y + m[5]!];
  assert.deepEqual(ap(75, 55).map((v) => Math.round(v * 1e9) / 1e9), [0, 0]);
  assert.deepEqual(ap(125, 105).map((v) => Math.round(v * 1e9) / 1e9), [127, 127]);
  const f = cropMatrix({ ...sq, flip: true }, 128);
  assert.ok(Math.abs(f[0]! * 75 + f[1]! * 55 + f[2]! - 127) < 1e-9);
  const inv = affineInvert(cropMatrix({ ...sq, angle: 0.7, flip: true }, 256));
  const fwd = cropMatrix({ ...sq, angle: 0.7, flip: true }, 256);
  const x = 31.5, y = 200.25;
  const ix = inv[0]! * x + inv[1]! * y + inv[2]!, iy = inv[3]! * x + inv[4]! * y + inv[5]!;
  assert.ok(Math.abs(fwd[0]! * ix + fwd[1]! * iy + fwd[2]! - x) < 1e-9 && Math.abs(fwd[3]! * ix + fwd[4]! * iy + fwd[5]! - y) < 1e-9);
});

test('warpCropImage matches a naive bilinear reference with black outside (random image and affine)', () => {
  const rng = createTrainRandom(8);
  const W = 17, H = 13;
  const src = Uint8Array.from({ length: W * H * 3 }, () => Math.floor(rng() * 256));
  const A = [0.9 + rng() * 0.3, rng() * 0.4 - 0.2, -3 + rng(), rng() * 0.4 - 0.2, 0.8 + rng() * 0.3, -2 + rng()];
  const side = 24;
  const color = [0.7, 1.3, 1.0] as const;
  const got = warpCropImage(src, W, H, A, { side, colorScale: color });
  const px = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= W || y >= H ? 0 : src[(y * W + x) * 3 + c]!);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const sx = A[0]! * x + A[1]! * y + A[2]!, sy = A[3]! * x + A[4]! * y + A[5]!;
    const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
    for (let c = 0; c < 3; c++) {
      const v = (1 - fy) * ((1 - fx) * px(x0, y0, c) + fx * px(x0 + 1, y0, c)) + fy * ((1 - fx) * px(x0, y0 + 1, c) + fx * px(x0 + 1, y0 + 1, c));
      const want = Math.min(1, (v / 255) * color[c]!);
      assert.ok(Math.abs(got[(y * side + x) * 3 + c]! - want) < 1e-5, `(${x},${y},${c}) ${got[(y * side + x) * 3 + c]} vs ${want}`);
    }
  }
});
