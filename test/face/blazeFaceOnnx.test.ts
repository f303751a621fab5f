import test from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadDetector, readBlazeFaceModel } from '../../src/node/inference/detector.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { blazeFaceToOnnx, BLAZEFACE_ONNX_INPUT } from '../../src/face/blazeFaceOnnx.js';
import { BLAZEFACE_OUTPUTS } from '../../src/face/blazeFaceDetector.js';
import { tfGraphToOnnx } from '../../src/face/tfGraphToOnnx.js';
import { tfGraph, type TfGraphModelJson, type TfGraphNode } from '../../src/face/tfGraph.js';
import { readOnnxMetadata } from '../../src/model/onnx/readOnnxMetadata.js';

const shared = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
const onnxDetector = await loadDetector({ runtime: 'onnx' });
const tfjsDetector = await loadDetector({ runtime: 'tfjs' });
test.after(() => {
  onnxDetector.dispose();
  tfjsDetector.dispose();
});

test('ONNX Runtime and tfjs find the same faces on the fixture photos and AFLW2000 samples', async () => {
  const aflw = (await readdir(`${shared}aflw2000-sample`)).filter((f) => f.endsWith('.jpg')).sort();
  // Every fifth AFLW sample (7 of 31) keeps the test short; all five photos.
  const files = [...[1, 2, 3, 4, 5].map((i) => `${shared}photos/photo${i}.jpg`), ...aflw.filter((_, i) => i % 5 === 0).map((f) => `${shared}aflw2000-sample/${f}`)];
  let worstBox = 0, worstKeypoint = 0, worstScore = 0, faces = 0;
  for (const file of files) {
    const image = await decodeImage(file);
    const a = await onnxDetector.detect(image);
    const b = await tfjsDetector.detect(image);
    assert.equal(a.length, b.length, `${file}: ${a.length} faces (ONNX) vs ${b.length} (tfjs)`);
    assert.ok(a.length >= 1, `${file}: no face`);
    for (let i = 0; i < a.length; i++) {
      faces++;
      for (let q = 0; q < 4; q++) worstBox = Math.max(worstBox, Math.abs(a[i]!.box[q]! - b[i]!.box[q]!));
      a[i]!.keypoints!.forEach(([x, y], k) => (worstKeypoint = Math.max(worstKeypoint, Math.hypot(x - b[i]!.keypoints![k]![0], y - b[i]!.keypoints![k]![1]))));
      worstScore = Math.max(worstScore, Math.abs(a[i]!.score - b[i]!.score));
    }
  }
  assert.ok(worstBox < 1, `box coordinates differ by up to ${worstBox} px`);
  assert.ok(worstKeypoint < 1, `keypoints differ by up to ${worstKeypoint} px`);
  assert.ok(worstScore < 1e-3, `scores differ by up to ${worstScore}`);
  console.log(`# ${files.length} images, ${faces} faces: box ≤ ${worstBox.toExponential(2)} px, keypoints ≤ ${worstKeypoint.toExponential(2)} px, score ≤ ${worstScore.toExponential(2)}`);
});

for (const [channelMultiple, inputLayout] of [[1, 'nhwc'], [16, 'nchw']] as const) test(`the converted graph computes the tfjs graph: raw outputs on one input (channel multiple ${channelMultiple}, ${inputLayout} input)`, async () => {
  const { json, weights } = await readBlazeFaceModel();
  const onnx = blazeFaceToOnnx(json, weights, { channelMultiple, inputLayout });
  assert.match(readOnnxMetadata(onnx).license ?? '', /Apache-2\.0/);
  const session = await ort.InferenceSession.create(onnx);
  try {
    assert.deepEqual(session.inputNames, [BLAZEFACE_ONNX_INPUT]);
    assert.deepEqual([...session.outputNames].sort(), [...BLAZEFACE_OUTPUTS].sort());
    const input = Float32Array.from({ length: 256 * 256 * 3 }, (_, i) => Math.sin(i * 0.37) * 0.9);
    const planar = new Float32Array(input.length);
    for (let i = 0; i < 256 * 256; i++) for (let c = 0; c < 3; c++) planar[c * 256 * 256 + i] = input[3 * i + c]!;
    const fed = inputLayout === 'nchw' ? new ort.Tensor('float32', planar, [1, 3, 256, 256]) : new ort.Tensor('float32', input, [1, 256, 256, 3]);
    const out = await session.run({ [BLAZEFACE_ONNX_INPUT]: fed });
    await tf.setBackend('cpu');
    const graph = tfGraph(json, weights);
    const x = tf.tensor4d(input, [1, 256, 256, 3]);
    const ref = graph.execute(x, [...BLAZEFACE_OUTPUTS]);
    BLAZEFACE_OUTPUTS.forEach((name, k) => {
      const a = out[name]!.data as Float32Array, b = ref[k]!.dataSync();
      assert.deepEqual(out[name]!.dims, ref[k]!.shape, name);
      let diff = 0, range = 0;
      for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i]! - b[i]!)); range = Math.max(range, Math.abs(b[i]!)); }
      assert.ok(diff < 1e-5 * Math.max(1, range) + 1e-4, `${name}: differs by ${diff} (values up to ${range})`);
    });
    x.dispose();
    for (const t of ref) t.dispose();
    graph.dispose();
  } finally {
    await session.release();
  }
});

test('no face in noise through the ONNX path', async () => {
  let s = 987;
  const noise = { width: 450, height: 450, data: new Uint8Array(450 * 450 * 3) };
  for (let i = 0; i < noise.data.length; i++) noise.data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  assert.deepEqual(await onnxDetector.detect(noise), []);
});

// A small graph of every converted op at awkward sizes (odd sides, stride 2 with SAME's
// asymmetric padding, a depthwise multiplier, a channel pad, a constant input to Add).
const list = (...i: number[]) => ({ list: { i: i.map(String) } });
const b64 = (s: string) => btoa(s);
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

function smallGraph(extra: TfGraphNode[] = []): { model: TfGraphModelJson; bytes: Uint8Array } {
  const r = rng(3);
  const weights = [
    { name: 'filt', shape: [3, 3, 3, 4], dtype: 'float32', data: Float32Array.from({ length: 108 }, r) },
    { name: 'bias', shape: [4], dtype: 'float32', data: Float32Array.from({ length: 4 }, r) },
    { name: 'dw', shape: [3, 3, 4, 2], dtype: 'float32', data: Float32Array.from({ length: 72 }, r) },
    { name: 'pw', shape: [1, 1, 8, 4], dtype: 'float32', data: Float32Array.from({ length: 32 }, r) },
    { name: 'pwb', shape: [4], dtype: 'float32', data: Float32Array.from({ length: 4 }, r) },
    { name: 'pad', shape: [4, 2], dtype: 'int32', data: new Int32Array([0, 0, 0, 0, 0, 0, 0, 3]) },
    { name: 'shape', shape: [3], dtype: 'int32', data: new Int32Array([1, -1, 7]) },
  ];
  const node: TfGraphNode[] = [
    { name: 'input', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }, { size: '9' }, { size: '11' }, { size: '3' }] } } } as TfGraphNode['attr'] },
    ...weights.map((w) => ({ name: w.name, op: 'Const' })),
    { name: 'conv', op: '_FusedConv2D', input: ['input', 'filt', 'bias'], attr: { strides: list(1, 2, 2, 1), padding: { s: b64('SAME') }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } } } },
    { name: 'dwconv', op: 'DepthwiseConv2dNative', input: ['conv', 'dw'], attr: { strides: list(1, 2, 2, 1), padding: { s: b64('SAME') } } },
    { name: 'pwconv', op: '_FusedConv2D', input: ['dwconv', 'pw', 'pwb'], attr: { strides: list(1, 1, 1, 1), padding: { s: b64('VALID') }, fused_ops: { list: { s: [b64('BiasAdd')] } } } },
    { name: 'pool', op: 'MaxPool', input: ['conv'], attr: { ksize: list(1, 2, 2, 1), strides: list(1, 2, 2, 1), padding: { s: b64('SAME') } } },
    { name: 'add', op: 'AddV2', input: ['pwconv', 'pool'] },
    { name: 'relu', op: 'Relu', input: ['add'] },
    { name: 'padded', op: 'Pad', input: ['relu', 'pad'] },
    { name: 'reshaped', op: 'Reshape', input: ['padded', 'shape'] },
    { name: 'out', op: 'Identity', input: ['reshaped'] },
    ...extra,
  ];
  const bytes = new Uint8Array(weights.reduce((n, w) => n + w.data.byteLength, 0));
  let o = 0;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.data.buffer), o);
    o += w.data.byteLength;
  }
  return { model: { modelTopology: { node }, weightsManifest: [{ paths: ['w.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }] }, bytes };
}

for (const [channelMultiple, inputLayout] of [[1, 'nhwc'], [5, 'nchw'], [16, 'nhwc']] as const) test(`tfGraphToOnnx: every op at odd sizes agrees with the tfjs executor (channels padded to a multiple of ${channelMultiple}, ${inputLayout} input)`, async () => {
  const { model, bytes } = smallGraph();
  const session = await ort.InferenceSession.create(tfGraphToOnnx(model, bytes, { channelMultiple, inputLayout }));
  try {
    assert.deepEqual(session.outputNames, ['out']);
    const input = Float32Array.from({ length: 9 * 11 * 3 }, rng(11));
    const planar = new Float32Array(input.length);
    for (let i = 0; i < 9 * 11; i++) for (let c = 0; c < 3; c++) planar[c * 99 + i] = input[3 * i + c]!;
    const fed = inputLayout === 'nchw' ? new ort.Tensor('float32', planar, [1, 3, 9, 11]) : new ort.Tensor('float32', input, [1, 9, 11, 3]);
    const out = (await session.run({ input: fed })).out!;
    await tf.setBackend('cpu');
    const graph = tfGraph(model, bytes);
    const [ref] = graph.execute(tf.tensor4d(input, [1, 9, 11, 3]), ['out']);
    // conv: 5×6×4, depthwise: 3×3×8 → 3×3×4; pool of conv: 3×3×4; pad to 7 channels.
    assert.deepEqual(out.dims, [1, 9, 7]);
    assert.deepEqual(ref!.shape, [1, 9, 7]);
    const a = out.data as Float32Array, b = ref!.dataSync();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `value ${i}: ${a[i]} vs ${b[i]}`);
    graph.dispose();
  } finally {
    await session.release();
  }
});

test('tfGraphToOnnx rejects an unknown op, naming it and its node', () => {
  const { model, bytes } = smallGraph([{ name: 'swish', op: 'Sigmoid', input: ['out'] }]);
  assert.throws(() => tfGraphToOnnx(model, bytes), /unsupported op Sigmoid \(node swish\)/);
  const fused = smallGraph();
  const conv = fused.model.modelTopology.node.find((n) => n.name === 'conv')!;
  conv.attr!.fused_ops = { list: { s: [b64('BiasAdd'), b64('Relu6')] } };
  assert.throws(() => tfGraphToOnnx(fused.model, fused.bytes), /node conv \(_FusedConv2D\): unsupported fused op Relu6/);
});

test('the detector in a worker thread finds exactly what the in-thread one finds, and overlapping calls come back in place', async () => {
  const inWorker = await loadDetector({ worker: true });
  try {
    const images = await Promise.all([1, 3, 5].map((i) => decodeImage(`${shared}photos/photo${i}.jpg`)));
    const direct = [];
    for (const image of images) direct.push(await onnxDetector.detect(image));
    // All three in flight at once: each reply must reach its own caller.
    const viaWorker = await Promise.all(images.map((image) => inWorker.detect(image)));
    assert.deepEqual(viaWorker, direct);
    assert.ok(direct.every((faces) => faces.length >= 1));
    assert.notDeepEqual(direct[0], direct[1]);
  } finally {
    inWorker.dispose();
  }
});
