import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, copyFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resfcnSpec } from '../../src/model/resfcn.js';
import { MODEL_METADATA } from '../../src/model/convertCheckpoint.js';
import { readOnnxMetadata } from '../../src/model/onnx/readOnnxMetadata.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { loadCheckpointWeights } from '../../src/node/weights/checkpoint.js';
import { makeOfficialLikeCheckpoint } from '../support/checkpointFixture.js';
import { naiveResfcn } from '../../src/model/naiveResfcn.js';
import { randomImage } from '../../src/train/engine/randomImage.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const prnet = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), ...args], { encoding: 'utf8' });

test('prnet convert turns an official-layout checkpoint into an ONNX model that matches the naive reference', async () => {
  const { prefix, dataPath } = await makeOfficialLikeCheckpoint();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-convert-'));
  const out = path.join(dir, 'model.onnx');
  const r = prnet('convert', prefix, '-o', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*model\.onnx/);
  const bytes = new Uint8Array(readFileSync(out));
  const meta = readOnnxMetadata(bytes);
  assert.equal(meta[MODEL_METADATA.variant], 'resfcn256');
  const { createHash } = await import('node:crypto');
  assert.equal(meta[MODEL_METADATA.sourceSha256], createHash('sha256').update(readFileSync(dataPath)).digest('hex'));

  const spec = resfcnSpec();
  const weights = await loadCheckpointWeights(prefix, spec);
  const image = randomImage(256, 77);
  const reference = naiveResfcn(spec, weights, image);
  const model = await loadOnnxModel(bytes);
  const got = await model.predict(image, 1);
  await model.dispose();
  let d = 0;
  for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i]! - reference[i]!));
  assert.ok(d < 0.3, `max |onnx − naive| = ${d} px`);

  const half = path.join(dir, 'model-fp16.onnx');
  const r16 = prnet('convert', prefix, '-o', half, '--fp16');
  assert.equal(r16.status, 0, r16.stderr);
  assert.ok(readFileSync(half).length < bytes.length * 0.55);
});

test('prnet convert fails clearly on a missing shard and writes nothing', async () => {
  const { indexPath } = await makeOfficialLikeCheckpoint();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-convert-bad-'));
  copyFileSync(indexPath, path.join(dir, 'ckpt.index'));
  const r = prnet('convert', path.join(dir, 'ckpt'), '-o', path.join(dir, 'out.onnx'));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /prnet: .*shard.*not found/i);
  assert.deepEqual(readdirSync(dir), ['ckpt.index']);

  writeFileSync(path.join(dir, 'junk.index'), 'this is not a checkpoint');
  const r2 = prnet('convert', path.join(dir, 'junk'), '-o', path.join(dir, 'out.onnx'));
  assert.notEqual(r2.status, 0);
  assert.equal(r2.stderr.trim().split('\n').length, 1, r2.stderr);
  assert.ok(!existsSync(path.join(dir, 'out.onnx')));

  const r3 = prnet('convert', path.join(dir, 'ckpt'), '-o', path.join(dir, 'out.onnx'), '--variant', 'nope');
  assert.match(r3.stderr, /unknown network variant "nope"/);
});

test('prnet convert --int8 calibrates on detected faces and writes a smaller int8 model', async () => {
  const { prefix } = await makeOfficialLikeCheckpoint();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-convert-int8-'));
  const out = path.join(dir, 'int8.onnx');
  const photos = path.join(root, '../shared/fixtures/photos');
  writeFileSync(path.join(dir, 'not-a-photo.jpg'), 'text');
  const r = prnet('convert', prefix, '-o', out, '--int8', photos, path.join(dir, 'not-a-photo.jpg'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /calibration: .*not-a-photo\.jpg/);
  const bytes = new Uint8Array(readFileSync(out));
  assert.match(readOnnxMetadata(bytes)[MODEL_METADATA.weightsType]!, /^int8/);
  assert.ok(bytes.length < 20e6, `${bytes.length} bytes`);
  const model = await loadOnnxModel(bytes);
  const got = await model.predict(randomImage(256, 5), 1);
  await model.dispose();
  assert.ok(got.every((v) => Number.isFinite(v) && v >= 0 && v <= 281.6 + 1e-3));
  const both = prnet('convert', prefix, '-o', out, '--int8', photos, '--fp16');
  assert.match(both.stderr, /exclude each other/);
  assert.equal(both.status, 2, 'a usage error');
});
