import test from 'node:test';
import assert from 'node:assert/strict';
import { fromFloat16Bits, toFloat16Bits } from '../../src/model/float16.js';
import { seededRandom } from '../support/random.js';

test('float16 encodes exact values and rounds to nearest even', () => {
  const bits = toFloat16Bits(new Float32Array([1, 0.5, -2, 65504, 1e6, 0, 2 ** -24, 1 + 2 ** -11, 1 + 3 * 2 ** -11]));
  assert.deepEqual(Array.from(bits), [0x3c00, 0x3800, 0xc000, 0x7bff, 0x7c00, 0, 1, 0x3c00, 0x3c02]);
});

test('float16 round trip stays within half an ulp on random values', () => {
  const rng = seededRandom(7);
  const x = Float32Array.from({ length: 10000 }, () => (rng() - 0.5) * 2 ** (rng() * 20 - 10));
  const y = fromFloat16Bits(toFloat16Bits(x));
  for (let i = 0; i < x.length; i++) {
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(x[i]!))) - 10);
    assert.ok(Math.abs(y[i]! - x[i]!) <= Math.max(ulp / 2, 2 ** -25) * 1.0001, `${x[i]} → ${y[i]}`);
  }
});
