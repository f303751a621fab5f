import test from 'node:test';
import assert from 'node:assert/strict';
import { pointsBounds, pointsBox } from '../../src/geometry/pointsBounds.js';

test('pointsBounds / pointsBox: x y pairs, x y z triples, a subset, NaN and no points', () => {
  assert.deepEqual(pointsBounds([3, 4, -1, 9, 5, 2]), [-1, 2, 5, 9]);
  assert.deepEqual(pointsBox(new Float32Array([10, 20, 5, 30, 15, -1, 20, 40, 2]), 3), [10, 15, 20, 25]);
  // Only the points `include` accepts (point index, not array index).
  assert.deepEqual(pointsBounds([0, 0, 100, 100, 3, 4, 5, 6], 2, (i) => i !== 1), [0, 0, 5, 6]);
  assert.deepEqual(pointsBounds([0, 0, NaN, 1, 2, 2]), [NaN, 0, NaN, 2], 'a NaN x makes x0 and x1 NaN');
  assert.deepEqual(pointsBounds([]), [Infinity, Infinity, -Infinity, -Infinity]);
  assert.throws(() => pointsBounds([1, 2], 1), /stride/);
});
