/**
 * A minimal protobuf wire-format codec, just enough for TensorFlow's checkpoint
 * protos (`BundleHeaderProto`, `BundleEntryProto`, `TensorShapeProto`): varints,
 * fixed32/64 and length-delimited fields. Groups (wire types 3/4) are rejected.
 */

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

/**
 * Builds a protobuf message field by field. Fields are written in call order; proto3
 * writers (TensorFlow's included) emit them by field number and skip default values,
 * which the caller does by not calling.
 *
 * ```ts
 * const bytes = new ProtobufWriter().varint(1, 1).fixed32(6, 0xdeadbeef).finish();
 * ```
 */
export class ProtobufWriter {
  private readonly parts: number[] = [];

  /** A varint field (int32/int64/enum/bool); negative numbers take ten bytes as in int64. */
  varint(field: number, value: number | bigint): this {
    this.rawVarint(field * 8 + WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** A fixed32 field (e.g. a crc32c). */
  fixed32(field: number, value: number): this {
    this.rawVarint(field * 8 + WIRE_FIXED32);
    const v = value >>> 0;
    this.parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    return this;
  }

  /** A length-delimited field: bytes, a string or a nested message. */
  bytes(field: number, value: Uint8Array): this {
    this.rawVarint(field * 8 + WIRE_BYTES);
    this.rawVarint(value.length);
    for (let i = 0; i < value.length; i++) this.parts.push(value[i]!);
    return this;
  }

  /** Appends a bare varint (no tag). */
  rawVarint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      this.parts.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
