/**
 * A minimal protobuf wire-format encoder for the TensorFlow checkpoint protos the tests
 * write (`test/support/encodeCheckpointIndex.ts`); the product only reads them
 * (`src/model/checkpoint/protobuf.ts`).
 */
import { WIRE_BYTES, WIRE_FIXED32, WIRE_VARINT } from '../../src/model/checkpoint/protobuf.js';

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
