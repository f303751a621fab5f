import { crc32c, maskCrc32c } from '../../src/model/checkpoint/crc32c.js';
import {
  CHECKPOINT_DTYPES, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT32, DT_INT64, type CheckpointEntry, type CheckpointHeader,
} from '../../src/model/checkpoint/checkpointTypes.js';
import { encodeCheckpointIndex } from './encodeCheckpointIndex.js';
import type { WriteSSTableOptions } from './writeSSTable.js';

/** Elements a tensor can be written from; a Uint16Array is taken as float16 bits. */
export type CheckpointTensorInputData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint16Array;

/** One tensor to write. */
export interface CheckpointTensorInput {
  /** Full variable name, e.g. `resfcn256/Conv/weights`. */
  name: string;
  /** TF shape; `[]` for a scalar. */
  shape: number[];
  /**
   * The elements, or a function producing them (called once, in write order), so a
   * large checkpoint can be generated without holding every tensor twice.
   */
  data: CheckpointTensorInputData | (() => CheckpointTensorInputData);
  /** TF dtype of lazily produced data (default DT_FLOAT = 1); eager data's follows its array type. */
  dtype?: number;
}

/** Options of {@link writeCheckpoint}: table layout knobs, defaults as TensorFlow. */
export type WriteCheckpointOptions = WriteSSTableOptions;

/** The two files of a single-shard checkpoint. */
export interface WrittenCheckpoint {
  /** Contents of `<prefix>.index`. */
  index: Uint8Array;
  /** Contents of `<prefix>.data-00000-of-00001`. */
  shard: Uint8Array;
  /** The index entries, sorted by name. */
  entries: CheckpointEntry[];
}

function dtypeOf(data: CheckpointTensorInputData): number {
  if (data instanceof Float32Array) return DT_FLOAT;
  if (data instanceof Float64Array) return DT_DOUBLE;
  if (data instanceof Int32Array) return DT_INT32;
  if (data instanceof BigInt64Array) return DT_INT64;
  return DT_HALF;
}

const utf8 = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Writes tensors as a TensorFlow V2 checkpoint with one data shard, laid out as
 * TensorFlow's `Saver` does: variables sorted by name, their bytes contiguous in that
 * order, each with its masked CRC-32C. Data is little-endian. Lazily produced data
 * must match the element count of its shape; its dtype follows its array type.
 *
 * ```ts
 * const { index, shard } = writeCheckpoint([{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }]);
 * // write `index` to model.index and `shard` to model.data-00000-of-00001
 * ```
 */
export function writeCheckpoint(tensors: Iterable<CheckpointTensorInput>, options: WriteCheckpointOptions = {}): WrittenCheckpoint {
  const list = [...tensors].sort((a, b) => compareUtf8(a.name, b.name));
  // Lay out first, then fill: the shard is allocated once and each lazy producer's
  // array can be dropped right after it is copied.
  const entries: CheckpointEntry[] = [];
  let offset = 0;
  for (const t of list) {
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`variable "${t.name}": bad shape [${t.shape.join(', ')}]`);
    const dtype = typeof t.data === 'function' ? (t.dtype ?? DT_FLOAT) : dtypeOf(t.data);
    const size = t.shape.reduce((a, b) => a * b, 1) * CHECKPOINT_DTYPES.get(dtype)!.itemSize;
    entries.push({ name: t.name, dtype, shape: [...t.shape], shardId: 0, offset, size, crc32c: 0, slices: 0 });
    offset += size;
  }
  const shard = new Uint8Array(offset);
  list.forEach((t, i) => {
    const e = entries[i]!;
    const data = typeof t.data === 'function' ? t.data() : t.data;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (dtypeOf(data) !== e.dtype || bytes.length !== e.size) {
      throw new Error(`variable "${t.name}": expected ${e.size} bytes of ${CHECKPOINT_DTYPES.get(e.dtype)!.name} for shape [${t.shape.join(', ')}], got ${data.length} elements of ${CHECKPOINT_DTYPES.get(dtypeOf(data))!.name}`);
    }
    shard.set(bytes, e.offset);
    e.crc32c = maskCrc32c(crc32c(bytes));
  });
  const header: CheckpointHeader = { numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } };
  return { index: encodeCheckpointIndex(header, entries, options), shard, entries };
}
