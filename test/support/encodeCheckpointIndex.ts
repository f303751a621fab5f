import { ProtobufWriter } from './protobufWriter.js';
import { writeSSTable, type WriteSSTableOptions } from './writeSSTable.js';
import type { CheckpointEntry, CheckpointHeader } from '../../src/model/checkpoint/checkpointTypes.js';

const utf8 = new TextEncoder();

function encodeHeader(h: CheckpointHeader): Uint8Array {
  const w = new ProtobufWriter();
  if (h.numShards) w.varint(1, h.numShards);
  if (h.endianness === 'big') w.varint(2, 1);
  const v = new ProtobufWriter();
  if (h.version.producer) v.varint(1, h.version.producer);
  if (h.version.minConsumer) v.varint(2, h.version.minConsumer);
  for (const b of h.version.badConsumers) v.varint(3, b);
  w.bytes(3, v.finish());
  return w.finish();
}

function encodeEntry(e: CheckpointEntry): Uint8Array {
  if (e.slices) throw new Error(`variable "${e.name}": writing partitioned (sliced) variables is not supported`);
  const shape = new ProtobufWriter();
  for (const d of e.shape) shape.bytes(2, d ? new ProtobufWriter().varint(1, d).finish() : new Uint8Array(0));
  // Field order and skipped defaults as proto3 serialisation in TensorFlow.
  const w = new ProtobufWriter();
  if (e.dtype) w.varint(1, e.dtype);
  w.bytes(2, shape.finish());
  if (e.shardId) w.varint(3, e.shardId);
  if (e.offset) w.varint(4, e.offset);
  if (e.size) w.varint(5, e.size);
  if (e.crc32c) w.fixed32(6, e.crc32c);
  return w.finish();
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Encodes a checkpoint `.index` file from a header and entries (any order: they are
 * sorted by the UTF-8 bytes of their names, as the table requires). Inverse of
 * `parseCheckpointIndex`; for TensorFlow's own entries the bytes are identical.
 *
 * ```ts
 * const bytes = encodeCheckpointIndex(index.header, [...index.entries.values()]);
 * ```
 */
export function encodeCheckpointIndex(
  header: CheckpointHeader, entries: Iterable<CheckpointEntry>, options: WriteSSTableOptions = {},
): Uint8Array {
  const rows = [{ key: new Uint8Array(0), value: encodeHeader(header) }];
  const named = [...entries].map((e) => {
    if (!e.name) throw new Error('a checkpoint variable needs a non-empty name');
    return { key: utf8.encode(e.name), value: encodeEntry(e) };
  });
  named.sort((a, b) => compareBytes(a.key, b.key));
  for (let i = 1; i < named.length; i++) {
    if (compareBytes(named[i - 1]!.key, named[i]!.key) === 0) throw new Error(`duplicate checkpoint variable "${new TextDecoder().decode(named[i]!.key)}"`);
  }
  return writeSSTable([...rows, ...named], options);
}
