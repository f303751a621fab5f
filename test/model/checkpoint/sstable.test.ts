import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readSSTable } from '../../../src/model/checkpoint/readSSTable.js';
import { writeSSTable } from '../../support/writeSSTable.js';
import { seededRandom, snappyCompressForTest } from '../../support/checkpointFixture.js';

const OFFICIAL_INDEX = new URL('../../../../shared/prnet-data/net-data/256_256_resfcn256_weight.index', import.meta.url);
const enc = new TextEncoder();

function randomEntries(seed: number, n: number) {
  const rand = seededRandom(seed);
  const keys = new Set<string>();
  // Shared prefixes as in variable names, so prefix compression matters.
  const stems = ['resfcn256/Conv', 'resfcn256/resBlock_3/Conv_1', 'a', 'zz\u00e9'];
  while (keys.size < n) keys.add(`${stems[Math.floor(rand() * stems.length)]}/${Math.floor(rand() * 1e6).toString(36)}`);
  const sorted = [...keys].map((k) => enc.encode(k)).sort((a, b) => Buffer.compare(a, b));
  return sorted.map((key) => ({ key, value: new Uint8Array(Math.floor(rand() * 300)).map(() => Math.floor(rand() * 256)) }));
}

test('sstable: random tables round-trip for several block sizes and restart intervals', () => {
  for (const [seed, blockSize, restartInterval] of [[1, 262144, 16], [2, 256, 1], [3, 1000, 3], [4, 64, 16]] as const) {
    const entries = randomEntries(seed, 300);
    const bytes = writeSSTable(entries, { blockSize, restartInterval });
    const back = readSSTable(bytes);
    assert.equal(back.length, entries.length);
    back.forEach((e, i) => {
      assert.deepEqual(e.key, entries[i]!.key);
      assert.deepEqual(e.value, entries[i]!.value);
    });
  }
});

test('sstable: snappy-compressed blocks are read back', () => {
  const rand = seededRandom(9);
  const entries = Array.from({ length: 200 }, (_, i) => ({
    key: enc.encode(`var/${String(i).padStart(4, '0')}`),
    value: new Uint8Array(100).map((_, j) => (j % 7) + Math.floor(rand() * 2)),
  }));
  const plain = writeSSTable(entries, { blockSize: 4096 });
  const packed = writeSSTable(entries, { blockSize: 4096, snappyCompress: (b) => snappyCompressForTest(b) });
  assert.ok(packed.length < plain.length * 0.8, 'blocks were stored compressed');
  const back = readSSTable(packed);
  assert.deepEqual(back.map((e) => e.value), entries.map((e) => e.value));
});

test('sstable: the official index parses with valid block checksums, 546 keys in order', () => {
  const bytes = new Uint8Array(readFileSync(OFFICIAL_INDEX));
  const entries = readSSTable(bytes, { fileName: 'official.index' });
  assert.equal(entries.length, 546);
  assert.equal(entries[0]!.key.length, 0); // bundle header
  for (let i = 1; i < entries.length; i++) assert.ok(Buffer.compare(entries[i - 1]!.key, entries[i]!.key) < 0);
  // Rewriting the same entries reproduces TensorFlow's bytes exactly.
  assert.deepEqual(writeSSTable(entries), bytes);
});

test('sstable: corruption is detected with clear messages', () => {
  const bytes = writeSSTable(randomEntries(5, 50));
  const flipped = bytes.slice();
  flipped[10]! ^= 0x40;
  assert.throws(() => readSSTable(flipped, { fileName: 'x.index' }), /^Error: x\.index: checksum mismatch in data block at offset 0/);
  assert.throws(() => readSSTable(bytes.subarray(0, 40), { fileName: 'x.index' }), /x\.index: not a TensorFlow checkpoint index \(only 40 bytes/);
  assert.throws(() => readSSTable(bytes.subarray(0, bytes.length - 1), { fileName: 'x.index' }), /bad table magic/);
  // Cut from the front, keep the footer: handles now point past the start of the footer.
  const cut = bytes.subarray(bytes.length - 100);
  assert.throws(() => readSSTable(cut, { fileName: 'x.index' }), /runs past the end of the table/);
  assert.throws(() => writeSSTable([{ key: enc.encode('b'), value: new Uint8Array() }, { key: enc.encode('a'), value: new Uint8Array() }]), /strictly increasing/);
});
