import test from 'node:test';
import assert from 'node:assert/strict';
import { createPosmapTrainingData, type PosmapSample } from '../../../src/train/data/posmapTrainingData.js';
import { POSITION_MAP_SCALE, POSITION_MAP_SIZE } from '../../../src/model/resfcn.js';
import { createTrainRandom } from '../../../src/train/loop/trainRandom.js';

const N = POSITION_MAP_SIZE;

/** A random sample in memory: a smooth map over a disc of the UV square, zero outside. */
function sample(seed: number): PosmapSample {
  const rand = createTrainRandom(seed);
  const image = new Uint8Array(N * N * 3);
  for (let i = 0; i < image.length; i++) image[i] = Math.floor(rand() * 256);
  const map = new Float32Array(N * N * 3);
  const a = 0.5 + rand(), b = 20 + 20 * rand();
  for (let v = 0; v < N; v++) for (let u = 0; u < N; u++) {
    if ((u - 128) ** 2 + (v - 128) ** 2 > 100 ** 2) continue;
    const q = (v * N + u) * 3;
    map[q] = b + a * u; map[q + 1] = b + a * v; map[q + 2] = 10 + rand() * 50;
  }
  return { image, map };
}

test('createPosmapTrainingData over an in-memory source: split, unaugmented targets, zero error on the truth', async () => {
  const samples = [1, 2, 3, 4, 5].map(sample);
  const keypointUv = Array.from({ length: 68 }, (_, j) => [60 + (j % 17) * 8, 70 + Math.floor(j / 17) * 30] as const);
  const reads: number[] = [];
  const data = await createPosmapTrainingData({ count: 5, keypointUv, read: async (k) => { reads.push(k); return samples[k]!; } }, { inputSize: N, valCount: 2, seed: 3 });
  assert.equal(data.trainCount + data.valCount, 5);
  assert.deepEqual([...data.trainSamples, ...data.valSamples].sort(), [0, 1, 2, 3, 4]);
  // Default weights: the pixels the first sample's map covers.
  assert.equal(data.weightMask[128 * N + 128], 1);
  assert.equal(data.weightMask[0], 0);
  // No augmentation: the stored crop itself, targets = map ÷ POSITION_MAP_SCALE.
  const batch = await data.batch([0], createTrainRandom(1), false);
  const k = data.trainSamples[0]!;
  for (const q of [(128 * N + 128) * 3, (100 * N + 90) * 3 + 1, (150 * N + 170) * 3 + 2]) {
    assert.ok(Math.abs(batch.targets[q]! - samples[k]!.map[q]! / POSITION_MAP_SCALE) < 1e-4, `target ${q}`);
  }
  assert.equal(batch.targets[0], 0);
  // The validation maps fed back as predictions score (almost) zero error; a shifted copy does not.
  const val = await data.valBatch([0, 1]);
  assert.ok(data.valLandmarkError(val.targets, [0, 1]).nme < 1e-3);
  const shifted = val.targets.map((x, i) => (i % 3 === 0 && x !== 0 ? x + 5 / POSITION_MAP_SCALE : x));
  assert.ok(data.valLandmarkError(shifted, [0, 1]).nme > 0.01);
  // Augmented batches draw from the generator, so the same seed gives the same batch.
  const a1 = await data.batch([1, 2], createTrainRandom(9), true), a2 = await data.batch([1, 2], createTrainRandom(9), true);
  assert.deepEqual(a1.inputs, a2.inputs);
  assert.notDeepEqual(a1.inputs, batch.inputs.length === a1.inputs.length ? batch.inputs : a1.inputs.slice(1));
});

test('createPosmapTrainingData refuses a bad split or input size', async () => {
  const src = { count: 3, keypointUv: [], read: async () => sample(1) };
  await assert.rejects(createPosmapTrainingData(src, { valCount: 3 }), /valCount must be in \[0, 3\)/);
  await assert.rejects(createPosmapTrainingData(src, { inputSize: 100 }), /inputSize must be 256 or 128/);
});
