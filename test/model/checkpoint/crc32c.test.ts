import test from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, maskCrc32c, unmaskCrc32c } from '../../../src/model/checkpoint/crc32c.js';
import { seededRandom } from '../../support/checkpointFixture.js';

/** Bit-by-bit reference (no tables). */
function naiveCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('crc32c: standard check value and TensorFlow stored value of a float32 zero', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  // The official index stores 974224294 for beta1_power = 0.0f.
  assert.equal(maskCrc32c(crc32c(new Uint8Array(4))), 974224294);
});

test('crc32c matches the bitwise reference on random buffers of every alignment and length', () => {
  const rand = seededRandom(11);
  const big = new Uint8Array(4096).map(() => Math.floor(rand() * 256));
  for (let len = 0; len < 70; len++) {
    for (const start of [0, 1, 3, 5]) {
      const view = big.subarray(start, start + len);
      assert.equal(crc32c(view), naiveCrc32c(view), `len ${len} start ${start}`);
    }
  }
  assert.equal(crc32c(big), naiveCrc32c(big));
});

test('crc32c continues a running checksum', () => {
  const rand = seededRandom(12);
  const a = new Uint8Array(1001).map(() => Math.floor(rand() * 256));
  for (const cut of [0, 1, 7, 8, 500, 1001]) {
    assert.equal(crc32c(a.subarray(cut), crc32c(a.subarray(0, cut))), crc32c(a));
  }
});

test('mask/unmask are inverse and masking changes the value', () => {
  const rand = seededRandom(13);
  for (let i = 0; i < 1000; i++) {
    const c = Math.floor(rand() * 2 ** 32) >>> 0;
    assert.equal(unmaskCrc32c(maskCrc32c(c)), c);
    const rot = ((c >>> 15) | (c << 17)) >>> 0;
    assert.equal(maskCrc32c(c), (rot + 0xa282ead8) % 2 ** 32);
  }
});
