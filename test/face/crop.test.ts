import test from 'node:test';
import assert from 'node:assert/strict';
import { cropTransform, BOX_CROP_FACTOR, DLIB_CROP_FACTOR, DLIB_CENTER_SHIFT } from '../../src/face/cropTransform.js';
import { warpImage, restorePositionMap } from '../../src/face/warpImage.js';
import { affine2d, affineCompose } from '../../src/geometry/affine2d.js';
import { rgbImage } from '../../src/io/rgbImage.js';
import { rng, gaussian, jacobiEigen } from '../geometry/reference.js';

const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);
const r = rng(5);

/** skimage SimilarityTransform least squares: x' = a x − b y + tx, y' = b x + a y + ty, by normal equations. */
function fitSimilarity2d(src: number[][], dst: number[][]): number[] {
  const rows: number[][] = [];
  const rhs: number[] = [];
  src.forEach(([x, y], i) => {
    rows.push([x!, -y!, 1, 0]);
    rhs.push(dst[i]![0]!);
    rows.push([y!, x!, 0, 1]);
    rhs.push(dst[i]![1]!);
  });
  const AtA = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => rows.reduce((s, row) => s + row[i]! * row[j]!, 0)));
  const Atb = [0, 1, 2, 3].map((i) => rows.reduce((s, row, k) => s + row[i]! * rhs[k]!, 0));
  // Solve via eigen-decomposition (AtA symmetric positive definite).
  const { values, vectors } = jacobiEigen(AtA);
  const p = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    const coef = vectors.reduce((s, row, i) => s + row[k]! * Atb[i]!, 0) / values[k]!;
    for (let i = 0; i < 4; i++) p[i]! += coef * vectors[i]![k]!;
  }
  const [a, b, tx, ty] = p as [number, number, number, number];
  return [a, -b, tx, b, a, ty];
}

test('crop constants are the official ones', () => {
  assert.equal(BOX_CROP_FACTOR, 1.6);
  assert.equal(DLIB_CROP_FACTOR, 1.58);
  assert.equal(DLIB_CENTER_SHIFT, 0.14);
});

test('cropTransform equals the least-squares similarity of the official three corner points', () => {
  for (let t = 0; t < 50; t++) {
    const c: [number, number] = [r() * 1000, r() * 800];
    const size = 20 + r() * 600;
    const res = [256, 128, 120][t % 3]!;
    const src = [[c[0] - size / 2, c[1] - size / 2], [c[0] - size / 2, c[1] + size / 2], [c[0] + size / 2, c[1] - size / 2]];
    const dst = [[0, 0], [0, res - 1], [res - 1, 0]];
    const ref = fitSimilarity2d(src, dst);
    const T = cropTransform(c, size, res);
    for (let i = 0; i < 6; i++) close(T[i]!, ref[i]!, 1e-6 * (1 + Math.abs(ref[i]!)), `coef ${i}`);
  }
  assert.throws(() => cropTransform([0, 0], 0, 256), /positive size/);
  assert.throws(() => cropTransform([NaN, 0], 10, 256), /finite centre/);
});

/** Naive float64 bilinear sampling, written like skimage's `bilinear_interpolation` with constant 0. */
function refWarp(img: { width: number; height: number; data: Uint8Array }, T: number[], out: number): Float64Array {
  // Invert the 3×3 homogeneous matrix by Gauss-Jordan elimination.
  const M = [[T[0]!, T[1]!, T[2]!, 1, 0, 0], [T[3]!, T[4]!, T[5]!, 0, 1, 0], [0, 0, 1, 0, 0, 1]];
  for (let col = 0; col < 3; col++) {
    let piv = col;
    for (let row = col + 1; row < 3; row++) if (Math.abs(M[row]![col]!) > Math.abs(M[piv]![col]!)) piv = row;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    const d = M[col]![col]!;
    M[col] = M[col]!.map((v) => v / d);
    for (let row = 0; row < 3; row++) if (row !== col) {
      const f = M[row]![col]!;
      M[row] = M[row]!.map((v, k) => v - f * M[col]![k]!);
    }
  }
  const inv = M.map((row) => row.slice(3));
  const px = (rr: number, cc: number, ch: number) =>
    rr < 0 || cc < 0 || rr >= img.height || cc >= img.width ? 0 : img.data[(rr * img.width + cc) * 3 + ch]! / 255;
  const res = new Float64Array(out * out * 3);
  for (let y = 0; y < out; y++) for (let x = 0; x < out; x++) {
    const c = inv[0]![0]! * x + inv[0]![1]! * y + inv[0]![2]!;
    const rr = inv[1]![0]! * x + inv[1]![1]! * y + inv[1]![2]!;
    const minr = Math.floor(rr), minc = Math.floor(c), maxr = Math.ceil(rr), maxc = Math.ceil(c);
    const dr = rr - minr, dc = c - minc;
    for (let ch = 0; ch < 3; ch++) {
      const top = (1 - dc) * px(minr, minc, ch) + dc * px(minr, maxc, ch);
      const bottom = (1 - dc) * px(maxr, minc, ch) + dc * px(maxr, maxc, ch);
      res[(y * out + x) * 3 + ch] = (1 - dr) * top + dr * bottom;
    }
  }
  return res;
}

/** Linear map (a b; c d) about the point (cx, cy), plus a small random shift. */
function aboutCenter(a: number, b: number, c: number, d: number, cx: number, cy: number) {
  return affine2d(a, b, cx - a * cx - b * cy + gaussian(r) * 3, c, d, cy - c * cx - d * cy + gaussian(r) * 3);
}

test('warpImage matches a naive bilinear reference on random images and transforms', () => {
  for (let t = 0; t < 12; t++) {
    const w = 20 + Math.floor(r() * 40), h = 20 + Math.floor(r() * 40);
    const img = rgbImage(w, h, Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256)));
    const out = 32;
    // a crop (axis aligned) for even t, a rotated and sheared affine map for odd t; some reach outside the image
    const T = t % 2 === 0
      ? cropTransform([r() * w, r() * h], 10 + r() * 50, out)
      : affineCompose(cropTransform([w / 2, h / 2], 30, out), aboutCenter(Math.cos(t), -Math.sin(t) * 1.1, Math.sin(t), Math.cos(t), w / 2, h / 2));
    const got = warpImage(img, T, out);
    const ref = refWarp(img, [...T], out);
    let maxErr = 0;
    let nonZero = 0;
    for (let i = 0; i < ref.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i]! - ref[i]!));
      if (ref[i]! > 0) nonZero++;
    }
    assert.ok(maxErr < 1e-5, `trial ${t}: max error ${maxErr}`);
    assert.ok(nonZero > 0, 'the crop sees part of the image');
  }
});

test('warpImage: identity map reproduces the image exactly; buffer output', () => {
  const img = rgbImage(8, 8, Uint8Array.from({ length: 192 }, () => Math.floor(r() * 256)));
  const got = warpImage(img, affine2d(), 8);
  for (let i = 0; i < 192; i++) close(got[i]!, img.data[i]! / 255, 1e-7);
  // half-pixel shift averages neighbours; left column blends with the 0 outside
  const half = warpImage(img, affine2d(1, 0, 0.5, 0, 1, 0), 8);
  close(half[0]!, 0.5 * (img.data[0]! / 255), 1e-6);
  close(half[3]!, 0.5 * (img.data[0]! + img.data[3]!) / 255, 1e-6);
  const batch = new Float32Array(2 * 192);
  warpImage(img, affine2d(), 8, batch.subarray(192));
  for (let i = 0; i < 192; i++) assert.equal(batch[192 + i], got[i]);
  assert.equal(batch[0], 0);
});

test('restorePositionMap inverts the crop map (x, y) and divides z by its scale', () => {
  for (let t = 0; t < 10; t++) {
    const center: [number, number] = [r() * 500, r() * 500];
    const size = 50 + r() * 400;
    const T = cropTransform(center, size, 256);
    const k = 100;
    const imagePts = Array.from({ length: k * 3 }, () => gaussian(r) * 200);
    // forward: image → crop with z scaled like x/y (what the network predicts)
    const s = 255 / size;
    const crop = new Float32Array(k * 3);
    for (let i = 0; i < k; i++) {
      const [x, y, z] = [imagePts[3 * i]!, imagePts[3 * i + 1]!, imagePts[3 * i + 2]!];
      crop[3 * i] = s * (x - center[0] + size / 2);
      crop[3 * i + 1] = s * (y - center[1] + size / 2);
      crop[3 * i + 2] = s * z;
    }
    const back = restorePositionMap(crop, T);
    for (let i = 0; i < k * 3; i++) close(back[i]!, imagePts[i]!, 1e-3 * (1 + Math.abs(imagePts[i]!)) * 0.01 + 1e-3);
  }
  assert.throws(() => restorePositionMap(new Float32Array(4), cropTransform([0, 0], 10, 256)), /multiple of 3/);
});
