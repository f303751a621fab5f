/**
 * The 8-bit warp behind aligned face pictures and the plane similarity fit behind ArcFace's
 * alignment, against naive float64 references.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { warpRgb } from '../../src/geometry/warpRgb.js';
import { fitSimilarity2d } from '../../src/geometry/fitSimilarity2d.js';
import { affineApply } from '../../src/geometry/affine2d.js';
import { rng } from './reference.js';

const r = rng(21);

/** Naive bilinear sample of channel c: the four neighbours, `fetch` says what lies outside. */
function refSample(fetch: (x: number, y: number, c: number) => number, x: number, y: number, c: number): number {
  const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
  return (1 - fy) * ((1 - fx) * fetch(x0, y0, c) + fx * fetch(x0 + 1, y0, c)) + fy * ((1 - fx) * fetch(x0, y0 + 1, c) + fx * fetch(x0 + 1, y0 + 1, c));
}

/** A random picture and pixel fetchers for each border rule, written out by index (no folding formula). */
function picture(w: number, h: number) {
  const data = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256));
  const at = (x: number, y: number, c: number) => data[(y * w + x) * 3 + c]!;
  // Mirror about the edge pixels by walking: -1 → 1, w → w − 2, and so on.
  const mirror = (i: number, n: number) => { while (i < 0 || i > n - 1) i = i < 0 ? -i : 2 * (n - 1) - i; return i; };
  return {
    data,
    black: (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : at(x, y, c)),
    edge: (x: number, y: number, c: number) => at(Math.min(w - 1, Math.max(0, x)), Math.min(h - 1, Math.max(0, y)), c),
    reflect: (x: number, y: number, c: number) => at(mirror(x, w), mirror(y, h), c),
  };
}

test('warpRgb: each border rule equals the naive bilinear sample, rounded, over a map reaching past the picture', () => {
  const w = 13, h = 9;
  const p = picture(w, h);
  const a = Math.cos(0.7) * 0.8, b = -Math.sin(0.7) * 0.8;
  const A = [a, b, -3.3, -b, a, 2.1]; // shrinks nothing (scale 0.8): one sample per pixel
  for (const border of ['black', 'edge', 'reflect'] as const) {
    const out = warpRgb(p.data, w, h, A, 21, 17, { border });
    let worst = 0;
    for (let y = 0; y < 17; y++) for (let x = 0; x < 21; x++) for (let c = 0; c < 3; c++) {
      const sx = A[0]! * x + A[1]! * y + A[2]!, sy = A[3]! * x + A[4]! * y + A[5]!;
      // edge and reflect: the sample point itself is clamped or mirrored into the picture first.
      let ref: number;
      if (border === 'black') ref = refSample(p.black, sx, sy, c);
      else {
        const fold = (v: number, n: number) => {
          if (border === 'edge') return Math.min(n - 1, Math.max(0, v));
          while (v < 0 || v > n - 1) v = v < 0 ? -v : 2 * (n - 1) - v;
          return v;
        };
        ref = refSample(p.black, fold(sx, w), fold(sy, h), c);
      }
      // The walk and the warp's modulo fold agree to rounding, which can tip an exact .5.
      worst = Math.max(worst, Math.abs(out[(y * 21 + x) * 3 + c]! - ref));
    }
    assert.ok(worst <= 0.5 + 1e-9, `${border}: ${worst}`);
  }
  // Integer sample points past the edges read the mirrored or clamped pixels themselves.
  const shift = [1, 0, -4, 0, 1, -3];
  for (const border of ['edge', 'reflect'] as const) {
    const out = warpRgb(p.data, w, h, shift, w + 8, h + 6, { border });
    for (let y = 0; y < h + 6; y++) for (let x = 0; x < w + 8; x++) for (let c = 0; c < 3; c++) {
      assert.equal(out[(y * (w + 8) + x) * 3 + c], p[border](x - 4, y - 3, c), `${border} (${x - 4}, ${y - 3})`);
    }
  }
});

test('warpRgb: shrinking averages k×k bilinear samples over each output pixel (auto k = ⌈scale⌉), so a fine pattern does not alias', () => {
  const w = 40, h = 32;
  const p = picture(w, h);
  const s = 2.6; // source pixels per output pixel
  const A = [s * Math.cos(0.3), -s * Math.sin(0.3), 6, s * Math.sin(0.3), s * Math.cos(0.3), -1];
  const out = warpRgb(p.data, w, h, A, 11, 11);
  const k = 3;
  for (let y = 0; y < 11; y++) for (let x = 0; x < 11; x++) for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) {
      const ox = x - 0.5 + (i + 0.5) / k, oy = y - 0.5 + (j + 0.5) / k;
      sum += refSample(p.black, A[0]! * ox + A[1]! * oy + A[2]!, A[3]! * ox + A[4]! * oy + A[5]!, c);
    }
    assert.equal(out[(y * 11 + x) * 3 + c], Math.round(sum / (k * k)), `(${x}, ${y}, ${c})`);
  }
  // A one-pixel checkerboard shrunk 4×: plain bilinear sampling lands on one colour; the average is grey.
  const cw = 64;
  const checker = Uint8Array.from({ length: cw * cw * 3 }, (_, i) => (((Math.floor(i / 3) % cw) + Math.floor(i / 3 / cw)) % 2 ? 255 : 0));
  // Output pixel centres land on source pixel centres (4x + 2): all on one colour of the board.
  const four = [4, 0, 2, 0, 4, 2];
  const plain = warpRgb(checker, cw, cw, four, 15, 15, { samples: 1 });
  const averaged = warpRgb(checker, cw, cw, four, 15, 15);
  assert.ok(plain.every((v) => v === 0), 'plain sampling hits the black squares only');
  assert.ok(averaged.every((v) => v === 128 || v === 127), `averaged: ${[...new Set(averaged)]}`);
});

test('warpRgb: bad sizes, borders and buffers are refused with the reason', () => {
  const p = picture(4, 4);
  assert.throws(() => warpRgb(p.data, 4, 4, [1, 0, 0, 0, 1, 0], 0, 4), /outWidth must be a positive integer/);
  assert.throws(() => warpRgb(p.data, 4, 4, [1, 0, 0, 0, 1, 0], 4, 4, { border: 'wrap' as never }), /border must be one of black, edge, reflect/);
  assert.throws(() => warpRgb(p.data.subarray(1), 4, 4, [1, 0, 0, 0, 1, 0], 4, 4), /needs 48 bytes, got 47/);
});

/** Naive least squares: the 4×4 normal equations of [x −y 1 0; y x 0 1]·[a b tx ty] = [X; Y], Gaussian elimination. */
function refSimilarity(src: number[], dst: number[]): number[] {
  const M = Array.from({ length: 4 }, () => new Array(5).fill(0) as number[]);
  for (let i = 0; i < src.length / 2; i++) {
    const rows = [[src[2 * i]!, -src[2 * i + 1]!, 1, 0, dst[2 * i]!], [src[2 * i + 1]!, src[2 * i]!, 0, 1, dst[2 * i + 1]!]];
    for (const row of rows) for (let p = 0; p < 4; p++) for (let q = 0; q < 5; q++) M[p]![q]! += row[p]! * row[q]!;
  }
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let rr = col + 1; rr < 4; rr++) if (Math.abs(M[rr]![col]!) > Math.abs(M[piv]![col]!)) piv = rr;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    for (let rr = 0; rr < 4; rr++) {
      if (rr === col) continue;
      const f = M[rr]![col]! / M[col]![col]!;
      for (let q = col; q < 5; q++) M[rr]![q]! -= f * M[col]![q]!;
    }
  }
  return M.map((row, i) => row[4]! / row[i]!);
}

test('fitSimilarity2d: exact on a transformed point set, the naive normal-equation solution on noisy ones, never a reflection', () => {
  for (let t = 0; t < 40; t++) {
    const n = 2 + (t % 7);
    const src = Array.from({ length: 2 * n }, () => (r() - 0.5) * 300);
    const s = 0.1 + r() * 4, th = (r() - 0.5) * 2 * Math.PI;
    const T = [s * Math.cos(th), -s * Math.sin(th), (r() - 0.5) * 500, s * Math.sin(th), s * Math.cos(th), (r() - 0.5) * 500];
    const exact = affineApply(T, src);
    const fit = fitSimilarity2d(src, exact);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(fit[i]! - T[i]!) < 1e-9 * (1 + Math.abs(T[i]!)), `exact coefficient ${i}`);
    const noisy = Array.from(exact, (v) => v + (r() - 0.5) * 20);
    const got = fitSimilarity2d(src, noisy);
    const [a, b, tx, ty] = refSimilarity(src, noisy);
    const want = [a!, -b!, tx!, b!, a!, ty!];
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-7 * (1 + Math.abs(want[i]!)), `noisy coefficient ${i}: ${got[i]} vs ${want[i]}`);
    assert.ok(got[0]! * got[4]! - got[1]! * got[3]! > 0, 'a proper similarity');
  }
  // A mirrored point set gets the best rotation, not the mirror: its residual is larger than the mirror's would be (0).
  const src = [0, 0, 10, 0, 0, 5];
  const mirrored = [0, 0, -10, 0, 0, 5];
  const T = fitSimilarity2d(src, mirrored);
  assert.ok(T[0]! * T[4]! - T[1]! * T[3]! >= 0);
  // Strided reads (x, y, z landmarks) give the same fit as packed ones.
  const xyz = [0, 0, 7, 10, 0, 8, 0, 5, 9];
  assert.deepEqual([...fitSimilarity2d(xyz, [1, 1, 21, 1, 1, 11], 3)], [...fitSimilarity2d(src, [1, 1, 21, 1, 1, 11])]);
  assert.throws(() => fitSimilarity2d([1, 1, 1, 1], [0, 0, 5, 5]), /all identical/);
  assert.throws(() => fitSimilarity2d([1, 1], [0, 0]), /same number \(≥ 2\) of points/);
});
