import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCheckpoint, loadCheckpointWeights } from '../../../src/node/weights/checkpoint.js';
import { checkpointWeights } from '../../../src/model/checkpoint/checkpointWeights.js';
import { networkVariables, resfcnSpec } from '../../../src/model/resfcn.js';
import {
  fixtureTensor, makeOfficialLikeCheckpoint, makeSmallCheckpoint, OFFICIAL_DATA_SIZE, seededRandom,
} from '../../support/checkpointFixture.js';

const spec = resfcnSpec({ baseChannels: 2, inputSize: 64 });

function smallOnDisk(seed: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-ckpt-'));
  const prefix = path.join(dir, 'model');
  const ck = makeSmallCheckpoint(spec, seed);
  writeFileSync(`${prefix}.index`, ck.index);
  writeFileSync(`${prefix}.data-00000-of-00001`, ck.shard);
  return { dir, prefix, ck };
}

test('loadCheckpoint reads a small checkpoint given as prefix, .index or .data path', async () => {
  const { dir, prefix, ck } = smallOnDisk(1);
  try {
    for (const p of [prefix, `${prefix}.index`, `${prefix}.data-00000-of-00001`]) {
      const c = await loadCheckpoint(p);
      assert.equal(c.prefix, prefix);
      assert.deepEqual(c.shards[0], ck.shard);
    }
    const w = await loadCheckpointWeights(prefix, spec);
    for (const [k, v] of ck.weights) assert.deepEqual(w.get(k), v, k);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('loadCheckpoint errors: missing index, missing shard, short and long shard, not a checkpoint', async () => {
  const { dir, prefix } = smallOnDisk(2);
  try {
    await assert.rejects(loadCheckpoint(path.join(dir, 'nope')), { message: `checkpoint index not found: ${path.join(dir, 'nope')}.index` });
    const data = `${prefix}.data-00000-of-00001`;
    const full = readFileSync(data);
    truncateSync(data, full.length - 1);
    await assert.rejects(loadCheckpoint(prefix), new RegExp(`model\\.data-00000-of-00001: ${full.length - 1} bytes but .*model\\.index describes ${full.length}; the file is truncated`));
    writeFileSync(data, full);
    appendFileSync(data, new Uint8Array(3));
    await assert.rejects(loadCheckpoint(prefix), /longer than its index describes/);
    rmSync(data);
    await assert.rejects(loadCheckpoint(prefix), new RegExp(`checkpoint data shard not found: .*model\\.data-00000-of-00001 \\(needed by .*model\\.index\\)`));
    const rand = seededRandom(3);
    writeFileSync(`${prefix}.index`, new Uint8Array(3000).map(() => Math.floor(rand() * 256)));
    await assert.rejects(loadCheckpoint(prefix), /model\.index: not a TensorFlow checkpoint index/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('official-like 160 MB checkpoint: loads, has the official size, weights match the seeded generator', async () => {
  const files = await makeOfficialLikeCheckpoint(undefined, 1);
  const c = await loadCheckpoint(files.prefix);
  assert.equal(c.shards[0]!.length, OFFICIAL_DATA_SIZE);
  assert.equal(c.index.entries.size, 545);
  const official = resfcnSpec();
  const weights = checkpointWeights(official, c.index, c.shards, { shardNames: c.shardPaths });
  assert.equal(weights.size, networkVariables(official).length);
  for (const v of networkVariables(official).filter((_, i) => i % 17 === 0)) {
    assert.deepEqual(weights.get(v.name), fixtureTensor(v, 1), v.name);
  }
});
