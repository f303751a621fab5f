import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRNet, defaultModelPath, resolveModelSource } from '../../src/node/inference/prnet.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { randomOnnxModel } from '../support/randomModel.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo3.jpg', import.meta.url));
const modelBytes = randomOnnxModel({ variant: 'resfcn128-light', seed: 3 });

test('PRNet.load + reconstruct: path, bytes and decoded image give the same faces', async () => {
  const prn = await PRNet.load({ model: modelBytes, dataDir, download: false, threads: 1 });
  try {
    assert.equal(prn.model.inputSize, 128);
    const { faces: fromPath } = await prn.reconstruct(photo, { outputs: { texture: true } });
    const { faces: fromBytes } = await prn.reconstruct(new Uint8Array(await readFile(photo)));
    const { faces: fromImage } = await prn.reconstruct(await decodeImage(photo), { maxFaces: 1 });
    assert.equal(fromPath.length, 1);
    for (const other of [fromBytes, fromImage]) {
      assert.equal(other.length, 1);
      assert.deepEqual(other[0].box, fromPath[0].box);
      assert.deepEqual(other[0].vertices, fromPath[0].vertices);
    }
    const f = fromPath[0];
    assert.equal(f.vertices.length, 43867 * 3);
    assert.equal(f.positionMap.length, 256 * 256 * 3);
    assert.ok(f.pose && Number.isFinite(f.pose.yaw));
    assert.equal(f.texture?.width, 256);
    assert.equal(fromBytes[0].texture, undefined, 'texture only when asked');
    // A user box skips the detector and is reported as given.
    const { faces: [boxed] } = await prn.reconstruct(photo, { box: [100, 120, 150, 160] });
    assert.deepEqual(boxed.box, [100, 120, 150, 160]);
    assert.deepEqual(boxed.crop.center, [175, 200]);
  } finally {
    await prn.dispose();
  }
});

test('PRNet.load without a model explains what to do; bad images fail with the file name', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'prnet-home-'));
  const saved = process.env.PRNET_HOME;
  process.env.PRNET_HOME = home;
  try {
    assert.equal(defaultModelPath(), path.join(home, 'models', 'resfcn256.onnx'));
    const env = { PRNET_HOME: home };
    const noShipped = { env, shippedModel: path.join(home, 'no-shipped-model.onnx') };
    await assert.rejects(resolveModelSource(undefined, noShipped), (err: Error) => err.message.includes(path.join(home, 'models', 'resfcn256.onnx')) && /prnet weights download/.test(err.message) && /--model/.test(err.message));
    // Precedence: explicit model, then $PRNET_MODEL, then the official download, then the shipped model.
    const shipped = path.join(home, 'shipped.onnx');
    await writeFile(shipped, 'x');
    assert.equal(await resolveModelSource(undefined, { env, shippedModel: shipped }), shipped);
    await mkdir(path.join(home, 'models'));
    await writeFile(path.join(home, 'models', 'resfcn256.onnx'), 'x');
    assert.equal(await resolveModelSource(undefined, { env, shippedModel: shipped }), path.join(home, 'models', 'resfcn256.onnx'));
    assert.equal(await resolveModelSource(undefined, { env: { ...env, PRNET_MODEL: shipped }, shippedModel: shipped }), shipped);
    await assert.rejects(resolveModelSource(undefined, { env: { ...env, PRNET_MODEL: '/nope.onnx' } }), /PRNET_MODEL=\/nope\.onnx: no such model file/);
    assert.equal(await resolveModelSource('given.onnx', { env }), 'given.onnx');
  } finally {
    if (saved === undefined) delete process.env.PRNET_HOME;
    else process.env.PRNET_HOME = saved;
    await rm(home, { recursive: true, force: true });
  }
  const prn = await PRNet.load({ model: modelBytes, dataDir, download: false });
  try {
    await assert.rejects(prn.reconstruct('/nonexistent/face.jpg'), /\/nonexistent\/face\.jpg/);
  } finally {
    await prn.dispose();
  }
});
