/**
 * A minimal protobuf wire-format decoder, just enough for TensorFlow's checkpoint
 * protos (`BundleHeaderProto`, `BundleEntryProto`, `TensorShapeProto`): varints,
 * fixed32/64 and length-delimited fields. Groups (wire types 3/4) are rejected. (The
 * encoder the tests write checkpoints with is `test/support/protobufWriter.ts`.)
 */
// Hand-written rather than protobufjs: three small TensorFlow messages, and no .proto
// schema ships with any maintained npm package for them.

/** Wire types of the protobuf encoding. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** One decoded field. Varints above 2^53 and fixed64 values are bigints. */
export interface ProtobufField {
  field: number;
  wireType: number;
  value: number | bigint | Uint8Array;
}

/**
 * Reads a varint at `pos`; returns `[value, nextPos]`. Values beyond 2^53 (e.g. a
 * negative int64, which is always ten bytes) come back as an unsigned bigint.
 */
export function readVarint(bytes: Uint8Array, pos: number): [number | bigint, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) throw new Error('truncated varint');
    const b = bytes[pos + i]!;
    if (i >= 7) return readBigVarint(bytes, pos); // beyond 2^49: exact arithmetic
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return [value, pos + i + 1];
  }
  throw new Error('varint longer than 10 bytes');
}

function readBigVarint(bytes: Uint8Array, pos: number): [number | bigint, number] {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) throw new Error('truncated varint');
    const b = bytes[pos + i]!;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) {
      value = BigInt.asUintN(64, value);
      return [value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value, pos + i + 1];
    }
  }
  throw new Error('varint longer than 10 bytes');
}

/** Interprets a decoded varint as a signed int64 (int32/int64 fields); throws past 2^53. */
export function toInt64(value: number | bigint | Uint8Array): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') {
    const s = BigInt.asIntN(64, value);
    if (s > BigInt(Number.MAX_SAFE_INTEGER) || s < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`integer ${s} is too large`);
    return Number(s);
  }
  throw new Error('expected an integer field, found bytes');
}

/**
 * Splits one protobuf message into its fields, in wire order (repeated fields
 * appear several times).
 *
 * ```ts
 * decodeProtobuf(new Uint8Array([0x08, 0x01])); // [{ field: 1, wireType: 0, value: 1 }]
 * ```
 */
export function decodeProtobuf(bytes: Uint8Array): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [tagRaw, p] = readVarint(bytes, pos);
    const tag = toInt64(tagRaw);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new Error('field number 0');
    pos = p;
    switch (wireType) {
      case WIRE_VARINT: {
        const [v, q] = readVarint(bytes, pos);
        fields.push({ field, wireType, value: v });
        pos = q;
        break;
      }
      case WIRE_FIXED64: {
        if (pos + 8 > bytes.length) throw new Error('truncated fixed64');
        const dv = new DataView(bytes.buffer, bytes.byteOffset + pos, 8);
        fields.push({ field, wireType, value: dv.getBigUint64(0, true) });
        pos += 8;
        break;
      }
      case WIRE_BYTES: {
        const [lenRaw, q] = readVarint(bytes, pos);
        const len = toInt64(lenRaw);
        if (q + len > bytes.length) throw new Error('truncated length-delimited field');
        fields.push({ field, wireType, value: bytes.subarray(q, q + len) });
        pos = q + len;
        break;
      }
      case WIRE_FIXED32: {
        if (pos + 4 > bytes.length) throw new Error('truncated fixed32');
        const v = (bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24)) >>> 0;
        fields.push({ field, wireType, value: v });
        pos += 4;
        break;
      }
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}
