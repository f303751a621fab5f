import test from 'node:test';
import assert from 'node:assert/strict';
import { concatTrainingData } from '../../../src/train/data/concatTrainingData.js';
import type { TrainingData } from '../../../src/train/data/trainingData.js';

const S = 2, per = S * S * 3;

/** A part whose sample i is filled with `tag + i` (inputs) and `-(tag + i)` (targets); its error is the first value. */
function part(tag: number, trainCount: number, valCount: number, metric?: string): TrainingData {
  const make = (base: number, indices: number[]) => {
    const inputs = new Float32Array(indices.length * per), targets = new Float32Array(indices.length * per);
    indices.forEach((i, b) => { inputs.fill(base + i, b * per, (b + 1) * per); targets.fill(-(base + i), b * per, (b + 1) * per); });
    return { size: indices.length, inputs, targets };
  };
  return {
    inputSize: S, trainCount, valCount,
    batch: async (indices) => make(tag, indices),
    valBatch: async (indices) => make(tag + 100, indices),
    valLandmarkError: (pred, indices) => {
      const perImage = Float64Array.from(indices, (_, b) => pred[b * per]!);
      return { nme: perImage.reduce((a, v) => a + v, 0) / indices.length, perImage };
    },
    ...(metric ? { valMetrics: (_p: Float32Array, t: Float32Array, indices: number[]) => ({ [metric]: { sum: indices.reduce((a, _i, b) => a - t[b * per]!, 0), count: indices.length } }) } : {}),
  };
}

test('concatTrainingData serves each part\'s samples in the asked order and keeps the first part\'s error as the validation error', async () => {
  const data = concatTrainingData([{ name: 'a', data: part(1000, 5, 3, 'm') }, { name: 'b', data: part(2000, 4, 2) }]);
  assert.equal(data.trainCount, 9);
  assert.equal(data.valCount, 5);
  const b = await data.batch([7, 0, 5, 4, 8], () => 0.5, true);
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => b.inputs[k * per]), [2002, 1000, 2000, 1004, 2003]);
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => b.targets[k * per + per - 1]), [-2002, -1000, -2000, -1004, -2003]);
  await assert.rejects(data.batch([9], () => 0.5, true), /out of range/);

  const v = await data.valBatch([4, 1, 3]);
  assert.deepEqual([0, 1, 2].map((k) => v.inputs[k * per]), [2101, 1101, 2100]);
  // Validation error: the first part only (its sample 1 → 1101); the other rows are NaN.
  const e = data.valLandmarkError(v.inputs, [4, 1, 3]);
  assert.equal(e.nme, 1101);
  assert.ok(Number.isNaN(e.perImage[0]!) && Number.isNaN(e.perImage[2]!));
  const m = data.valMetrics!(v.inputs, v.targets, [4, 1, 3]);
  assert.deepEqual(m, { 'a.human': { sum: 1101, count: 1 }, 'a.m': { sum: 1101, count: 1 }, 'b.human': { sum: 2101 + 2100, count: 2 } });
  assert.throws(() => concatTrainingData([{ name: 'a', data: part(0, 1, 1) }, { name: 'b', data: { ...part(0, 1, 1), inputSize: 4 } }]), /is 4², not 2²/);
});

test('concatTrainingData: a repeated part takes n times its indices, wrapping onto its samples; validation is not repeated', async () => {
  const data = concatTrainingData([{ name: 'a', data: part(1000, 5, 3) }, { name: 'b', data: part(2000, 4, 2), repeat: 3 }]);
  assert.equal(data.trainCount, 5 + 12);
  assert.equal(data.valCount, 5);
  // Indices 5…16 are b's samples 0…3, three times over.
  const b = await data.batch([5, 9, 16, 4, 12], () => 0.5, true);
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => b.inputs[k * per]), [2000, 2000, 2003, 1004, 2003]);
  await assert.rejects(data.batch([17], () => 0.5, true), /out of range/);
  // An epoch's shuffle of all indices draws each of b's samples three times, each of a's once.
  const drawn = await data.batch(Array.from({ length: data.trainCount }, (_, i) => i), () => 0.5, true);
  const counts = new Map<number, number>();
  for (let k = 0; k < data.trainCount; k++) counts.set(drawn.inputs[k * per]!, (counts.get(drawn.inputs[k * per]!) ?? 0) + 1);
  assert.deepEqual([...counts].sort((x, y) => x[0] - y[0]), [[1000, 1], [1001, 1], [1002, 1], [1003, 1], [1004, 1], [2000, 3], [2001, 3], [2002, 3], [2003, 3]]);
  const v = await data.valBatch([4, 3]);
  assert.deepEqual([0, 1].map((k) => v.inputs[k * per]), [2101, 2100]);
  await assert.rejects(data.valBatch([5]), /out of range/);
  assert.throws(() => concatTrainingData([{ name: 'a', data: part(0, 1, 1), repeat: 0 }]), /repeat must be a whole number ≥ 1/);
  assert.throws(() => concatTrainingData([{ name: 'a', data: part(0, 1, 1), repeat: 1.5 }]), /repeat must be a whole number ≥ 1/);
});
