/**
 * The training loop end to end on a reduced network and a small synthetic data set:
 * the loss falls, batch-norm moving statistics follow TF's update rule, checkpoints
 * round-trip, and a run resumed from a checkpoint continues bit-identically.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { resfcnSpec } from '../../../src/model/resfcn.js';
import type { TrainingBatch, TrainingData } from '../../../src/train/data/trainingData.js';
import { BATCH_NORM_DECAY, createTrainableNetwork } from '../../../src/train/engine/network.js';
import type { BatchStatistics } from '../../../src/train/engine/network.js';
import { convWeightNames, trainLoop, trainStep } from '../../../src/train/loop/trainLoop.js';
import { createAdam } from '../../../src/train/engine/optimizer.js';
import { l2WeightDecay, weightedPositionLoss, weightMaskTensor } from '../../../src/train/engine/loss.js';
import type { TrainCheckpoint } from '../../../src/train/loop/trainCheckpoint.js';
import { decodeTrainCheckpoint, encodeTrainCheckpoint } from '../../../src/train/loop/trainCheckpoint.js';
import { setupTrainBackend } from '../../../src/node/train/trainBackend.js';
import { naiveConv2d } from '../../../src/model/naiveResfcn.js';
import { randomFloats, seededRandom } from '../../support/random.js';

const spec = resfcnSpec({ variant: 'smoke32', inputSize: 32, baseChannels: 2 });
const S = spec.inputSize;

/** A fixed random data set: smooth images and targets that depend on them (learnable). */
function syntheticData(count: number, valCount: number, seed: number): TrainingData & { augmentCalls: number } {
  const rng = seededRandom(seed);
  const n = S * S * 3;
  const images: Float32Array[] = [], targets: Float32Array[] = [];
  for (let i = 0; i < count + valCount; i++) {
    const a = rng(), b = rng();
    const img = new Float32Array(n), tgt = new Float32Array(n);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) {
      const k = (y * S + x) * 3 + c;
      img[k] = 0.5 + 0.4 * Math.sin(a * 6 * x / S + c) * Math.cos(b * 6 * y / S);
      tgt[k] = c === 0 ? 0.2 + 0.6 * x / S : c === 1 ? 0.2 + 0.6 * y / S : 0.3 + 0.2 * a;
    }
    images.push(img); targets.push(tgt);
  }
  const pack = (list: number[], offset: number, rngDraw?: () => number): TrainingBatch => {
    const inputs = new Float32Array(list.length * n), out = new Float32Array(list.length * n);
    list.forEach((idx, j) => {
      // "Augmentation": a random brightness jitter drawn from the loop's rng.
      const jitter = rngDraw ? 0.9 + 0.2 * rngDraw() : 1;
      const src = images[offset + idx]!;
      for (let q = 0; q < n; q++) inputs[j * n + q] = Math.min(1, src[q]! * jitter);
      out.set(targets[offset + idx]!, j * n);
    });
    return { size: list.length, inputs, targets: out };
  };
  const data = {
    inputSize: S, trainCount: count, valCount, augmentCalls: 0,
    batch: async (indices: number[], r: () => number, augment: boolean) => { if (augment) data.augmentCalls++; return pack(indices, 0, augment ? r : undefined); },
    valBatch: async (indices: number[]) => pack(indices, count),
    valLandmarkError: (pred: Float32Array, indices: number[]) => ({ nme: pred.length / indices.length > 0 ? 0.05 : NaN, perImage: new Float64Array(indices.length) }),
  };
  return data;
}

const mask = (() => {
  const m = new Float32Array(S * S);
  const rng = seededRandom(2);
  for (let i = 0; i < m.length; i++) m[i] = [0, 3, 4, 16][Math.floor(rng() * 4)]!;
  return m;
})();

test('smoke: a few Adam steps on a reduced network make the loss fall', async () => {
  await setupTrainBackend({ warn: () => {} });
  const net = createTrainableNetwork(spec, { seed: 1 });
  const losses: number[] = [];
  const data = syntheticData(8, 0, 3);
  await trainLoop(net, data, mask, { epochs: 6, batchSize: 4, learningRate: 3e-3, checkpointMinutes: 1e9 }, { onStep: (s) => losses.push(s.loss) });
  assert.equal(losses.length, 12);
  assert.ok(losses.every(Number.isFinite));
  const first = (losses[0]! + losses[1]!) / 2, last = (losses[10]! + losses[11]!) / 2;
  assert.ok(last < 0.7 * first, `loss ${first} → ${last}`);
  assert.ok(data.augmentCalls === 12);
  net.dispose();
});

test('weight decay folded into Adam equals autodiff of data loss + λ·Σw²/2', async () => {
  await setupTrainBackend({ warn: () => {} });
  const lambda = 0.05; // large, so that a missing or doubled decay term shows
  const rng = seededRandom(11);
  const n = 2, inputs = randomFloats(n * S * S * 3, rng), targets = randomFloats(n * S * S * 3, rng);
  const wMask = weightMaskTensor(mask);
  const folded = createTrainableNetwork(spec, { seed: 6 });
  const reference = createTrainableNetwork(spec, { seed: 6 });
  // A large ε makes Adam's step linear in the gradient: otherwise m/√v turns rounding
  // differences of near-zero gradients into full ±lr steps.
  const linear = { epsilon: 10 };
  const adamA = createAdam(linear), adamB = createAdam(linear);
  // One step, so that the updates compare the gradients themselves (later steps would
  // compare forward passes of slightly different weights).
  trainStep(folded, adamA, inputs, targets, n, wMask, 1, lambda);
  // Reference: the decay term differentiated by tfjs through the graph.
  const names = convWeightNames(reference);
  const vars = reference.trainableNames.map((k) => reference.variables.get(k)!);
  const byTf = new Map([...reference.variables].map(([k, v]) => [v.name, k]));
  const { value, grads } = tf.variableGrads(() => {
    const x = tf.tensor4d(inputs, [n, S, S, 3]), y = tf.tensor4d(targets, [n, S, S, 3]);
    const decay = l2WeightDecay([...names].map((k) => reference.variables.get(k)!), lambda);
    return tf.add(weightedPositionLoss(reference.apply(x, true, []), y, wMask), decay) as tf.Scalar;
  }, vars);
  adamB.apply(reference.variables as Map<string, tf.Variable>, new Map(Object.entries(grads).map(([k, g]) => [byTf.get(k) ?? k, g])), 1);
  tf.dispose([value, ...Object.values(grads)]);
  const a = folded.exportWeights(), b = reference.exportWeights();
  let worst = 0, moved = 0;
  const initNet = createTrainableNetwork(spec, { seed: 6 });
  const init = initNet.exportWeights();
  initNet.dispose();
  for (const name of convWeightNames(folded)) {
    const wa = a.get(name)!, wb = b.get(name)!, w0 = init.get(name)!;
    for (let i = 0; i < wa.length; i++) {
      worst = Math.max(worst, Math.abs(wa[i]! - wb[i]!));
      moved = Math.max(moved, Math.abs(wa[i]! - w0[i]!));
    }
  }
  assert.ok(moved > 1e-4, `weights moved ${moved}`);
  assert.ok(worst < 1e-4 * moved, `folded vs autodiff decay: max weight difference ${worst} (moved ${moved})`);
  // Without the decay the weights end elsewhere: the comparison can fail.
  const plain = createTrainableNetwork(spec, { seed: 6 });
  const adamC = createAdam(linear);
  trainStep(plain, adamC, inputs, targets, n, wMask, 1, 0);
  const c = plain.exportWeights();
  let apart = 0;
  for (const name of convWeightNames(plain)) { const wc = c.get(name)!, wa = a.get(name)!; for (let i = 0; i < wc.length; i++) apart = Math.max(apart, Math.abs(wc[i]! - wa[i]!)); }
  assert.ok(apart > 100 * worst, `decay changes the weights by ${apart}`);
  for (const net of [folded, reference, plain]) net.dispose();
  for (const o of [adamA, adamB, adamC]) o.dispose();
  wMask.dispose();
});

test('batch-norm moving statistics follow tcl.batch_norm (decay 0.999, Bessel-corrected variance)', async () => {
  await setupTrainBackend({ warn: () => {} });
  const net = createTrainableNetwork(spec, { seed: 4 });
  const rng = seededRandom(8);
  const x = randomFloats(2 * S * S * 3, rng);
  const stats: BatchStatistics[] = [];
  tf.tidy(() => { net.apply(tf.tensor4d(x, [2, S, S, 3]), true, stats); });
  assert.equal(stats.length, spec.layers.reduce((n, l) => n + (l.kind === 'resBlock' ? 3 : l.batchNorm ? 1 : 0), 0));
  net.updateMovingStatistics(stats);
  // First BN sees conv(x): recompute its statistics in float64.
  const w = net.exportWeights().get('resfcn256/Conv/weights')!;
  const co = spec.baseChannels;
  const sum = new Float64Array(co), sq = new Float64Array(co);
  let count = 0;
  for (let b = 0; b < 2; b++) {
    const y = naiveConv2d({ h: S, w: S, c: 3, data: Float64Array.from(x.subarray(b * S * S * 3, (b + 1) * S * S * 3)) }, w, 4, co, 1).data;
    for (let i = 0; i < y.length; i++) { sum[i % co] += y[i]!; sq[i % co] += y[i]! * y[i]!; }
    count += y.length / co;
  }
  const mm = net.exportWeights().get('resfcn256/Conv/BatchNorm/moving_mean')!;
  const mv = net.exportWeights().get('resfcn256/Conv/BatchNorm/moving_variance')!;
  for (let c = 0; c < co; c++) {
    const mean = sum[c]! / count;
    const unbiased = (sq[c]! / count - mean * mean) * count / (count - 1);
    assert.ok(Math.abs(mm[c]! - (1 - BATCH_NORM_DECAY) * mean) < 1e-6, `moving mean ${mm[c]} vs ${(1 - BATCH_NORM_DECAY) * mean}`);
    assert.ok(Math.abs(mv[c]! - (BATCH_NORM_DECAY + (1 - BATCH_NORM_DECAY) * unbiased)) < 1e-6, `moving variance ${mv[c]}`);
  }
  net.dispose();
});

test('checkpoint bytes round-trip and bad bytes give a clear error', () => {
  const c: TrainCheckpoint = {
    variant: 'v', inputSize: 32, baseChannels: 2, step: 7, epoch: 1, stepInEpoch: 3, order: [3, 1, 2, 0], rngState: 123456789,
    options: { batchSize: 4 }, weights: new Map([['a/weights', new Float32Array([1.5, -2, 3e-8])]]),
    adamM: new Map([['a/weights', new Float32Array([0.1, 0.2, 0.3])]]), adamV: new Map([['a/weights', new Float32Array([1, 2, 3])]]),
  };
  const bytes = encodeTrainCheckpoint(c);
  const back = decodeTrainCheckpoint(bytes);
  assert.deepEqual(back, c);
  assert.equal(back.averaged, undefined);
  const withAverage = { ...c, averaged: new Map([['a/weights', new Float32Array([1.25, -1.5, 0.5])]]) };
  assert.deepEqual(decodeTrainCheckpoint(encodeTrainCheckpoint(withAverage)), withAverage);
  assert.throws(() => decodeTrainCheckpoint(bytes.subarray(0, bytes.length - 4), 'run/x.ckpt'), /run\/x\.ckpt: .*truncated/);
  assert.throws(() => decodeTrainCheckpoint(new Uint8Array(40), 'y.ckpt'), /y\.ckpt: not a prnet training checkpoint/);
});

test('resume: k steps, checkpoint, resume, k more == 2k steps in one run (bit-identical)', async () => {
  await setupTrainBackend({ warn: () => {} });
  const opts = { epochs: 3, batchSize: 3, seed: 5, learningRate: 1e-3, checkpointMinutes: 1e9, valLimit: 2 };
  // 7 training samples, batch 3: 2 steps per epoch; 5 steps cross an epoch boundary.
  const straight = createTrainableNetwork(spec, { seed: 2 });
  await trainLoop(straight, syntheticData(7, 2, 4), mask, { ...opts, maxSteps: 5 });
  const expected = straight.exportWeights();
  straight.dispose();

  let saved: Uint8Array | undefined;
  const first = createTrainableNetwork(spec, { seed: 2 });
  const r1 = await trainLoop(first, syntheticData(7, 2, 4), mask, { ...opts, maxSteps: 3 }, { saveCheckpoint: async (c) => { saved = encodeTrainCheckpoint(c); } });
  assert.ok(r1.stopped && r1.step === 3 && saved);
  first.dispose();
  const checkpoint = decodeTrainCheckpoint(saved!);
  assert.equal(checkpoint.epoch, 1);
  assert.equal(checkpoint.stepInEpoch, 1);
  assert.equal(checkpoint.order.length, 7);

  const second = createTrainableNetwork(spec, { seed: 99 }); // different init: everything must come from the checkpoint
  const r2 = await trainLoop(second, syntheticData(7, 2, 4), mask, { ...opts, maxSteps: 5 }, {}, checkpoint);
  assert.equal(r2.step, 5);
  const got = second.exportWeights();
  second.dispose();
  let differing = 0;
  for (const [name, w] of expected) {
    const g = got.get(name)!;
    for (let i = 0; i < w.length; i++) if (w[i] !== g[i]) differing++;
  }
  assert.equal(differing, 0, `${differing} values differ after resume`);
  // And the run did move the weights (not a vacuous comparison).
  const init = createTrainableNetwork(spec, { seed: 2 });
  const w0 = init.exportWeights().get('resfcn256/Conv/weights')!;
  init.dispose();
  assert.ok(w0.some((v, i) => v !== got.get('resfcn256/Conv/weights')![i]));
});
