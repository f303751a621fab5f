import test from 'node:test';
import assert from 'node:assert/strict';
import { checkpointWeights } from '../../../src/model/checkpoint/checkpointWeights.js';
import { encodeCheckpointIndex } from '../../support/encodeCheckpointIndex.js';
import { parseCheckpointIndex } from '../../../src/model/checkpoint/parseCheckpointIndex.js';
import { readCheckpointTensor } from '../../../src/model/checkpoint/readCheckpointTensor.js';
import { writeCheckpoint } from '../../support/writeCheckpoint.js';
import { toFloat16Bits } from '../../../src/model/float16.js';
import { networkVariables, resfcnSpec } from '../../../src/model/resfcn.js';
import { fixtureTensor, makeSmallCheckpoint, seededRandom } from '../../support/checkpointFixture.js';

const spec = resfcnSpec({ baseChannels: 2, inputSize: 64 });
const FILE = 'small.index';
const SHARD = 'small.data-00000-of-00001';

function load(index: Uint8Array) {
  return parseCheckpointIndex(index, { fileName: FILE });
}

test('small checkpoint: every spec variable comes back bit-exact, optimizer slots skipped', () => {
  const ck = makeSmallCheckpoint(spec, 7);
  const index = load(ck.index);
  assert.ok(index.entries.size > networkVariables(spec).length, 'has Adam slots');
  const weights = checkpointWeights(spec, index, [ck.shard]);
  assert.deepEqual([...weights.keys()], networkVariables(spec).map((v) => v.name));
  for (const v of networkVariables(spec)) {
    const got = weights.get(v.name)!;
    assert.deepEqual(got, ck.weights.get(v.name), v.name);
    assert.equal(got.length, v.shape.reduce((a, b) => a * b, 1));
  }
  // The fixture's distributions are as documented (catches a generator that writes zeros).
  const variance = weights.get(`${spec.rootScope}/Conv/BatchNorm/moving_variance`)!;
  assert.ok(variance.every((x) => x >= 0.5 && x <= 1.5));
  const w = fixtureTensor({ name: `${spec.rootScope}/resBlock_3/Conv_1/weights`, shape: [4, 4, 8, 8], role: 'weights' }, 7);
  const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / w.length);
  assert.ok(Math.abs(std - 1 / Math.sqrt(128)) < 0.02, `weight std ${std}`);
});

test('error: missing variable names the variable and the file', () => {
  const vars = networkVariables(spec).filter((v) => !v.name.endsWith('resBlock_2/Conv_1/weights'));
  const { index, shard } = writeCheckpoint(vars.map((v) => ({ name: v.name, shape: v.shape, data: new Float32Array(v.shape.reduce((a, b) => a * b, 1)) })));
  assert.throws(() => checkpointWeights(spec, load(index), [shard]),
    /^Error: small\.index: variable "resfcn256\/resBlock_2\/Conv_1\/weights" of network resfcn256 is missing/);
});

test('error: wrong shape', () => {
  const vars = networkVariables(spec).map((v) => (v.name.endsWith('Conv2d_transpose_4/weights') ? { ...v, shape: [v.shape[0]!, v.shape[1]!, v.shape[3]!, v.shape[2]!] } : v));
  const { index, shard } = writeCheckpoint(vars.map((v) => ({ name: v.name, shape: v.shape, data: new Float32Array(v.shape.reduce((a, b) => a * b, 1)) })));
  assert.throws(() => checkpointWeights(spec, load(index), [shard]),
    /small\.index: variable "resfcn256\/Conv2d_transpose_4\/weights" has shape \[4, 4, 32, 16\] but network resfcn256 expects \[4, 4, 16, 32\]/);
});

test('error: unknown variable that is not optimizer state (a different network)', () => {
  const vars = [...networkVariables(spec), { name: 'resfcn256/extra_head/weights', shape: [3], role: 'weights' as const }];
  const { index, shard } = writeCheckpoint(vars.map((v) => ({ name: v.name, shape: v.shape, data: new Float32Array(v.shape.reduce((a, b) => a * b, 1)) })));
  assert.throws(() => checkpointWeights(spec, load(index), [shard]), /small\.index: variable "resfcn256\/extra_head\/weights" is not part of network/);
  assert.equal(checkpointWeights(spec, load(index), [shard], { allowUnknown: true }).size, networkVariables(spec).length);
  // The official spec reading a reduced checkpoint also fails on shapes, not silently.
  const ck = makeSmallCheckpoint(spec, 1);
  assert.throws(() => checkpointWeights(resfcnSpec(), load(ck.index), [ck.shard]), /has shape \[4, 4, 3, 2\] but network resfcn256 expects \[4, 4, 3, 16\]/);
});

test('error: a flipped data byte fails the crc check naming variable and shard', () => {
  const ck = makeSmallCheckpoint(spec, 3);
  const index = load(ck.index);
  const entry = index.entries.get('resfcn256/resBlock_4/Conv/weights')!;
  const shard = ck.shard.slice();
  shard[entry.offset + 5]! ^= 0x01;
  assert.throws(() => checkpointWeights(spec, index, [shard]),
    /^Error: small\.data-00000-of-00001: checksum mismatch for variable "resfcn256\/resBlock_4\/Conv\/weights"/);
  // A flip in an optimizer slot does not matter: slots are never read.
  const slot = index.entries.get('resfcn256/resBlock_4/Conv/weights/Adam')!;
  const shard2 = ck.shard.slice();
  shard2[slot.offset]! ^= 0xff;
  assert.doesNotThrow(() => checkpointWeights(spec, index, [shard2]));
});

test('error: entry beyond a truncated shard', () => {
  const ck = makeSmallCheckpoint(spec, 4, { optimizerSlots: false });
  const index = load(ck.index);
  const last = [...index.entries.values()].reduce((a, b) => (a.offset > b.offset ? a : b));
  assert.throws(() => checkpointWeights(spec, index, [ck.shard.subarray(0, ck.shard.length - 8)]),
    new RegExp(`small\\.data-00000-of-00001: variable "${last.name}" lies at bytes ${last.offset}\\.\\.${last.offset + last.size} but the file has only ${ck.shard.length - 8} bytes`));
  assert.throws(() => checkpointWeights(spec, index, []), /has 1 data shard\(s\) but 0 were given/);
});

test('error: random bytes, short files and a table without header are not checkpoint indexes', () => {
  const rand = seededRandom(99);
  const junk = new Uint8Array(5000).map(() => Math.floor(rand() * 256));
  assert.throws(() => load(junk), /^Error: small\.index: not a TensorFlow checkpoint index \(bad table magic/);
  assert.throws(() => load(new Uint8Array(10)), /small\.index: not a TensorFlow checkpoint index \(only 10 bytes/);
  const ck = makeSmallCheckpoint(spec, 5);
  assert.throws(() => load(ck.index.subarray(0, ck.index.length - 48 - 3)), /not a TensorFlow checkpoint index/);
});

test('dtypes: double, half, int32 and int64 decode; string is a clear error', () => {
  const rand = seededRandom(8);
  const f64 = Float64Array.from({ length: 6 }, () => rand() - 0.5);
  const f32 = Float32Array.from({ length: 6 }, () => rand() * 4 - 2);
  const half = toFloat16Bits(f32);
  const i32 = Int32Array.from({ length: 5 }, () => Math.floor((rand() - 0.5) * 2 ** 31));
  const i64 = BigInt64Array.from({ length: 3 }, () => BigInt(Math.floor((rand() - 0.5) * 2 ** 52)) * 1000n);
  const { index, shard } = writeCheckpoint([
    { name: 'd', shape: [2, 3], data: f64 }, { name: 'h', shape: [6], data: half },
    { name: 'i', shape: [5], data: i32 }, { name: 'l', shape: [3], data: i64 },
  ]);
  const idx = load(index);
  assert.deepEqual(readCheckpointTensor(idx.entries.get('d')!, shard).data, f64);
  assert.deepEqual(readCheckpointTensor(idx.entries.get('i')!, shard).data, i32);
  assert.deepEqual(readCheckpointTensor(idx.entries.get('l')!, shard).data, i64);
  const h = readCheckpointTensor(idx.entries.get('h')!, shard);
  assert.equal(h.dtype, 'DT_HALF');
  h.data.forEach((x, k) => assert.ok(Math.abs(Number(x) - f32[k]!) <= Math.abs(f32[k]!) * 2 ** -10 + 1e-7));
  // Rewrite the index claiming DT_STRING for one entry.
  const entries = [...idx.entries.values()].map((e) => (e.name === 'i' ? { ...e, dtype: 7 } : e));
  const bad = load(encodeCheckpointIndex(idx.header, entries));
  assert.throws(() => readCheckpointTensor(bad.entries.get('i')!, shard, { fileName: SHARD }),
    /small\.data-00000-of-00001: variable "i" has unsupported dtype DT_STRING \(7\)/);
  // A size that does not match the shape.
  const wrong = load(encodeCheckpointIndex(idx.header, [...idx.entries.values()].map((e) => (e.name === 'd' ? { ...e, shape: [7] } : e))));
  assert.throws(() => readCheckpointTensor(wrong.entries.get('d')!, shard), /variable "d" has 48 bytes but shape \[7\] of DT_DOUBLE needs 56/);
});

test('big-endian data is byte-swapped', () => {
  const values = Float32Array.from([1.5, -2.25, 3e-5]);
  const { index, shard } = writeCheckpoint([{ name: 'x', shape: [3], data: values }]);
  const entry = load(index).entries.get('x')!;
  const swapped = shard.slice();
  for (let i = 0; i < swapped.length; i += 4) swapped.subarray(i, i + 4).reverse();
  // CRC covers the stored (swapped) bytes; skip it here, the layout is what is tested.
  assert.deepEqual(readCheckpointTensor(entry, swapped, { endianness: 'big', verifyChecksum: false }).data, values);
});
