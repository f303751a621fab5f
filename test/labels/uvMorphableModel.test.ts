import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { thinPlateSplineEvaluate, thinPlateSplineFit } from '../../src/uv/thinPlateSpline.js';
import { meshPointUv } from '../../src/uv/meshPointUv.js';
import { uvMorphableModel } from '../../src/labels/uvMorphableModel.js';
import { loadBfmPieces } from '../../src/node/train/labels/bfmPieces.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

test('thin-plate spline interpolates its centres exactly and reproduces affine functions everywhere', () => {
  const r = rng(5);
  const n = 60;
  const centers = Float64Array.from({ length: n * 2 }, () => r() * 100);
  const values = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    values[i * 2] = Math.sin(centers[i * 2]! / 17) + r(); // arbitrary
    values[i * 2 + 1] = 3 - 0.5 * centers[i * 2]! + 2 * centers[i * 2 + 1]!; // affine
  }
  const tps = thinPlateSplineFit(centers, values, 2);
  const atCenters = thinPlateSplineEvaluate(tps, centers);
  for (let i = 0; i < n * 2; i++) assert.ok(Math.abs(atCenters[i]! - values[i]!) < 1e-7 * (1 + Math.abs(values[i]!)), `centre value ${i}`);
  const probe = Float64Array.from({ length: 40 }, () => r() * 140 - 20);
  const at = thinPlateSplineEvaluate(tps, probe);
  for (let p = 0; p < 20; p++) {
    const want = 3 - 0.5 * probe[p * 2]! + 2 * probe[p * 2 + 1]!;
    assert.ok(Math.abs(at[p * 2 + 1]! - want) < 1e-6 * (1 + Math.abs(want)), `affine channel at probe ${p}: ${at[p * 2 + 1]} vs ${want}`);
  }
  assert.throws(() => thinPlateSplineFit(Float64Array.of(0, 0, 0, 0, 1, 1, 2, 2), new Float64Array(4), 1), /singular/);
});

test('meshPointUv puts points on a known plane mesh at their own UV', () => {
  // A 2×2 quad in z = 0 with UV = xy / 2; points above the surface project straight down.
  const vertices = Float64Array.of(0, 0, 0, 2, 0, 0, 0, 2, 0, 2, 2, 0);
  const uv = Float64Array.of(0, 0, 1, 0, 0, 1, 1, 1);
  const tri = Uint32Array.of(0, 1, 2, 1, 3, 2);
  const pts = Float64Array.of(0.5, 0.4, 0.3, 1.5, 1.2, -0.2, 3, 1, 0);
  const { uv: got, distance } = meshPointUv(pts, vertices, tri, uv, { candidateVertices: 4 });
  assert.deepEqual(Array.from(got).map((v) => +v.toFixed(9)), [0.25, 0.2, 0.75, 0.6, 1, 0.5]);
  assert.deepEqual(Array.from(distance).map((v) => +v.toFixed(9)), [0.3, 0.2, 1]);
});

test('UV morphable model: exact at the 68 landmark pixels, which are PRNet\'s uv_kpt_ind; shape basis holds at left-out sample points', async () => {
  const pieces = await loadBfmPieces(`${shared}3ddfa`);
  // Every 2nd sample point keeps the test faster; the full model is measured in bench/teacherLabels.ts model.
  const { model, report } = uvMorphableModel(pieces, { sampleStride: 2, holdOutEvery: 5 });
  const assets = await loadUvAssets({ dataDir: `${shared}prnet-data/uv-data`, download: false });
  assert.deepEqual(Array.from(model.landmarkPixels), Array.from(assets.keypointIndices));
  const P = model.size * model.size;
  for (let j = 0; j < 68; j++) {
    const p = model.landmarkPixels[j]!;
    for (let c = 0; c < 3; c++) {
      const sign = c === 1 ? -1 : 1;
      assert.equal(model.mean[p * 3 + c], sign * pieces.landmarkMean[j * 3 + c]!);
      for (let k = 0; k < 40; k++) assert.ok(Math.abs(model.basis[k * P * 3 + p * 3 + c]! - sign * pieces.landmarkShapeBasis[(j * 3 + c) * 40 + k]!) < 1e-9);
      for (let k = 0; k < 10; k++) assert.ok(Math.abs(model.basis[(40 + k) * P * 3 + p * 3 + c]! - sign * pieces.landmarkExpressionBasis[(j * 3 + c) * 10 + k]!) < 1e-6);
    }
  }
  // The rasterised mean passes near the dense vertices it interpolates: a vertex's UV pixel holds about its position.
  // (The pixels beside a landmark pixel are rasterised, not overwritten; mesh edges are ≈ 1,300 units, a pixel ≈ 850.)
  for (const j of [36, 48, 8]) {
    const v = pieces.landmarkVertices[j]!;
    const u = Math.round(pieces.uv[v * 2]! * 255), w = Math.round(255 - pieces.uv[v * 2 + 1]! * 255);
    const near = Math.min(...[[1, 0], [-1, 0], [0, 1], [0, -1]].map(([du, dw]) => {
      const q = ((w + dw!) * 256 + u + du!) * 3;
      return Math.hypot(model.mean[q]! - pieces.denseMean[v * 3]!, model.mean[q + 1]! + pieces.denseMean[v * 3 + 1]!, model.mean[q + 2]! - pieces.denseMean[v * 3 + 2]!);
    }));
    assert.ok(near < 1300, `mean beside landmark ${j}: ${near.toFixed(0)} units from the vertex`);
  }
  assert.ok(report.samplesHeldOut > 60, `${report.samplesHeldOut} held out`);
  const rel = report.heldOutRmsError / report.heldOutRmsValue;
  assert.ok(rel < 0.05, `held-out shape basis error ${(rel * 100).toFixed(2)} % of its RMS`);
  // Expression: zero at the anchor grid far from every landmark (ears, forehead top), as large as the landmark bases near them.
  let maxAtLandmarks = 0, maxFar = 0, far = 0;
  for (let k = 0; k < 10; k++) for (let j = 0; j < 68; j++) {
    const p = model.landmarkPixels[j]!;
    maxAtLandmarks = Math.max(maxAtLandmarks, Math.hypot(...[0, 1, 2].map((c) => model.basis[(40 + k) * P * 3 + p * 3 + c]!)));
  }
  for (let y = 0; y < 256; y += 8) for (let x = 0; x < 256; x += 8) {
    if (!assets.faceMask[y * 256 + x]) continue;
    let d = Infinity;
    for (let j = 0; j < 68; j++) d = Math.min(d, Math.hypot(x - (model.landmarkPixels[j]! % 256), y - Math.floor(model.landmarkPixels[j]! / 256)));
    if (d < 48) continue;
    far++;
    for (let k = 0; k < 10; k++) maxFar = Math.max(maxFar, Math.hypot(...[0, 1, 2].map((c) => model.basis[(40 + k) * P * 3 + (y * 256 + x) * 3 + c]!)));
  }
  assert.ok(far > 10, `${far} anchor points in the face mask`);
  assert.ok(maxFar < 1e-6 * maxAtLandmarks, `expression at the anchors ${maxFar} vs ${maxAtLandmarks} at the landmarks`);
});
