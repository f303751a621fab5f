/**
 * The trainable network against the independent float64 ResFCN (inference mode), its
 * variables against the shared TF name/shape list, and its training-mode gradients on
 * the fast backend against the same network on tfjs's reference CPU backend.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { networkVariables, resfcnSpec } from '../../../src/model/resfcn.js';
import { createTrainableNetwork } from '../../../src/train/engine/network.js';
import { setupTrainBackend, TRAIN_BACKEND_NAME } from '../../../src/node/train/trainBackend.js';
import { randomImage } from '../../../src/train/engine/randomImage.js';
import { randomWeights } from '../../../src/train/engine/randomWeights.js';
import { naiveResfcn } from '../../../src/model/naiveResfcn.js';
import { randomFloats, seededRandom } from '../../support/random.js';

// 64 px: at 32 the deepest maps are 1×1 and batch-norm gradients become ill-conditioned.
const spec = resfcnSpec({ variant: 'test64', inputSize: 64, baseChannels: 2 });
const S = spec.inputSize;

/** Bilinear half-pixel upsampling to 256 (how the naive reference maps small outputs). */
function upsample(src: Float32Array, side: number, to = 256): Float64Array {
  const out = new Float64Array(to * to * 3);
  const f = to / side;
  for (let y = 0; y < to; y++) for (let x = 0; x < to; x++) {
    const sy = Math.min(Math.max((y + 0.5) / f - 0.5, 0), side - 1), sx = Math.min(Math.max((x + 0.5) / f - 0.5, 0), side - 1);
    const y0 = Math.floor(sy), x0 = Math.floor(sx), y1 = Math.min(y0 + 1, side - 1), x1 = Math.min(x0 + 1, side - 1);
    const dy = sy - y0, dx = sx - x0;
    for (let c = 0; c < 3; c++) {
      const v = (yy: number, xx: number) => src[(yy * side + xx) * 3 + c]!;
      out[(y * to + x) * 3 + c] = (1 - dy) * ((1 - dx) * v(y0, x0) + dx * v(y0, x1)) + dy * ((1 - dx) * v(y1, x0) + dx * v(y1, x1));
    }
  }
  return out;
}

test('variables carry the TF names and shapes of networkVariables(spec)', async () => {
  await setupTrainBackend({ warn: () => {} });
  const net = createTrainableNetwork(spec, { seed: 3 });
  const vars = networkVariables(spec);
  assert.equal(net.variables.size, vars.length);
  for (const v of vars) assert.deepEqual(net.variables.get(v.name)!.shape, v.shape, v.name);
  const w = net.exportWeights();
  // Glorot-uniform bound of the first conv [4,4,3,2] and BN defaults.
  const first = w.get('resfcn256/Conv/weights')!;
  const limit = Math.sqrt(6 / (16 * (3 + 2)));
  assert.ok(first.every((x) => Math.abs(x) <= limit) && first.some((x) => Math.abs(x) > limit / 2));
  assert.ok(w.get('resfcn256/Conv/BatchNorm/gamma')!.every((x) => x === 1));
  assert.ok(w.get('resfcn256/Conv/BatchNorm/moving_variance')!.every((x) => x === 1));
  net.dispose();
});

test('inference forward pass equals the float64 reference network (random weights, batch of 2)', async () => {
  await setupTrainBackend({ warn: () => {} });
  // Plain random weights (not calibrated): calibrated batch norms on 2×2 deep features
  // amplify float32 rounding ~1e4-fold, and the bound here should be tight.
  const weights = randomWeights(spec, 1);
  const images = [randomImage(S, 21), randomImage(S, 22)];
  const references = images.map((im) => naiveResfcn(spec, weights, im));
  const net = createTrainableNetwork(spec);
  net.loadWeights(weights);
  const batch = new Float32Array(2 * S * S * 3);
  batch.set(images[0]!, 0);
  batch.set(images[1]!, S * S * 3);
  const y = tf.tidy(() => net.apply(tf.tensor4d(batch, [2, S, S, 3]), false).dataSync() as Float32Array);
  for (let b = 0; b < 2; b++) {
    const pos = Float32Array.from(y.subarray(b * S * S * 3, (b + 1) * S * S * 3), (v) => v * spec.outputScale);
    const got = upsample(pos, S);
    const ref = references[b]!;
    let err = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < got.length; i++) { err = Math.max(err, Math.abs(got[i]! - ref[i]!)); lo = Math.min(lo, ref[i]!); hi = Math.max(hi, ref[i]!); }
    assert.ok(hi - lo > 10, `reference range ${hi - lo}`); // not a constant map
    assert.ok(err < 0.01, `image ${b}: max error ${err} px`);
  }
  net.dispose();
});

test('training-mode gradients on the fast backend equal those on the reference CPU backend', async () => {
  // This 2-channel network amplifies float32 rounding: batch-norm parameter gradients are
  // sums that cancel almost exactly, and a ReLU that flips between two correct kernels
  // moves them. Measured max / median relative errors of two correct native builds: at
  // 128 px batch 2, 3e-3 / 7e-4 and 2e-2 / 8e-3; at 64 px batch 2, up to 8e-2; at 64 px
  // batch 8 (the same pixels), 1.5e-3 / 3.5e-4 and 3.5e-3 / 5.5e-4 — the best conditioned.
  const G = 64, NB = 8;
  const gspec = resfcnSpec({ variant: 'grad64', inputSize: G, baseChannels: 2 });
  const rng = seededRandom(9);
  const x = randomFloats(NB * G * G * 3, rng);
  const t = randomFloats(NB * G * G * 3, rng);
  const run = (backend: string) => {
    const net = createTrainableNetwork(gspec, { seed: 5 });
    const names = net.trainableNames;
    const out = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(net.apply(tf.tensor4d(x, [NB, G, G, 3]), true), tf.tensor4d(t, [NB, G, G, 3])))) as tf.Scalar,
        names.map((n) => net.variables.get(n)!));
      return { loss: value.dataSync()[0]!, grads: names.map((n) => Float32Array.from(grads[net.variables.get(n)!.name]!.dataSync() as Float32Array)) };
    });
    net.dispose();
    return { ...out, names, backend };
  };
  await setupTrainBackend({ warn: () => {} });
  const fast = run(TRAIN_BACKEND_NAME);
  await tf.setBackend('cpu');
  const ref = run('cpu');
  assert.ok(Math.abs(fast.loss - ref.loss) < 1e-6 * Math.max(1, ref.loss));
  // The fast backend's fused batch norm accumulates in float64, the reference in
  // float32 (the kernels agree to ~1e-6 alone: batchNormTrain.test.ts); through ~30
  // batch norms of a 2-channel network the difference grows to ~1e-3 (a wrong
  // gradient anywhere gives errors of order 1).
  let checked = 0;
  const rel: number[] = [];
  fast.grads.forEach((g, i) => {
    const r = ref.grads[i]!;
    let scale = 1e-12, err = 0;
    for (let j = 0; j < g.length; j++) { scale = Math.max(scale, Math.abs(r[j]!)); err = Math.max(err, Math.abs(g[j]! - r[j]!)); }
    assert.ok(err <= 1e-2 * scale + 1e-9, `${fast.names[i]}: ${err} vs scale ${scale}`);
    rel.push(err / scale);
    if (scale > 1e-8) checked++;
  });
  rel.sort((a, b) => a - b);
  assert.ok(rel[Math.floor(rel.length / 2)]! < 3e-3, `median relative gradient error ${rel[Math.floor(rel.length / 2)]}`);
  assert.ok(checked > fast.names.length / 2, 'most gradients are non-zero');
});
