import test from 'node:test';
import assert from 'node:assert/strict';
import { boxOverlap } from '../../src/video/boxOverlap.js';

test('boxOverlap: same box 1, disjoint or touching 0, half shift 1/3, contained = area ratio, symmetric', () => {
  assert.equal(boxOverlap([3, 4, 10, 20], [3, 4, 10, 20]), 1);
  assert.equal(boxOverlap([0, 0, 10, 10], [10, 0, 10, 10]), 0);
  assert.equal(boxOverlap([0, 0, 10, 10], [50, 50, 10, 10]), 0);
  assert.ok(Math.abs(boxOverlap([0, 0, 10, 10], [5, 0, 10, 10]) - 1 / 3) < 1e-12);
  assert.ok(Math.abs(boxOverlap([0, 0, 10, 10], [2, 2, 5, 5]) - 0.25) < 1e-12);
  assert.equal(boxOverlap([1, 2, 7, 9], [4, 5, 8, 3]), boxOverlap([4, 5, 8, 3], [1, 2, 7, 9]));
  assert.equal(boxOverlap([0, 0, 0, 10], [0, 0, 0, 10]), 0);
});
