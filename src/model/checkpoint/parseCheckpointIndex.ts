import { decodeProtobuf, toInt64 } from './protobuf.js';
import { readSSTable } from './readSSTable.js';
import type { CheckpointEntry, CheckpointHeader, CheckpointIndex } from './checkpointTypes.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link parseCheckpointIndex}. */
export interface ParseCheckpointIndexOptions {
  /** File name used in error messages (e.g. the `.index` path). */
  fileName?: string;
}

export const PARSE_CHECKPOINT_INDEX_DEFAULTS: Required<ParseCheckpointIndexOptions> = { fileName: 'checkpoint index' };

const utf8 = new TextDecoder('utf-8');

function parseHeader(value: Uint8Array, file: string): CheckpointHeader {
  const h: CheckpointHeader = { numShards: 0, endianness: 'little', version: { producer: 0, minConsumer: 0, badConsumers: [] } };
  for (const f of decodeProtobuf(value)) {
    if (f.field === 1) h.numShards = toInt64(f.value);
    else if (f.field === 2) h.endianness = toInt64(f.value) === 1 ? 'big' : 'little';
    else if (f.field === 3 && f.value instanceof Uint8Array) {
      for (const v of decodeProtobuf(f.value)) {
        if (v.field === 1) h.version.producer = toInt64(v.value);
        else if (v.field === 2) h.version.minConsumer = toInt64(v.value);
        else if (v.field === 3) h.version.badConsumers.push(toInt64(v.value));
      }
    }
  }
  if (h.numShards < 1) throw new Error(`${file}: checkpoint header declares ${h.numShards} data shards`);
  return h;
}

function parseShape(value: Uint8Array): number[] {
  const dims: number[] = [];
  for (const f of decodeProtobuf(value)) {
    if (f.field === 2 && f.value instanceof Uint8Array) {
      let size = 0;
      for (const d of decodeProtobuf(f.value)) if (d.field === 1) size = toInt64(d.value);
      dims.push(size);
    } else if (f.field === 3 && toInt64(f.value) !== 0) {
      throw new Error('tensor shape of unknown rank');
    }
  }
  return dims;
}

function parseEntry(name: string, value: Uint8Array): CheckpointEntry {
  const e: CheckpointEntry = { name, dtype: 0, shape: [], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: 0 };
  for (const f of decodeProtobuf(value)) {
    switch (f.field) {
      case 1: e.dtype = toInt64(f.value); break;
      case 2: if (f.value instanceof Uint8Array) e.shape = parseShape(f.value); break;
      case 3: e.shardId = toInt64(f.value); break;
      case 4: e.offset = toInt64(f.value); break;
      case 5: e.size = toInt64(f.value); break;
      case 6: e.crc32c = toInt64(f.value); break;
      case 7: e.slices++; break;
      default: break; // unknown fields: ignore, as protobuf readers do
    }
  }
  return e;
}

/**
 * Parses a TensorFlow V2 checkpoint `.index` file (a LevelDB table of
 * `BundleEntryProto`s with a `BundleHeaderProto` under the empty key).
 *
 * ```ts
 * const index = parseCheckpointIndex(bytes, { fileName: 'model.index' });
 * index.entries.get('resfcn256/Conv/weights')?.shape; // [4, 4, 3, 16]
 * ```
 */
export function parseCheckpointIndex(bytes: Uint8Array, options: ParseCheckpointIndexOptions = {}): CheckpointIndex {
  const file = withDefaults(PARSE_CHECKPOINT_INDEX_DEFAULTS, options).fileName;
  const table = readSSTable(bytes, { fileName: file });
  let header: CheckpointHeader | undefined;
  const entries = new Map<string, CheckpointEntry>();
  for (const { key, value } of table) {
    const name = utf8.decode(key);
    try {
      if (key.length === 0) header = parseHeader(value, file);
      else {
        const e = parseEntry(name, value);
        entries.set(name, e);
      }
    } catch (err) {
      const msg = (err as Error).message;
      if (msg.startsWith(file)) throw err;
      throw new Error(`${file}: corrupt entry "${name || '(header)'}": ${msg}`);
    }
  }
  if (!header) throw new Error(`${file}: not a TensorFlow V2 checkpoint index (the table has no bundle header)`);
  for (const e of entries.values()) {
    if (e.shardId >= header.numShards) {
      throw new Error(`${file}: variable "${e.name}" is in shard ${e.shardId} but the header declares ${header.numShards} shard(s)`);
    }
  }
  return { header, entries, fileName: file };
}
