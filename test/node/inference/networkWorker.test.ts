import test from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkerModel } from '../../../src/node/inference/networkWorker.js';
import { loadOnnxModel } from '../../../src/node/inference/onnxModel.js';
import { randomOnnxModel } from '../../support/randomModel.js';

test('the worker-thread model returns what the in-thread model returns, and reports errors', async () => {
  const bytes = randomOnnxModel({ variant: 'resfcn128-light', seed: 5 });
  const direct = await loadOnnxModel(bytes, { threads: 1 });
  const worker = await loadWorkerModel(bytes, { threads: 1 });
  try {
    assert.equal(worker.inputSize, 128);
    assert.equal(worker.metadata['prnet.variant'], 'resfcn128-light');
    let s = 9;
    const input = Float32Array.from({ length: 2 * 128 * 128 * 3 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const [a, b] = await Promise.all([direct.predict(input, 2), worker.predict(input, 2)]);
    assert.equal(b.length, 2 * 256 * 256 * 3);
    assert.deepEqual(b, a);
    assert.ok(a.some((v) => v !== a[0]), 'output is not constant');
    // Two calls in flight come back to the right callers.
    const [c, d] = await Promise.all([worker.predict(input.subarray(0, 49152), 1), worker.predict(input.subarray(49152), 1)]);
    assert.deepEqual(c, a.subarray(0, 196608));
    assert.deepEqual(d, a.subarray(196608));
    await assert.rejects(worker.predict(new Float32Array(10), 1), /model input must hold/);
  } finally {
    await direct.dispose();
    await worker.dispose();
  }
  await assert.rejects(loadWorkerModel(new Uint8Array([1, 2, 3])), /not an ONNX model|cannot load/);
});

test('dispose while a run is in flight: the run finishes with its output, then the worker stops (no abort); later calls reject', async () => {
  const bytes = randomOnnxModel({ variant: 'resfcn128-light', seed: 6 });
  const direct = await loadOnnxModel(bytes, { threads: 1 });
  const worker = await loadWorkerModel(bytes, { threads: 1 });
  let s = 11;
  const batch = 16;
  const input = Float32Array.from({ length: batch * 128 * 128 * 3 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  try {
    const running = worker.predict(input, batch);
    await new Promise((r) => setTimeout(r, 20));
    // Terminating the worker inside onnxruntime-node's native run would abort this process.
    await worker.dispose();
    assert.deepEqual(await running, await direct.predict(input, batch));
    await assert.rejects(worker.predict(input.subarray(0, 128 * 128 * 3), 1), /network worker was stopped/);
  } finally {
    await direct.dispose();
  }
});
