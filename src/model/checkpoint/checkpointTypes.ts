/**
 * Types of a TensorFlow V2 checkpoint ("tensor bundle"): the `.index` table maps each
 * variable name to a `BundleEntryProto` saying where its raw bytes are in which
 * `.data-NNNNN-of-NNNNN` shard; the empty key holds a `BundleHeaderProto`.
 */

/** `BundleHeaderProto`. */
export interface CheckpointHeader {
  /** Number of `.data-*` shard files. */
  numShards: number;
  /** Byte order of the tensor data (TensorFlow writes the host order, in practice little). */
  endianness: 'little' | 'big';
  /** `VersionDef` of the bundle format. */
  version: { producer: number; minConsumer: number; badConsumers: number[] };
}

/** `BundleEntryProto`: one saved tensor. */
export interface CheckpointEntry {
  /** Variable name, e.g. `resfcn256/Conv/weights`. */
  name: string;
  /** TensorFlow `DataType` enum value (1 = DT_FLOAT). */
  dtype: number;
  /** Dimensions; `[]` for a scalar. */
  shape: number[];
  /** Which shard file holds the bytes. */
  shardId: number;
  /** Byte offset inside the shard. */
  offset: number;
  /** Byte length inside the shard. */
  size: number;
  /** Masked CRC-32C of the bytes, as stored. */
  crc32c: number;
  /** Number of slice specs (partitioned variables); 0 for ordinary variables. */
  slices: number;
}

/** A parsed `.index` file. */
export interface CheckpointIndex {
  header: CheckpointHeader;
  /** Entries by variable name, in the table's (sorted) order. */
  entries: Map<string, CheckpointEntry>;
  /** File name used in error messages. */
  fileName: string;
}

/** A TensorFlow data type this reader understands. */
export interface CheckpointDType {
  /** TensorFlow enum name, e.g. `DT_FLOAT`. */
  name: string;
  /** Bytes per element. */
  itemSize: number;
}

/** Data types by TensorFlow `DataType` enum value. */
export const CHECKPOINT_DTYPES: ReadonlyMap<number, CheckpointDType> = new Map([
  [1, { name: 'DT_FLOAT', itemSize: 4 }],
  [2, { name: 'DT_DOUBLE', itemSize: 8 }],
  [3, { name: 'DT_INT32', itemSize: 4 }],
  [4, { name: 'DT_UINT8', itemSize: 1 }],
  [5, { name: 'DT_INT16', itemSize: 2 }],
  [6, { name: 'DT_INT8', itemSize: 1 }],
  [9, { name: 'DT_INT64', itemSize: 8 }],
  [10, { name: 'DT_BOOL', itemSize: 1 }],
  [14, { name: 'DT_BFLOAT16', itemSize: 2 }],
  [19, { name: 'DT_HALF', itemSize: 2 }],
]);

/** TensorFlow `DataType` enum values used when writing. */
export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_INT32 = 3;
export const DT_INT64 = 9;
export const DT_HALF = 19;

/** `<prefix>.data-00000-of-00001`: the shard file suffix TensorFlow uses. */
export function checkpointShardSuffix(shardId: number, numShards: number): string {
  return `.data-${String(shardId).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}

/** Shard-local end of the bytes of each shard: max(offset + size) over its entries. */
export function checkpointShardSizes(index: CheckpointIndex): number[] {
  const sizes = new Array<number>(index.header.numShards).fill(0);
  for (const e of index.entries.values()) {
    if (e.shardId < sizes.length) sizes[e.shardId] = Math.max(sizes[e.shardId]!, e.offset + e.size);
  }
  return sizes;
}
