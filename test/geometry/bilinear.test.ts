import test from 'node:test';
import assert from 'node:assert/strict';
import { addBilinearSample, warpBilinear } from '../../src/geometry/bilinear.js';
import { rng } from './reference.js';

const r = rng(5);

/** Naive float64 reference: the four neighbours, 0 outside. */
function refSample(data: Uint8Array, w: number, h: number, x: number, y: number, c: number): number {
  const px = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= w || yy >= h ? 0 : data[(yy * w + xx) * 3 + c]!);
  const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
  return (1 - fy) * ((1 - fx) * px(x0, y0) + fx * px(x0 + 1, y0)) + fy * ((1 - fx) * px(x0, y0 + 1) + fx * px(x0 + 1, y0 + 1));
}

test('addBilinearSample: the naive bilinear value inside, across the edge and outside; it adds to the accumulator', () => {
  const w = 7, h = 5;
  const data = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256));
  for (let t = 0; t < 500; t++) {
    const x = -2.5 + r() * (w + 4), y = -2.5 + r() * (h + 4);
    const acc = [1, 2, 3];
    addBilinearSample(data, w, h, x, y, acc);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(acc[c]! - (c + 1) - refSample(data, w, h, x, y, c)) < 1e-9, `(${x}, ${y}) channel ${c}`);
  }
  // Pixel centres are at integer coordinates: an exact pixel, and nothing a whole pixel outside.
  const acc = new Float64Array(3);
  addBilinearSample(data, w, h, 3, 2, acc);
  assert.deepEqual([...acc], [data[(2 * w + 3) * 3]!, data[(2 * w + 3) * 3 + 1]!, data[(2 * w + 3) * 3 + 2]!]);
  acc.fill(0);
  addBilinearSample(data, w, h, -1, 2, acc);
  addBilinearSample(data, w, h, w, 2, acc);
  assert.deepEqual([...acc], [0, 0, 0]);
});

test('warpBilinear: a rotated, scaled crop equals the naive reference / 255, colour scale clamped at 1, into a buffer at an offset', () => {
  const w = 23, h = 19, side = 16;
  const data = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256));
  const a = Math.cos(0.4) * 1.3, b = -Math.sin(0.4) * 1.3;
  const A = [a, b, 4.2, -b, a, -3.1]; // output → source, partly outside the source
  const color = [0.6, 1.7, 1] as const;
  const out = new Float32Array(10 + side * side * 3);
  const got = warpBilinear(data, w, h, A, side, { colorScale: color, out, offset: 10 });
  assert.equal(got, out);
  assert.deepEqual([...out.subarray(0, 10)], new Array(10).fill(0));
  let clamped = 0, black = 0;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
    const v = refSample(data, w, h, A[0]! * x + A[1]! * y + A[2]!, A[3]! * x + A[4]! * y + A[5]!, c) / 255 * color[c]!;
    if (v > 1) clamped++;
    if (v === 0) black++;
    assert.ok(Math.abs(out[10 + (y * side + x) * 3 + c]! - Math.min(1, v)) < 1e-6, `(${x}, ${y}, ${c})`);
  }
  assert.ok(clamped > 0 && black > 0, 'the case clamps some values and reaches outside the source');
  assert.throws(() => warpBilinear(data, w, h, A, side, { out: new Float32Array(side * side * 3), offset: 1 }), /output buffer holds/);
});
