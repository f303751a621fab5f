import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfGraph, type TfGraphModelJson, type TfGraphNode } from '../../src/face/tfGraph.js';

// A seeded generator so the random graph is the same every run.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

const b64 = (s: string) => btoa(s);
const list = (...i: number[]) => ({ list: { i: i.map(String) } });

/** TF "SAME" padding: total pad = max((ceil(n/s) − 1)·s + k − n, 0), the smaller half first. */
function samePad(n: number, k: number, s: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), out];
}

type T3 = { h: number; w: number; c: number; v: Float64Array };
const at = (t: T3, y: number, x: number, c: number) => (y < 0 || x < 0 || y >= t.h || x >= t.w ? 0 : t.v[(y * t.w + x) * t.c + c]);

function conv(t: T3, f: Float64Array, k: number, cout: number, s: number, bias: Float64Array, relu: boolean): T3 {
  const [p, oh] = samePad(t.h, k, s);
  const [q, ow] = samePad(t.w, k, s);
  const v = new Float64Array(oh * ow * cout);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let o = 0; o < cout; o++) {
    let acc = bias[o];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let c = 0; c < t.c; c++) acc += at(t, y * s + i - p, x * s + j - q, c) * f[((i * k + j) * t.c + c) * cout + o];
    v[(y * ow + x) * cout + o] = relu ? Math.max(0, acc) : acc;
  }
  return { h: oh, w: ow, c: cout, v };
}

function depthwise(t: T3, f: Float64Array, k: number): T3 {
  const [p] = samePad(t.h, k, 1);
  const v = new Float64Array(t.v.length);
  for (let y = 0; y < t.h; y++) for (let x = 0; x < t.w; x++) for (let c = 0; c < t.c; c++) {
    let acc = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) acc += at(t, y + i - p, x + j - p, c) * f[(i * k + j) * t.c + c];
    v[(y * t.w + x) * t.c + c] = acc;
  }
  return { ...t, v };
}

function maxPool2(t: T3): T3 {
  const oh = Math.ceil(t.h / 2), ow = Math.ceil(t.w / 2);
  const v = new Float64Array(oh * ow * t.c);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let c = 0; c < t.c; c++) {
    let m = -Infinity;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) if (2 * y + i < t.h && 2 * x + j < t.w) m = Math.max(m, at(t, 2 * y + i, 2 * x + j, c));
    v[(y * ow + x) * t.c + c] = m;
  }
  return { h: oh, w: ow, c: t.c, v };
}

test('tfGraph runs conv / depthwise / add / relu / maxpool / pad / reshape like a naive float64 reference', async () => {
  await tf.setBackend('cpu');
  const r = rng(7);
  const H = 7, C = 3, K = 3, CO = 4;
  const filt = Float32Array.from({ length: K * K * C * CO }, r);
  const bias = Float32Array.from({ length: CO }, r);
  const dw = Float32Array.from({ length: K * K * CO }, r);
  const pad = new Int32Array([0, 0, 0, 0, 0, 0, 0, 2]);
  const shape = new Int32Array([1, -1, 6]);
  const weights = [
    { name: 'filt', shape: [K, K, C, CO], dtype: 'float32', data: filt },
    { name: 'bias', shape: [CO], dtype: 'float32', data: bias },
    { name: 'dw', shape: [K, K, CO, 1], dtype: 'float32', data: dw },
    { name: 'pad', shape: [4, 2], dtype: 'int32', data: pad },
    { name: 'shape', shape: [3], dtype: 'int32', data: shape },
  ];
  const node: TfGraphNode[] = [
    { name: 'input', op: 'Placeholder' },
    ...weights.map((w) => ({ name: w.name, op: 'Const' })),
    { name: 'conv', op: '_FusedConv2D', input: ['input', 'filt', 'bias'], attr: { strides: list(1, 2, 2, 1), padding: { s: b64('SAME') }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } } } },
    { name: 'dwconv', op: 'DepthwiseConv2dNative', input: ['conv', 'dw'], attr: { strides: list(1, 1, 1, 1), padding: { s: b64('SAME') } } },
    { name: 'add', op: 'AddV2', input: ['conv', 'dwconv'] },
    { name: 'relu', op: 'Relu', input: ['add'] },
    { name: 'pool', op: 'MaxPool', input: ['relu'], attr: { ksize: list(1, 2, 2, 1), strides: list(1, 2, 2, 1), padding: { s: b64('SAME') } } },
    { name: 'padded', op: 'Pad', input: ['pool', 'pad'] },
    { name: 'reshaped', op: 'Reshape', input: ['padded', 'shape'] },
    { name: 'out', op: 'Identity', input: ['reshaped'] },
  ];
  const model: TfGraphModelJson = {
    modelTopology: { node },
    weightsManifest: [{ paths: ['w.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  const bytes = new Uint8Array(weights.reduce((n, w) => n + w.data.byteLength, 0));
  let o = 0;
  for (const w of weights) { bytes.set(new Uint8Array(w.data.buffer), o); o += w.data.byteLength; }
  const graph = tfGraph(model, bytes);
  const input = Float32Array.from({ length: H * H * C }, r);
  const [out] = graph.execute(tf.tensor4d(input, [1, H, H, C]), ['out']);
  assert.deepEqual(out.shape, [1, 4, 6]);
  const got = await out.data();

  const x: T3 = { h: H, w: H, c: C, v: Float64Array.from(input) };
  const c1 = conv(x, Float64Array.from(filt), K, CO, 2, Float64Array.from(bias), true);
  const d1 = depthwise(c1, Float64Array.from(dw), K);
  const sum = { ...c1, v: c1.v.map((v, i) => Math.max(0, v + d1.v[i])) };
  const p1 = maxPool2(sum);
  const want: number[] = [];
  for (let i = 0; i < p1.h * p1.w; i++) want.push(...p1.v.subarray(i * CO, (i + 1) * CO), 0, 0);
  assert.equal(got.length, want.length);
  const err = Math.max(...want.map((w, i) => Math.abs(w - got[i])));
  assert.ok(err < 1e-4, `max error ${err}`);
  assert.ok(want.some((v) => v > 0.1), 'reference is not trivially zero');
  graph.dispose();
});

test('tfGraph refuses unknown ops with the node name', () => {
  assert.throws(() => tfGraph({ modelTopology: { node: [{ name: 'x', op: 'Softmax' }] }, weightsManifest: [] }, new Uint8Array()), /unsupported op Softmax \(node x\)/);
});
