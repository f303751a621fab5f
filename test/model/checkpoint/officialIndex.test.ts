import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCheckpointIndex } from '../../../src/model/checkpoint/parseCheckpointIndex.js';
import { encodeCheckpointIndex } from '../../support/encodeCheckpointIndex.js';
import { writeCheckpoint } from '../../support/writeCheckpoint.js';
import { OPTIMIZER_VARIABLE_PATTERN } from '../../../src/model/checkpoint/checkpointWeights.js';
import { networkVariables, resfcnSpec } from '../../../src/model/resfcn.js';
import { OFFICIAL_DATA_SIZE, trainingCheckpointVariables } from '../../support/checkpointFixture.js';

const OFFICIAL_INDEX = new URL('../../../../shared/prnet-data/net-data/256_256_resfcn256_weight.index', import.meta.url);
const bytes = new Uint8Array(readFileSync(OFFICIAL_INDEX));
const index = parseCheckpointIndex(bytes, { fileName: '256_256_resfcn256_weight.index' });

test('official index: header and 545 float entries', () => {
  assert.equal(bytes.length, 20319);
  assert.equal(index.entries.size, 545);
  assert.deepEqual(index.header, { numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } });
  for (const e of index.entries.values()) {
    assert.equal(e.dtype, 1, e.name);
    assert.equal(e.shardId, 0);
    assert.equal(e.slices, 0);
    assert.equal(e.size, 4 * e.shape.reduce((a, b) => a * b, 1), e.name);
  }
});

test('official index: every network variable is present with its spec shape; the rest is optimizer state', () => {
  const vars = networkVariables(resfcnSpec());
  assert.equal(vars.length, 245);
  for (const v of vars) assert.deepEqual(index.entries.get(v.name)?.shape, v.shape, v.name);
  const names = new Set(vars.map((v) => v.name));
  const extra = [...index.entries.keys()].filter((k) => !names.has(k));
  assert.equal(extra.length, 300);
  for (const k of extra) assert.match(k, OPTIMIZER_VARIABLE_PATTERN);
});

test('official index: data is contiguous in key order and ends at the official data size', () => {
  const list = [...index.entries.values()];
  let end = 0;
  for (const e of list) {
    assert.equal(e.offset, end, e.name);
    end = e.offset + e.size;
  }
  assert.equal(Math.max(...list.map((e) => e.offset + e.size)), OFFICIAL_DATA_SIZE);
  const slots = list.filter((e) => OPTIMIZER_VARIABLE_PATTERN.test(e.name)).reduce((s, e) => s + e.size, 0);
  const net = list.filter((e) => !OPTIMIZER_VARIABLE_PATTERN.test(e.name)).reduce((s, e) => s + e.size, 0);
  assert.equal(net + slots, OFFICIAL_DATA_SIZE);
});

test('official index: re-encoding the parsed entries gives the identical bytes', () => {
  assert.deepEqual(encodeCheckpointIndex(index.header, index.entries.values()), bytes);
});

test('fixture layout equals the official layout (names, order, shapes, offsets, sizes)', () => {
  const vars = trainingCheckpointVariables(resfcnSpec());
  // Zero-filled lazily only to get the entries; values do not affect the layout.
  const { entries, index: written } = writeCheckpoint(vars.map((v) => ({ name: v.name, shape: v.shape, data: () => new Float32Array(v.shape.reduce((a, b) => a * b, 1)) })));
  const official = [...index.entries.values()];
  assert.equal(entries.length, official.length);
  entries.forEach((e, i) => {
    const o = official[i]!;
    assert.deepEqual([e.name, e.shape, e.offset, e.size, e.dtype], [o.name, o.shape, o.offset, o.size, o.dtype]);
  });
  assert.equal(written.length, bytes.length);
});
