import { fromFloat16Bits } from '../float16.js';
import { crc32c, unmaskCrc32c } from './crc32c.js';
import { CHECKPOINT_DTYPES, type CheckpointEntry } from './checkpointTypes.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Element arrays a checkpoint tensor can decode to (half and bfloat16 widen to float32). */
export type CheckpointTensorData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/** A tensor read from a checkpoint shard. */
export interface CheckpointTensor {
  name: string;
  /** TensorFlow dtype name of the stored bytes, e.g. `DT_FLOAT`. */
  dtype: string;
  shape: number[];
  /** Elements in row-major (TensorFlow) order. */
  data: CheckpointTensorData;
}

/** Options of {@link readCheckpointTensor}. */
export interface ReadCheckpointTensorOptions {
  /** Shard file name for error messages. */
  fileName?: string;
  /** Verify the stored CRC-32C of the bytes. */
  verifyChecksum?: boolean;
  /** Byte order of the stored data (from the index header). */
  endianness?: 'little' | 'big';
}

export const READ_CHECKPOINT_TENSOR_DEFAULTS: Required<ReadCheckpointTensorOptions> = { fileName: 'checkpoint data', verifyChecksum: true, endianness: 'little' };

/** Names of TensorFlow dtypes we do not decode, for error messages. */
const OTHER_DTYPES: Record<number, string> = {
  0: 'DT_INVALID', 7: 'DT_STRING', 8: 'DT_COMPLEX64', 11: 'DT_QINT8', 12: 'DT_QUINT8', 13: 'DT_QINT32',
  15: 'DT_QINT16', 16: 'DT_QUINT16', 17: 'DT_UINT16', 18: 'DT_COMPLEX128', 20: 'DT_RESOURCE', 21: 'DT_VARIANT',
  22: 'DT_UINT32', 23: 'DT_UINT64',
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads one tensor's bytes from its shard, checking bounds, size and CRC.
 *
 * ```ts
 * const entry = index.entries.get('resfcn256/Conv/weights')!;
 * const { shape, data } = readCheckpointTensor(entry, shardBytes, { fileName: 'model.data-00000-of-00001' });
 * ```
 */
export function readCheckpointTensor(entry: CheckpointEntry, shard: Uint8Array, options: ReadCheckpointTensorOptions = {}): CheckpointTensor {
  const o = withDefaults(READ_CHECKPOINT_TENSOR_DEFAULTS, options);
  const file = o.fileName;
  const name = entry.name;
  const dtype = CHECKPOINT_DTYPES.get(entry.dtype);
  if (!dtype) {
    const known = [...CHECKPOINT_DTYPES.values()].map((d) => d.name).join(', ');
    throw new Error(`${file}: variable "${name}" has unsupported dtype ${OTHER_DTYPES[entry.dtype] ?? 'unknown'} (${entry.dtype}); supported: ${known}`);
  }
  if (entry.slices) throw new Error(`${file}: variable "${name}" is partitioned into slices, which is not supported`);
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (entry.shape.some((d) => d < 0) || count * dtype.itemSize !== entry.size) {
    throw new Error(`${file}: variable "${name}" has ${entry.size} bytes but shape [${entry.shape.join(', ')}] of ${dtype.name} needs ${count * dtype.itemSize}`);
  }
  if (entry.offset + entry.size > shard.length) {
    throw new Error(`${file}: variable "${name}" lies at bytes ${entry.offset}..${entry.offset + entry.size} but the file has only ${shard.length} bytes (truncated?)`);
  }
  const raw = shard.subarray(entry.offset, entry.offset + entry.size);
  if (o.verifyChecksum) {
    const actual = crc32c(raw);
    const expected = unmaskCrc32c(entry.crc32c);
    if (actual !== expected) {
      throw new Error(`${file}: checksum mismatch for variable "${name}" (stored crc32c 0x${expected.toString(16)}, data has 0x${actual.toString(16)}); the file is corrupt`);
    }
  }
  // Copy so the typed array is aligned and independent of the (possibly huge) shard.
  const bytes = raw.slice();
  if ((o.endianness === 'little') !== HOST_LITTLE_ENDIAN && dtype.itemSize > 1) {
    const s = dtype.itemSize;
    for (let i = 0; i < bytes.length; i += s) bytes.subarray(i, i + s).reverse();
  }
  const buf = bytes.buffer;
  let data: CheckpointTensorData;
  switch (dtype.name) {
    case 'DT_FLOAT': data = new Float32Array(buf); break;
    case 'DT_DOUBLE': data = new Float64Array(buf); break;
    case 'DT_INT32': data = new Int32Array(buf); break;
    case 'DT_INT16': data = new Int16Array(buf); break;
    case 'DT_INT8': data = new Int8Array(buf); break;
    case 'DT_UINT8': case 'DT_BOOL': data = bytes; break;
    case 'DT_INT64': data = new BigInt64Array(buf); break;
    case 'DT_HALF': data = fromFloat16Bits(new Uint16Array(buf)); break;
    case 'DT_BFLOAT16': {
      // bfloat16 is the top half of a float32.
      const hi = new Uint16Array(buf);
      const u = new Uint32Array(hi.length);
      for (let i = 0; i < hi.length; i++) u[i] = hi[i]! << 16;
      data = new Float32Array(u.buffer);
      break;
    }
    default: throw new Error(`${file}: variable "${name}": no decoder for ${dtype.name}`);
  }
  return { name, dtype: dtype.name, shape: [...entry.shape], data };
}
