import test from 'node:test';
import assert from 'node:assert/strict';
import { cropContrast } from '../../src/video/cropContrast.js';

test('cropContrast: the grey standard deviation of crop i of a batch, as a naive two-pass float64 computation gives', () => {
  const size = 9, count = 3, n = size * size;
  let s = 17;
  const batch = Float32Array.from({ length: count * n * 3 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    const grey: number[] = [];
    for (let p = 0; p < n; p++) {
      const q = (i * n + p) * 3;
      grey.push(255 * (0.299 * batch[q]! + 0.587 * batch[q + 1]! + 0.114 * batch[q + 2]!));
    }
    const mean = grey.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(grey.reduce((a, g) => a + (g - mean) ** 2, 0) / n);
    assert.ok(Math.abs(cropContrast(batch, i, size) - std) < 1e-3, `crop ${i}: ${cropContrast(batch, i, size)} vs ${std}`);
  }
  // A flat crop has none; a crop past the batch is an error.
  assert.equal(cropContrast(new Float32Array(n * 3).fill(0.4), 0, size), 0);
  assert.throws(() => cropContrast(batch, count, size), /beyond a batch of 3/);
});
