/**
 * Weight averaging: the update against a float64 reference, the loop keeping it over
 * steps and across a resume, validation of the averaged model, and the export using it.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resfcnSpec } from '../../../src/model/resfcn.js';
import { averageDecayAt, averagedModelWeights, updateWeightAverage } from '../../../src/train/engine/weightAverage.js';
import { createTrainableNetwork } from '../../../src/train/engine/network.js';
import { trainLoop } from '../../../src/train/loop/trainLoop.js';
import type { EpochMetrics } from '../../../src/train/loop/trainLoop.js';
import { decodeTrainCheckpoint, encodeTrainCheckpoint } from '../../../src/train/loop/trainCheckpoint.js';
import type { TrainCheckpoint } from '../../../src/train/loop/trainCheckpoint.js';
import { setupTrainBackend } from '../../../src/node/train/trainBackend.js';
import { exportTrainedModel } from '../../../src/node/train/exportTrainedModel.js';
import { importWeights } from '../../../src/train/engine/exportWeights.js';
import type { WeightsManifest } from '../../../src/train/engine/exportWeights.js';
import { randomFloats, seededRandom } from '../../support/random.js';
import { randomTrainingData } from '../../support/randomTrainingData.js';
import * as tf from '@tensorflow/tfjs-core';
import { recalibrateBatchNorm } from '../../../src/train/engine/recalibrateBatchNorm.js';
import type { BatchStatistics } from '../../../src/train/engine/network.js';
import { createTrainRandom, shuffledIndices } from '../../../src/train/loop/trainRandom.js';

const spec = resfcnSpec({ variant: 'avg32', inputSize: 32, baseChannels: 2 });
const S = 32;

test('updateWeightAverage follows d·a + (1−d)·w with TF’s warm-up decay', () => {
  assert.equal(averageDecayAt(0.999, 0), 0.1);
  assert.equal(averageDecayAt(0.999, 100_000), 0.999);
  const rng = seededRandom(3);
  const start = randomFloats(50, rng, -1, 1);
  const average = new Map([['w', Float32Array.from(start)]]);
  const ref = Float64Array.from(start);
  for (let step = 1; step <= 40; step++) {
    const w = randomFloats(50, rng, -1, 1);
    updateWeightAverage(average, () => w, 0.9, step);
    const d = Math.min(0.9, (1 + step) / (10 + step));
    for (let i = 0; i < 50; i++) ref[i] = d * ref[i]! + (1 - d) * w[i]!;
  }
  const a = average.get('w')!;
  let worst = 0;
  for (let i = 0; i < 50; i++) worst = Math.max(worst, Math.abs(a[i]! - ref[i]!));
  assert.ok(worst < 1e-5, `average off by ${worst}`);
  assert.ok(a.some((v, i) => Math.abs(v - start[i]!) > 0.05), 'the average moved');
  assert.throws(() => updateWeightAverage(average, () => new Float32Array(3), 0.9, 1), /w has 3 values, the average 50/);

  const weights = new Map([['w', new Float32Array(50)], ['moving_mean', new Float32Array([7])]]);
  const model = averagedModelWeights(weights, average);
  assert.equal(model.get('w'), a);
  assert.equal(model.get('moving_mean'), weights.get('moving_mean'));
  assert.throws(() => averagedModelWeights(new Map(), average), /names w, which the weights lack/);
});

const data = () => randomTrainingData(S, NaN);

test('trainLoop keeps the average over its steps, validates it, and resumes it exactly', async () => {
  await setupTrainBackend({ warn: () => {} });
  const opts = { epochs: 3, batchSize: 4, seed: 2, learningRate: 1e-2, checkpointMinutes: 1e9, weightAverageDecay: 0.8 };
  // Reference: the average recomputed in float64 from the weights after every step.
  const net = createTrainableNetwork(spec, { seed: 5 });
  const names = net.trainableNames;
  const ref = new Map(names.map((k) => [k, Float64Array.from(net.variables.get(k)!.dataSync() as Float32Array)]));
  let last: TrainCheckpoint | undefined;
  const metrics: EpochMetrics[] = [];
  await trainLoop(net, data(), data().weightMask, opts, {
    onStep: (s) => {
      const d = Math.min(0.8, (1 + s.step) / (10 + s.step));
      for (const k of names) {
        const w = net.variables.get(k)!.dataSync() as Float32Array, r = ref.get(k)!;
        for (let i = 0; i < r.length; i++) r[i] = d * r[i]! + (1 - d) * w[i]!;
      }
    },
    onEpoch: (m) => { metrics.push(m); },
    saveCheckpoint: async (c) => { last = c; },
  });
  assert.ok(last?.averaged && last.step === 6);
  assert.ok(last.averagedStatistics && last.averagedStatistics.size > 0, 'recalibrated statistics are kept');
  let worst = 0, apart = 0;
  for (const k of names) {
    const a = last.averaged.get(k)!, r = ref.get(k)!, w = last.weights.get(k)!;
    for (let i = 0; i < a.length; i++) { worst = Math.max(worst, Math.abs(a[i]! - r[i]!)); apart = Math.max(apart, Math.abs(a[i]! - w[i]!)); }
  }
  assert.ok(worst < 1e-5, `average off by ${worst}`);
  assert.ok(apart > 1e-3, 'the average differs from the latest weights');
  // Validation reports both models, and they differ.
  assert.equal(metrics.length, 3);
  for (const m of metrics) assert.ok(m.valLoss !== null && m.latestValLoss !== null && m.latestValLoss !== undefined && m.valLoss !== m.latestValLoss, JSON.stringify(m));
  net.dispose();

  // Stop after 4 steps, resume to the end: the same average, bit for bit.
  let saved: Uint8Array | undefined;
  const first = createTrainableNetwork(spec, { seed: 5 });
  await trainLoop(first, data(), data().weightMask, { ...opts, maxSteps: 4 }, { saveCheckpoint: async (c) => { saved = encodeTrainCheckpoint(c); } });
  first.dispose();
  const second = createTrainableNetwork(spec, { seed: 5 });
  let resumed: TrainCheckpoint | undefined;
  await trainLoop(second, data(), data().weightMask, opts, { saveCheckpoint: async (c) => { resumed = c; } }, decodeTrainCheckpoint(saved!));
  second.dispose();
  for (const k of names) assert.deepEqual(resumed!.averaged!.get(k), last.averaged.get(k), k);
  assert.deepEqual(resumed!.averagedStatistics, last.averagedStatistics);
});

test('recalibrateBatchNorm sets the moving statistics to the mean over batches of the batch statistics, weights untouched', async () => {
  await setupTrainBackend({ warn: () => {} });
  const net = createTrainableNetwork(spec, { seed: 4 });
  const before = net.exportWeights();
  const d = data();
  const got = await recalibrateBatchNorm(net, d, { batches: 3, batchSize: 2, seed: 8, augment: false });
  // The same batches, by the documented draw: one shuffle of the training indices, in order.
  const order = shuffledIndices(d.trainCount, createTrainRandom(8));
  const reference = createTrainableNetwork(spec, { seed: 4 });
  const sums = new Map<string, Float64Array>();
  for (let k = 0; k < 3; k++) {
    const b = await d.batch(order.slice(2 * k, 2 * k + 2), () => 0, false);
    const stats: BatchStatistics[] = [];
    tf.tidy(() => { reference.apply(tf.tensor4d(b.inputs, [2, S, S, 3]), true, stats); });
    for (const st of stats) {
      const mean = st.mean.dataSync() as Float32Array, v = st.variance.dataSync() as Float32Array;
      for (const [name, vals] of [[`${st.scope}/moving_mean`, mean], [`${st.scope}/moving_variance`, v.map((x) => x * st.count / (st.count - 1))]] as const) {
        const acc = sums.get(name) ?? new Float64Array(vals.length);
        vals.forEach((x, i) => { acc[i] += x / 3; });
        sums.set(name, acc);
      }
      tf.dispose([st.mean, st.variance]);
    }
  }
  reference.dispose();
  assert.equal(got.size, sums.size);
  let worst = 0, changed = 0;
  for (const [name, want] of sums) {
    const g = got.get(name)!, old = before.get(name)!;
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(g[i]! - want[i]!) / Math.max(1e-3, Math.abs(want[i]!)));
      changed = Math.max(changed, Math.abs(g[i]! - old[i]!));
    }
  }
  assert.ok(worst < 1e-4, `recalibrated statistics off by ${worst} (relative)`);
  assert.ok(changed > 1e-3, 'the statistics changed');
  const after = net.exportWeights();
  for (const name of net.trainableNames) assert.deepEqual(after.get(name), before.get(name), name);
  for (const [name, v] of got) assert.deepEqual(after.get(name), v, name);
  net.dispose();
});

test('export writes the averaged weights of a checkpoint that has them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-avg-'));
  try {
    await setupTrainBackend({ warn: () => {} });
    const net = createTrainableNetwork(spec, { seed: 9 });
    const weights = net.exportWeights();
    const averaged = new Map(net.trainableNames.map((k) => [k, weights.get(k)!.map((v) => v * 0.5 + 0.01)]));
    net.dispose();
    const ckpt: TrainCheckpoint = {
      variant: spec.variant, inputSize: S, baseChannels: spec.baseChannels, step: 3, epoch: 0, stepInEpoch: 3, order: [], rngState: 1,
      options: {}, weights, adamM: new Map(), adamV: new Map(), averaged,
      averagedStatistics: new Map([...weights].filter(([k]) => k.endsWith('/moving_variance')).map(([k, w]) => [k, w.map((v) => v + 0.5)])),
    };
    await writeFile(path.join(dir, 'checkpoint.bin'), encodeTrainCheckpoint(ckpt));
    const r = await exportTrainedModel(dir, path.join(dir, 'm.onnx'), { weights: true });
    assert.ok(r.averaged);
    const manifest = JSON.parse(await readFile(path.join(dir, 'm.weights.json'), 'utf8')) as WeightsManifest;
    const out = importWeights(manifest, new Uint8Array(await readFile(path.join(dir, 'm.weights.bin'))));
    for (const [k, w] of weights) assert.deepEqual(out.get(k), averaged.get(k) ?? ckpt.averagedStatistics!.get(k) ?? w, k);
    // --no-average: the latest weights.
    assert.equal((await exportTrainedModel(dir, path.join(dir, 'l.onnx'), { weights: true, average: false })).averaged, false);
    const latest = importWeights(manifest, new Uint8Array(await readFile(path.join(dir, 'l.weights.bin'))));
    for (const [k, w] of weights) assert.deepEqual(latest.get(k), w, k);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
