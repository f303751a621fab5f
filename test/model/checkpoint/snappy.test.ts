import test from 'node:test';
import assert from 'node:assert/strict';
import { snappyDecompress } from '../../../src/model/checkpoint/snappyDecompress.js';
import { seededRandom, snappyCompressForTest } from '../../support/checkpointFixture.js';

test('snappy: hand-made stream with an overlapping copy', () => {
  const out = snappyDecompress(new Uint8Array([12, 0x08, 97, 98, 99, 0x15, 3]));
  assert.equal(new TextDecoder().decode(out), 'abcabcabcabc');
});

test('snappy: random compressible buffers round-trip through every element kind', () => {
  const rand = seededRandom(31);
  for (let trial = 0; trial < 20; trial++) {
    const n = Math.floor(rand() * 5000) + (trial === 0 ? 70000 : 0);
    const alphabet = 2 + Math.floor(rand() * 6);
    const input = new Uint8Array(n);
    for (let i = 0; i < n; i++) input[i] = rand() < 0.7 && i > 50 ? input[i - 1 - Math.floor(rand() * 40)]! : Math.floor(rand() * alphabet);
    const packed = snappyCompressForTest(input, seededRandom(trial));
    assert.deepEqual(snappyDecompress(packed), input);
  }
});

test('snappy: corrupt streams throw', () => {
  assert.throws(() => snappyDecompress(new Uint8Array([12, 0x08, 97, 98, 99])), /produced 3 bytes, expected 12/);
  assert.throws(() => snappyDecompress(new Uint8Array([4, 0x15, 3])), /offset 3 outside/);
  assert.throws(() => snappyDecompress(new Uint8Array([2, 0x08, 97])), /truncated literal/);
  assert.throws(() => snappyDecompress(new Uint8Array([1, 0x08, 97, 98, 99])), /longer than its declared length/);
});
