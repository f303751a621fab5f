import test from 'node:test';
import assert from 'node:assert/strict';
import { loadOrtSessionWorker } from '../../../src/node/inference/ortSessionWorker.js';
import { readBlazeFaceModel } from '../../../src/node/inference/detector.js';
import { blazeFaceToOnnx, BLAZEFACE_ONNX_INPUT } from '../../../src/face/blazeFaceOnnx.js';
import { BLAZEFACE_OUTPUTS } from '../../../src/face/blazeFaceDetector.js';
import * as ort from 'onnxruntime-node';

test('a session in a worker returns what the same session returns in-thread, and reports errors', async () => {
  const { json, weights } = await readBlazeFaceModel();
  const model = blazeFaceToOnnx(json, weights, { inputLayout: 'nchw' });
  const direct = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const worker = await loadOrtSessionWorker(model, { intraOpNumThreads: 1 });
  try {
    const data = Float32Array.from({ length: 3 * 256 * 256 }, (_, i) => Math.sin(i * 0.61) * 0.8);
    const a = await direct.run({ [BLAZEFACE_ONNX_INPUT]: new ort.Tensor('float32', data, [1, 3, 256, 256]) });
    const b = await worker.run({ [BLAZEFACE_ONNX_INPUT]: { data, dims: [1, 3, 256, 256] } });
    assert.deepEqual(Object.keys(b).sort(), [...BLAZEFACE_OUTPUTS].sort());
    for (const name of BLAZEFACE_OUTPUTS) {
      assert.deepEqual(b[name]!.data, a[name]!.data, name);
      assert.deepEqual([...b[name]!.dims], [...a[name]!.dims], name);
    }
    assert.ok(data.some((v) => v !== 0), 'the input still holds its values (copied, not transferred)');
    await assert.rejects(worker.run({ [BLAZEFACE_ONNX_INPUT]: { data: new Float32Array(12), dims: [1, 3, 2, 2] } }), /./);
    // The worker still serves after a failed call.
    const c = await worker.run({ [BLAZEFACE_ONNX_INPUT]: { data, dims: [1, 3, 256, 256] } });
    assert.deepEqual(c[BLAZEFACE_OUTPUTS[0]!]!.data, a[BLAZEFACE_OUTPUTS[0]!]!.data);
  } finally {
    await direct.release();
    await worker.release();
  }
  await assert.rejects(loadOrtSessionWorker(new Uint8Array([1, 2, 3])), /cannot load the ONNX model/);
});
