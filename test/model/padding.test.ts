import test from 'node:test';
import assert from 'node:assert/strict';
import { naiveConv2d, naiveConv2dTranspose } from '../../src/model/naiveResfcn.js';
import { samePadding } from '../../src/model/resfcn.js';

// Single channel, kernel w[kh][kw] = 10·kh + kw, input an impulse at (0, 0).
const kernel = Float32Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
const impulse = (side: number) => { const d = new Float64Array(side * side); d[0] = 1; return { h: side, w: side, c: 1, data: d }; };

test('TF SAME padding is asymmetric for even kernels', () => {
  assert.deepEqual(samePadding(256, 4, 1), [1, 2]);
  assert.deepEqual(samePadding(256, 4, 2), [1, 1]);
  assert.deepEqual(samePadding(256, 1, 2), [0, 0]);
  assert.deepEqual(samePadding(7, 4, 2), [1, 2]); // odd sizes: total 3
});

test('4×4 stride-1 SAME conv pads 1 before and 2 after (hand-computed)', () => {
  const y = naiveConv2d(impulse(4), kernel, 4, 1, 1);
  // y[oy][ox] = w[1 − oy][1 − ox] where defined: the impulse sits under kernel tap (1−oy, 1−ox).
  const expected = [11, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  assert.deepEqual(Array.from(y.data), expected);
});

test('4×4 stride-2 SAME transposed conv drops the first kernel row and column (hand-computed)', () => {
  const y = naiveConv2dTranspose(impulse(2), kernel, 4, 1, 2);
  // Input (0,0) scatters w[kh][kw] to (kh − 1, kw − 1).
  const expected = [11, 12, 13, 0, 21, 22, 23, 0, 31, 32, 33, 0, 0, 0, 0, 0];
  assert.deepEqual(Array.from(y.data), expected);
});

test('4×4 stride-1 SAME transposed conv (hand-computed)', () => {
  const y = naiveConv2dTranspose(impulse(2), kernel, 4, 1, 1);
  assert.deepEqual(Array.from(y.data), [11, 12, 21, 22]);
});

test('transposed conv is the adjoint of the strided conv: <conv(x), y> = <x, convT(y)>', () => {
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  for (const stride of [1, 2]) {
    const w = Float32Array.from({ length: 4 * 4 * 3 * 2 }, rnd); // conv [k,k,ci=3,co=2] = transposed [k,k,out=3,in=2]
    const x = { h: 8, w: 8, c: 3, data: Float64Array.from({ length: 8 * 8 * 3 }, rnd) };
    const cx = naiveConv2d(x, w, 4, 2, stride);
    const y = { h: cx.h, w: cx.w, c: 2, data: Float64Array.from({ length: cx.data.length }, rnd) };
    const ty = naiveConv2dTranspose(y, w, 4, 3, stride);
    const lhs = cx.data.reduce((a, v, i) => a + v * y.data[i]!, 0);
    const rhs = x.data.reduce((a, v, i) => a + v * ty.data[i]!, 0);
    assert.ok(Math.abs(lhs - rhs) < 1e-9, `stride ${stride}: ${lhs} vs ${rhs}`);
  }
});
