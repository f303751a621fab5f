/**
 * The fused training batch norm (+ReLU) kernel and its gradient kernel, JS loops and
 * native loops, against tfjs autodiff of the same layer written as tfjs primitives on
 * the reference CPU backend; random inputs with a large common offset (a naive
 * one-pass variance would lose it) and random upstream gradients.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeConv, setupTrainBackend, TRAIN_BACKEND_NAME } from '../../../src/node/train/trainBackend.js';
import { batchNormTrain, batchNormTrainReference } from '../../../src/train/engine/batchNormTrain.js';
import { randomFloats, seededRandom } from '../../support/random.js';

const native = loadNativeConv();
const EPS = 0.001;

interface Result { y: Float32Array; mean: Float32Array; variance: Float32Array; dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array }

function run(fused: boolean, shape: [number, number, number, number], relu: boolean, seed: number): Result {
  const rng = seededRandom(seed);
  const c = shape[3];
  const n = shape.reduce((p, q) => p * q, 1);
  // Per-channel offsets up to ±40 and spreads 0.5–2.5.
  const offset = Array.from({ length: c }, () => 80 * (rng() - 0.5));
  const spread = Array.from({ length: c }, () => 0.5 + 2 * rng());
  const xv = Float32Array.from(randomFloats(n, rng), (v, i) => offset[i % c]! + spread[i % c]! * v);
  const gv = Float32Array.from(randomFloats(c, rng), (v) => 1 + 0.5 * v);
  const bv = randomFloats(c, rng);
  const wv = randomFloats(n, rng);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, shape), gamma = tf.tensor1d(gv), beta = tf.tensor1d(bv), w = tf.tensor4d(wv, shape);
    const layer = fused ? batchNormTrain : batchNormTrainReference;
    const r = layer(x, gamma, beta, EPS, relu);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(layer(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPS, relu).y, w)))([x, gamma, beta]);
    const f = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
    return { y: f(r.y), mean: f(r.mean), variance: f(r.variance), dx: f(grads[0]!), dgamma: f(grads[1]!), dbeta: f(grads[2]!) };
  });
}

function assertClose(got: Float32Array, want: Float32Array, rel: number, what: string): void {
  assert.equal(got.length, want.length, what);
  let scale = 1e-6, err = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  assert.ok(err <= rel * scale, `${what}: max error ${err} vs scale ${scale}`);
}

for (const useNative of [false, true]) {
  test(`fused batch norm equals tfjs autodiff of the primitive ops (${useNative ? 'native' : 'JS'} loops)`, { skip: useNative && !native ? 'native addon not built' : false }, async () => {
    const shapes: Array<[number, number, number, number]> = [[2, 9, 7, 5], [3, 16, 16, 16], [4, 32, 32, 17]];
    for (const [k, shape] of shapes.entries()) {
      for (const relu of [true, false]) {
        await setupTrainBackend({ native: useNative, warn: () => {} }); // registers tfjs's gradients
        await tf.setBackend('cpu');
        const ref = run(false, shape, relu, 11 + k);
        await setupTrainBackend({ native: useNative, warn: () => {} });
        const got = run(true, shape, relu, 11 + k);
        const tag = `[${shape}] relu=${relu}`;
        // The reference's own float32 rounding (the fused kernels accumulate in
        // float64) sets these tolerances; dgamma = Σ dy·x̂ cancels, hence its looser one.
        assertClose(got.mean, ref.mean, 1e-6, `mean ${tag}`);
        assertClose(got.variance, ref.variance, 1e-5, `variance ${tag}`);
        assertClose(got.y, ref.y, 1e-5, `y ${tag}`);
        assertClose(got.dbeta, ref.dbeta, 1e-5, `dbeta ${tag}`);
        assertClose(got.dgamma, ref.dgamma, 5e-4, `dgamma ${tag}`);
        assertClose(got.dx, ref.dx, 2e-5, `dx ${tag}`);
        if (relu) assert.ok(got.y.some((v) => v === 0) && got.y.some((v) => v > 0), 'ReLU clips some outputs and passes others');
      }
    }
  });
}

test('fused batch norm refuses gradients through its statistics outputs', async () => {
  await setupTrainBackend({ warn: () => {} });
  assert.equal(tf.getBackend(), TRAIN_BACKEND_NAME);
  const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const f = (a: tf.Tensor) => tf.sum(batchNormTrain(a as tf.Tensor4D, tf.ones([3]), tf.zeros([3]), EPS, true).mean);
  assert.throws(() => tf.grad(f)(x), /mean or variance outputs are not supported/);
  x.dispose();
});

test('fused batch norm leaks no tensors across a gradient step', async () => {
  await setupTrainBackend({ warn: () => {} });
  const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
  const gamma = tf.ones([4]) as tf.Tensor1D, beta = tf.zeros([4]) as tf.Tensor1D;
  const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.square(batchNormTrain(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPS, true).y)))([x, gamma, beta]).map((t) => t.dataSync()));
  step();
  const before = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, gamma, beta]);
});
