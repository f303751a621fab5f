import test from 'node:test';
import assert from 'node:assert/strict';
import { resfcnSpec } from '../../src/model/resfcn.js';
import { convertCheckpoint } from '../../src/model/convertCheckpoint.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { loadOnnxWebModel } from '../../src/web/onnxWebModel.js';
import { randomImage } from '../../src/train/engine/randomImage.js';
import { randomWeights } from '../../src/train/engine/randomWeights.js';

test('onnxruntime-web (wasm) and onnxruntime-node agree on the same model', async () => {
  const spec = resfcnSpec({ variant: 'tiny', inputSize: 64, baseChannels: 2 });
  const bytes = convertCheckpoint(spec, randomWeights(spec, 5));
  const image = randomImage(64, 3);
  const web = await loadOnnxWebModel(bytes, { threads: 1 });
  const node = await loadOnnxModel(bytes, { threads: 1 });
  const a = await web.predict(image, 1);
  const b = await node.predict(image, 1);
  await web.dispose();
  await node.dispose();
  assert.equal(web.inputSize, 64);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  assert.ok(d < 1e-3, `max diff ${d}`);
});

test('onnxruntime-web refuses a model whose prnet.input_size is not a size, as onnxruntime-node does, instead of NaN crops', async () => {
  const { constantFaceModel } = await import('../support/randomModel.js');
  const bytes = constantFaceModel(new Float32Array(256 * 256 * 3).fill(100), 256, { 'prnet.variant': 'x', 'prnet.input_size': 'abc' });
  await assert.rejects(loadOnnxWebModel(bytes, { threads: 1 }), /^Error: its prnet\.input_size metadata "abc" is not a crop size in pixels$/);
  await assert.rejects(loadOnnxModel(bytes, { threads: 1 }), /: its prnet\.input_size metadata "abc" is not a crop size in pixels$/);
  // Without the key, official PRNet's 256.
  const official = await loadOnnxWebModel(constantFaceModel(new Float32Array(256 * 256 * 3).fill(100), 256, { 'prnet.variant': 'x' }), { threads: 1 });
  assert.equal(official.inputSize, 256);
  await official.dispose();
});

test('onnxruntime-web refuses a model whose graph and metadata disagree on the crop size, as onnxruntime-node does', async () => {
  const { constantFaceModel } = await import('../support/randomModel.js');
  // The graph takes 256×256 crops; the metadata says 128.
  const bytes = constantFaceModel(new Float32Array(256 * 256 * 3).fill(100), 256, { 'prnet.variant': 'x', 'prnet.input_size': '128' });
  const message = /its graph takes 256×256×3 crops, not 128×128×3, its prnet\.input_size metadata's$/;
  await assert.rejects(loadOnnxWebModel(bytes, { threads: 1 }), message);
  await assert.rejects(loadOnnxModel(bytes, { threads: 1 }), message);
  // Agreeing sizes load.
  const fine = await loadOnnxWebModel(constantFaceModel(new Float32Array(256 * 256 * 3).fill(100), 256, { 'prnet.variant': 'x', 'prnet.input_size': '256' }), { threads: 1 });
  assert.equal(fine.inputSize, 256);
  await fine.dispose();
});
