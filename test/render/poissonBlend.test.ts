import test from 'node:test';
import assert from 'node:assert/strict';
import { poissonBlend } from '../../src/render/poissonBlend.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { seededRandom } from '../support/random.js';

function image(w: number, h: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round(f(x, y, c));
  return { width: w, height: h, data };
}

/** An irregular blob mask (union of discs). */
function blobMask(w: number, h: number, seed: number): Uint8Array {
  const rng = seededRandom(seed);
  const m = new Uint8Array(w * h);
  for (let k = 0; k < 5; k++) {
    const cx = w * (0.3 + 0.4 * rng()), cy = h * (0.3 + 0.4 * rng()), r = Math.min(w, h) * (0.1 + 0.15 * rng());
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) m[y * w + x] = 1;
  }
  return m;
}

test('blending a constant image into itself changes nothing', () => {
  const img = image(60, 40, () => 123);
  const { image: out } = poissonBlend(img, img, blobMask(60, 40, 1));
  assert.deepEqual(out.data, img.data);
});

test('blending any image into itself changes nothing', () => {
  const rng = seededRandom(2);
  const img = image(50, 50, () => rng() * 255);
  const { image: out } = poissonBlend(img, img, blobMask(50, 50, 2));
  assert.deepEqual(out.data, img.data);
});

test('a source gradient field is reproduced, offset to meet the target (known solution)', () => {
  // target = source + 37 everywhere: the exact solution inside is source + 37.
  const src = image(80, 64, (x, y, c) => 40 + 1.3 * x + 0.7 * y + 10 * c);
  const tgt = image(80, 64, (x, y, c) => 77 + 1.3 * x + 0.7 * y + 10 * c);
  const mask = blobMask(80, 64, 3);
  const { image: out, stats } = poissonBlend(tgt, src, mask);
  assert.ok(stats.unknowns > 500);
  for (let i = 0; i < mask.length; i++) for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(out.data[i * 3 + c]! - tgt.data[i * 3 + c]!) <= 1, `pixel ${i}: ${out.data[i * 3 + c]} vs ${tgt.data[i * 3 + c]}`);
  }
});

/** Naive float64 Gauss-Seidel on the same discrete equations, run to convergence. */
function naiveBlend(tgt: RgbImage, src: RgbImage, mask: Uint8Array): Float64Array {
  const { width: W, height: H } = tgt;
  const f = Float64Array.from(tgt.data);
  for (let i = 0; i < mask.length; i++) if (mask[i]) for (let c = 0; c < 3; c++) f[i * 3 + c] = src.data[i * 3 + c]!;
  for (let iter = 0; iter < 20000; iter++) {
    let change = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (!mask[p]) continue;
      for (let c = 0; c < 3; c++) {
        let sum = 0, n = 0;
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
          const qx = x + dx!, qy = y + dy!;
          if (qx < 0 || qy < 0 || qx >= W || qy >= H) continue;
          const q = qy * W + qx;
          n++;
          sum += f[q * 3 + c]! + src.data[p * 3 + c]! - src.data[q * 3 + c]!;
        }
        const v = sum / n;
        change = Math.max(change, Math.abs(v - f[p * 3 + c]!));
        f[p * 3 + c] = v;
      }
    }
    if (change < 1e-7) break;
  }
  return f;
}

test('agrees with a naive float64 Gauss-Seidel solve on random images, touching the image border', () => {
  const rng = seededRandom(4);
  const W = 36, H = 30;
  const src = image(W, H, () => rng() * 255);
  const tgt = image(W, H, (x, y) => 100 + 3 * Math.sin(x / 3) * 20 + y);
  const mask = blobMask(W, H, 5);
  for (let x = 0; x < 10; x++) mask[x] = 1; // along the top edge: Neumann border there
  const want = naiveBlend(tgt, src, mask);
  const { image: out } = poissonBlend(tgt, src, mask, { tolerance: 1e-7 });
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const expected = Math.min(255, Math.max(0, Math.round(want[i]!)));
    worst = Math.max(worst, Math.abs(out.data[i]! - expected));
  }
  assert.ok(worst <= 1, `worst difference ${worst}`);
  for (let i = 0; i < mask.length; i++) if (!mask[i]) for (let c = 0; c < 3; c++) assert.equal(out.data[i * 3 + c], tgt.data[i * 3 + c]);
});

test('mixed mode keeps the stronger gradient; bad sizes are rejected', () => {
  const flat = image(40, 40, () => 90);
  const stripes = image(40, 40, (x) => (x % 4 < 2 ? 60 : 180));
  const mask = blobMask(40, 40, 6);
  const { image: normal } = poissonBlend(stripes, flat, mask);
  const { image: mixed } = poissonBlend(stripes, flat, mask, { mode: 'mixed' });
  let varNormal = 0, varMixed = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] && i % 40 < 39) {
    varNormal += Math.abs(normal.data[i * 3]! - normal.data[(i + 1) * 3]!);
    varMixed += Math.abs(mixed.data[i * 3]! - mixed.data[(i + 1) * 3]!);
  }
  assert.ok(varMixed > 5 * varNormal + 100, `mixed ${varMixed} vs normal ${varNormal}`);
  assert.throws(() => poissonBlend(flat, image(10, 10, () => 0), mask), /source is 10×10/);
});
