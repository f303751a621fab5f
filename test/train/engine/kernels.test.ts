/**
 * The fast kernels registered into the training backend (native convolutions, JS
 * element-wise/reduction fast paths) against tfjs-backend-cpu's reference kernels, and
 * the convolutions against an independent float64 loop, on random inputs with every
 * kernel/stride the network uses and batch > 1.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeConv, setupTrainBackend, TRAIN_BACKEND_NAME } from '../../../src/node/train/trainBackend.js';
import { naiveConv2d, naiveConv2dTranspose } from '../../../src/model/naiveResfcn.js';
import { randomFloats, seededRandom } from '../../support/random.js';

const native = loadNativeConv();

/** Runs `f` on a backend and returns plain arrays. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const vals = list.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose(list);
  return vals;
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let scale = 1e-6, err = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}

// [n, side, ci, co, kernel, stride]: every conv and transposed-conv shape class of ResFCN.
const CASES: Array<[number, number, number, number, number, number]> = [
  [2, 16, 3, 5, 4, 1], [3, 16, 6, 7, 4, 2], [2, 15, 4, 6, 4, 2], [2, 12, 8, 9, 1, 1], [3, 12, 5, 8, 1, 2],
  [2, 8, 20, 33, 4, 1], [1, 9, 17, 18, 4, 2], [4, 6, 40, 24, 4, 2],
  // The direct few-channel kernels (≤ 16 lanes): the light network's shapes, odd sizes, 3×3.
  [2, 20, 16, 16, 4, 1], [2, 13, 8, 3, 4, 2], [3, 17, 3, 8, 4, 1], [2, 10, 16, 12, 4, 2], [1, 11, 3, 16, 3, 1], [2, 14, 5, 9, 3, 2],
];

test('native Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter equal the reference kernels and tf.grad', { skip: native ? false : 'native addon not built' }, async () => {
  await setupTrainBackend({ native: true, threads: 2 });
  const rng = seededRandom(11);
  for (const [n, side, ci, co, k, s] of CASES) {
    const x = randomFloats(n * side * side * ci, rng, -1, 1);
    const w = randomFloats(k * k * ci * co, rng, -1, 1);
    const oh = Math.ceil(side / s);
    const dy = randomFloats(n * oh * oh * co, rng, -1, 1);
    const wt = randomFloats(k * k * ci * co, rng, -1, 1); // transposed conv filter [k, k, out=ci, in=co]
    const run = () => {
      const xt = tf.tensor4d(x, [n, side, side, ci]);
      const wv = tf.tensor4d(w, [k, k, ci, co]);
      const dyt = tf.tensor4d(dy, [n, oh, oh, co]);
      const y = tf.conv2d(xt, wv, s, 'same');
      // Gradients of <conv(x, w), dy> give both backprop kernels.
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same'), dyt)))([xt, wv]);
      const tr = tf.conv2dTranspose(dyt, tf.tensor4d(wt, [k, k, ci, co]), [n, side, side, ci], s, 'same');
      return [y, gx!, gw!, tr];
    };
    const fast = await on(TRAIN_BACKEND_NAME, run);
    const ref = await on('cpu', run);
    const names = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'conv2dTranspose'];
    fast.forEach((f, i) => assert.ok(maxRelError(f, ref[i]!) < 1e-5, `${names[i]} n${n} side${side} ${ci}→${co} k${k} s${s}: rel err ${maxRelError(f, ref[i]!)}`));
    // And an independent float64 loop (per image) for the forward conv and the transposed conv.
    for (let b = 0; b < n; b++) {
      const img = { h: side, w: side, c: ci, data: Float64Array.from(x.subarray(b * side * side * ci, (b + 1) * side * side * ci)) };
      const yRef = naiveConv2d(img, w, k, co, s).data;
      const yGot = fast[0]!.subarray(b * oh * oh * co, (b + 1) * oh * oh * co);
      assert.ok(maxRelError(yGot, Float32Array.from(yRef)) < 1e-5, `conv vs float64 loop, image ${b}`);
      const dImg = { h: oh, w: oh, c: co, data: Float64Array.from(dy.subarray(b * oh * oh * co, (b + 1) * oh * oh * co)) };
      if (side === oh * s) {
        const trRef = naiveConv2dTranspose(dImg, wt, k, ci, s).data;
        assert.ok(maxRelError(fast[3]!.subarray(b * side * side * ci, (b + 1) * side * side * ci), Float32Array.from(trRef)) < 1e-5, `transposed conv vs float64 loop, image ${b}`);
      }
    }
  }
});

test('direct few-channel kernels equal the im2col + GEMM kernels', { skip: native ? false : 'native addon not built' }, async () => {
  const rng = seededRandom(21);
  // [n, side, ci, co, kernel, stride]: lanes ≤ 16 on the direct side, both directions.
  // 4-, 8- and 16-float vectors (the narrowest that holds the lanes), and maps smaller than
  // the 8-pixel groups.
  for (const [n, side, ci, co, k, s] of [[2, 33, 3, 8, 4, 1], [2, 32, 8, 3, 4, 2], [1, 19, 16, 16, 4, 2], [3, 9, 12, 5, 4, 1], [2, 16, 3, 3, 4, 1],
    [2, 4, 2, 2, 4, 1], [2, 8, 2, 4, 4, 2], [2, 16, 1, 2, 4, 1], [2, 5, 4, 8, 4, 2], [2, 6, 16, 7, 4, 1]]) {
    const oh = Math.ceil(side / s);
    const x = randomFloats(n * side * side * ci, rng, -1, 1), w = randomFloats(k * k * ci * co, rng, -1, 1), dy = randomFloats(n * oh * oh * co, rng, -1, 1);
    const run = () => {
      const xt = tf.tensor4d(x, [n, side, side, ci]), wv = tf.tensor4d(w, [k, k, ci, co]), dyt = tf.tensor4d(dy, [n, oh, oh, co]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same'), dyt)))([xt, wv]);
      return [tf.conv2d(xt, wv, s, 'same'), gx!, gw!];
    };
    await setupTrainBackend({ native: true, threads: 2 });
    native!.setDirect(0);
    const gemm = await on(TRAIN_BACKEND_NAME, run);
    native!.setDirect(1);
    const direct = await on(TRAIN_BACKEND_NAME, run);
    gemm.forEach((a, i) => assert.ok(maxRelError(direct[i]!, a) < 1e-5, `output ${i} of ${n}×${side}² ${ci}→${co} k${k} s${s}: ${maxRelError(direct[i]!, a)}`));
  }
});

test('the native kernels give the same result with 1 and 2 threads (batch 1 and 3)', { skip: native ? false : 'native addon not built' }, async () => {
  const rng = seededRandom(5);
  for (const n of [1, 3]) {
    const x = randomFloats(n * 16 * 16 * 8, rng, -1, 1), w = randomFloats(4 * 4 * 8 * 12, rng, -1, 1), dy = randomFloats(n * 8 * 8 * 12, rng, -1, 1);
    const run = () => {
      const xt = tf.tensor4d(x, [n, 16, 16, 8]), wv = tf.tensor4d(w, [4, 4, 8, 12]), dyt = tf.tensor4d(dy, [n, 8, 8, 12]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), dyt)))([xt, wv]);
      return [tf.conv2d(xt, wv, 2, 'same'), gx!, gw!];
    };
    await setupTrainBackend({ native: true, threads: 1 });
    const one = await on(TRAIN_BACKEND_NAME, run);
    await setupTrainBackend({ native: true, threads: 2 });
    const two = await on(TRAIN_BACKEND_NAME, run);
    one.forEach((a, i) => assert.ok(maxRelError(a, two[i]!) < 1e-6, `output ${i} batch ${n}`));
  }
});

for (const [label, useNative, shape] of [
  ['JS loops', false, [2, 5, 6, 7]],
  ['native threads (large tensors)', true, [2, 64, 48, 7]],
] as Array<[string, boolean, [number, number, number, number]]>) {
test(`fast element-wise and reduction kernels equal the reference kernels: ${label}`, { skip: useNative && !native ? 'native addon not built' : false }, async () => {
  await setupTrainBackend({ native: useNative, fastElementwise: true, warn: () => {} });
  const rng = seededRandom(3);
  const size = shape.reduce((p, q) => p * q, 1);
  const full = randomFloats(size, rng, -2, 2);
  full[3] = NaN; // NaN must propagate through relu/step as in tfjs
  const full2 = randomFloats(size, rng, 0.5, 2);
  const row = randomFloats(7, rng, 0.5, 2);
  const run = () => {
    const a = tf.tensor4d(full, shape);
    const b = tf.tensor4d(full2, shape);
    const r = tf.tensor1d(row);
    const r4 = tf.reshape(r, [1, 1, 1, 7]);
    const s = tf.scalar(1.7);
    const out: tf.Tensor[] = [];
    for (const f of [tf.add, tf.sub, tf.mul, tf.div] as Array<(p: tf.Tensor, q: tf.Tensor) => tf.Tensor>) {
      out.push(f(a, b), f(a, r), f(r, b), f(a, r4), f(r4, b), f(a, s), f(s, b));
    }
    out.push(tf.sum(a, [0, 1, 2]), tf.mean(a, [0, 1, 2]), tf.sum(a), tf.mean(a, [0, 1], true), tf.sum(a, [1, 2])); // last: not leading → reference path
    out.push(tf.tile(r4, [shape[0], shape[1], shape[2], 1]), tf.relu(a), tf.step(a), tf.step(a, 0.3), tf.square(a));
    return out;
  };
  const fast = await on(TRAIN_BACKEND_NAME, run);
  const ref = await on('cpu', run);
  assert.equal(fast.length, ref.length);
  fast.forEach((f, i) => {
    const r = ref[i]!;
    const nanF = f.map((v) => (Number.isNaN(v) ? 1 : 0)), nanR = r.map((v) => (Number.isNaN(v) ? 1 : 0));
    assert.deepEqual(nanF, nanR, `op #${i}: NaN positions`);
    assert.ok(maxRelError(f.map((v) => (Number.isNaN(v) ? 0 : v)), r.map((v) => (Number.isNaN(v) ? 0 : v))) < 1e-6, `op #${i}: rel err`);
  });
  // Slices of every rank and shape class (contiguous, strided, whole trailing dims, `-1`
  // sizes), their gradient (a pad) and pads with a constant, as the expression loss uses them.
  const sliceRun = () => {
    const a = tf.tensor4d(full, shape);
    const [n, h, w, c] = shape;
    const v = tf.tensor1d(row);
    const m = tf.tensor2d(full.subarray(0, h * w), [h, w]);
    const out: tf.Tensor[] = [
      tf.slice(a, [0, 1, 2, 0], [n, h - 2, w - 3, c]), tf.slice(a, [1, 0, 0, 0], [1, h, w, c]), tf.slice(a, [0, 2, 1, 3], [-1, 2, -1, 2]),
      tf.slice(a, [0, 0, 0, 6], [n, h, w, 1]), tf.slice(v, [2], [4]), tf.slice(m, [1, 1], [h - 2, 2]), tf.slice(a, [0, 1, 0, 0], [n, 0, w, c]),
      tf.pad(a, [[0, 1], [2, 0], [1, 3], [0, 0]]), tf.pad(a, [[0, 0], [1, 1], [0, 0], [2, 1]], 0.25), tf.pad(m, [[3, 0], [0, 2]], -1),
    ];
    const dy = tf.tensor4d(full2.subarray(0, n * (h - 2) * (w - 3) * c), [n, h - 2, w - 3, c]);
    out.push(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.slice(x as tf.Tensor4D, [0, 1, 2, 0], [n, h - 2, w - 3, c]), dy)))(a));
    return out;
  };
  const sFast = await on(TRAIN_BACKEND_NAME, sliceRun);
  const sRef = await on('cpu', sliceRun);
  assert.equal(sFast.length, sRef.length);
  sFast.forEach((f, i) => assert.deepEqual(f, sRef[i]!, `slice/pad #${i}`));
  assert.ok(sRef[0]!.length > 0 && sRef[7]!.some((x) => x !== 0), 'the slices are not empty');
  // The reduction shapes must match too (keepDims).
  await tf.setBackend(TRAIN_BACKEND_NAME);
  assert.deepEqual(tf.mean(tf.ones([2, 3, 4]), [0, 1], true).shape, [1, 1, 4]);
  assert.deepEqual(tf.sum(tf.ones([2, 3, 4]), [0, 1]).shape, [4]);
});
}
