import test from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobuf, readVarint, toInt64 } from '../../../src/model/checkpoint/protobuf.js';
import { ProtobufWriter } from '../../support/protobufWriter.js';
import { seededRandom } from '../../support/checkpointFixture.js';

test('varints round-trip, including 64-bit and negative int64 values', () => {
  const rand = seededRandom(21);
  const values: Array<number | bigint> = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 49 - 1, 2 ** 49, 2 ** 53 - 1, -1, -(2 ** 40)];
  for (let i = 0; i < 200; i++) values.push(Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 52))));
  for (const v of values) {
    const bytes = new ProtobufWriter().rawVarint(v).finish();
    const [decoded, next] = readVarint(bytes, 0);
    assert.equal(next, bytes.length);
    assert.equal(toInt64(decoded), Number(v), `value ${v}`);
  }
  // Encoding of 300 is the textbook a0 02; -1 is ten bytes.
  assert.deepEqual([...new ProtobufWriter().rawVarint(300).finish()], [0xac, 0x02]);
  assert.equal(new ProtobufWriter().rawVarint(-1).finish().length, 10);
  const [big] = readVarint(new ProtobufWriter().rawVarint(2n ** 63n + 5n).finish(), 0);
  assert.equal(big, 2n ** 63n + 5n);
});

test('messages decode field by field, nested and fixed-width', () => {
  const inner = new ProtobufWriter().varint(1, 7).finish();
  const msg = new ProtobufWriter().varint(1, 1).bytes(2, inner).varint(5, 3072).fixed32(6, 0xdeadbeef).finish();
  const fields = decodeProtobuf(msg);
  assert.deepEqual(fields.map((f) => [f.field, f.wireType]), [[1, 0], [2, 2], [5, 0], [6, 5]]);
  assert.equal(fields[2]!.value, 3072);
  assert.equal(fields[3]!.value, 0xdeadbeef);
  assert.deepEqual(decodeProtobuf(fields[1]!.value as Uint8Array), [{ field: 1, wireType: 0, value: 7 }]);
});

test('truncated or malformed messages throw', () => {
  assert.throws(() => decodeProtobuf(new Uint8Array([0x12, 0x05, 1, 2])), /truncated/);
  assert.throws(() => decodeProtobuf(new Uint8Array([0x08, 0x80])), /truncated varint/);
  assert.throws(() => decodeProtobuf(new Uint8Array([0x35, 1, 2])), /truncated fixed32/);
  assert.throws(() => decodeProtobuf(new Uint8Array([0x0b])), /wire type 3/);
});
