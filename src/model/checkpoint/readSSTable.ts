/**
 * Reads a LevelDB-format table (SSTable), the container of TensorFlow's checkpoint
 * `.index` file. Layout: data blocks, a metaindex block, an index block, then a
 * 48-byte footer (two block handles, zero padding, 8-byte magic). Every block is
 * followed by a 5-byte trailer (compression type, masked CRC-32C of block + type).
 * Inside a block, keys are prefix-compressed against the previous key and a table of
 * "restart points" (entries stored with their full key) ends the block.
 */
import { crc32c, unmaskCrc32c } from './crc32c.js';
import { snappyDecompress } from './snappyDecompress.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Magic number at the end of every LevelDB table, as little-endian bytes. */
export const SSTABLE_MAGIC = new Uint8Array([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);
/** Footer size: two padded block handles (40 bytes) + magic (8). */
export const SSTABLE_FOOTER_SIZE = 48;
/** Block trailer: compression type byte + fixed32 masked crc. */
export const SSTABLE_BLOCK_TRAILER_SIZE = 5;
/** Block compression types. */
export const SSTABLE_NO_COMPRESSION = 0;
export const SSTABLE_SNAPPY_COMPRESSION = 1;

/** One key/value pair of a table. */
export interface SSTableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** Options of {@link readSSTable}. */
export interface ReadSSTableOptions {
  /** Name used in error messages. */
  fileName?: string;
  /** Check every block's CRC (cheap: the index of a checkpoint is a few kB). */
  verifyChecksums?: boolean;
}

export const READ_SSTABLE_DEFAULTS: Required<ReadSSTableOptions> = { fileName: 'table', verifyChecksums: true };

interface BlockHandle { offset: number; size: number }

function varint32(bytes: Uint8Array, pos: number, what: () => string): [number, number] {
  let v = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (pos >= bytes.length) throw new Error(`${what()}: truncated varint`);
    const b = bytes[pos++]!;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [v, pos];
  }
  throw new Error(`${what()}: varint too long`);
}

function varint64(bytes: Uint8Array, pos: number, what: () => string): [number, number] {
  let v = 0;
  for (let shift = 0; shift <= 63; shift += 7) {
    if (pos >= bytes.length) throw new Error(`${what()}: truncated varint`);
    const b = bytes[pos++]!;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (v > Number.MAX_SAFE_INTEGER) throw new Error(`${what()}: offset too large`);
      return [v, pos];
    }
  }
  throw new Error(`${what()}: varint too long`);
}

function decodeHandle(bytes: Uint8Array, pos: number, what: () => string): [BlockHandle, number] {
  const [offset, p] = varint64(bytes, pos, what);
  const [size, q] = varint64(bytes, p, what);
  return [{ offset, size }, q];
}

/**
 * Returns every entry of the table in key order.
 *
 * ```ts
 * const entries = readSSTable(indexBytes, { fileName: 'model.index' });
 * new TextDecoder().decode(entries[1].key); // 'beta1_power'
 * ```
 */
export function readSSTable(bytes: Uint8Array, options: ReadSSTableOptions = {}): SSTableEntry[] {
  const o = withDefaults(READ_SSTABLE_DEFAULTS, options);
  const file = o.fileName;
  if (bytes.length < SSTABLE_FOOTER_SIZE) {
    throw new Error(`${file}: not a TensorFlow checkpoint index (only ${bytes.length} bytes, a table needs at least ${SSTABLE_FOOTER_SIZE})`);
  }
  const footerStart = bytes.length - SSTABLE_FOOTER_SIZE;
  for (let i = 0; i < 8; i++) {
    if (bytes[bytes.length - 8 + i] !== SSTABLE_MAGIC[i]) {
      throw new Error(`${file}: not a TensorFlow checkpoint index (bad table magic at the end of the file)`);
    }
  }
  const footerWhat = () => `${file}: corrupt table footer`;
  const footer = bytes.subarray(footerStart, bytes.length - 8);
  const [, p] = decodeHandle(footer, 0, footerWhat); // metaindex: unused by checkpoints
  const [indexHandle] = decodeHandle(footer, p, footerWhat);

  const readBlock = (h: BlockHandle, what: string): Uint8Array => {
    if (h.offset + h.size + SSTABLE_BLOCK_TRAILER_SIZE > footerStart) {
      throw new Error(`${file}: ${what} at offset ${h.offset} (${h.size} bytes) runs past the end of the table; the file is truncated or corrupt`);
    }
    const contents = bytes.subarray(h.offset, h.offset + h.size);
    const type = bytes[h.offset + h.size]!;
    if (o.verifyChecksums) {
      const t = h.offset + h.size + 1;
      const stored = (bytes[t]! | (bytes[t + 1]! << 8) | (bytes[t + 2]! << 16) | (bytes[t + 3]! << 24)) >>> 0;
      const actual = crc32c(bytes.subarray(h.offset, h.offset + h.size + 1));
      if (unmaskCrc32c(stored) !== actual) {
        throw new Error(`${file}: checksum mismatch in ${what} at offset ${h.offset}; the file is corrupt`);
      }
    }
    if (type === SSTABLE_NO_COMPRESSION) return contents;
    if (type === SSTABLE_SNAPPY_COMPRESSION) {
      try {
        return snappyDecompress(contents);
      } catch (err) {
        throw new Error(`${file}: ${what} at offset ${h.offset}: ${(err as Error).message}`);
      }
    }
    throw new Error(`${file}: ${what} at offset ${h.offset} uses unsupported compression type ${type}`);
  };

  const index = parseBlock(readBlock(indexHandle, 'index block'), `${file}: index block`);
  const out: SSTableEntry[] = [];
  for (const e of index) {
    const [handle] = decodeHandle(e.value, 0, () => `${file}: corrupt index entry`);
    for (const entry of parseBlock(readBlock(handle, 'data block'), `${file}: data block at offset ${handle.offset}`)) {
      out.push(entry);
    }
  }
  return out;
}

/** Decodes the prefix-compressed entries of one block. */
function parseBlock(block: Uint8Array, what: string): SSTableEntry[] {
  if (block.length < 4) throw new Error(`${what}: block too short`);
  const n = block.length;
  const numRestarts = (block[n - 4]! | (block[n - 3]! << 8) | (block[n - 2]! << 16) | (block[n - 1]! << 24)) >>> 0;
  const limit = n - 4 - 4 * numRestarts;
  if (numRestarts < 1 || limit < 0) throw new Error(`${what}: bad restart table (${numRestarts} restarts in ${n} bytes)`);
  const whatFn = () => what;
  const out: SSTableEntry[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  let pos = 0;
  while (pos < limit) {
    let shared: number, nonShared: number, valueLen: number;
    [shared, pos] = varint32(block, pos, whatFn);
    [nonShared, pos] = varint32(block, pos, whatFn);
    [valueLen, pos] = varint32(block, pos, whatFn);
    if (shared > prev.length || pos + nonShared + valueLen > limit) throw new Error(`${what}: corrupt entry at byte ${pos}`);
    const key = new Uint8Array(shared + nonShared);
    key.set(prev.subarray(0, shared));
    key.set(block.subarray(pos, pos + nonShared), shared);
    pos += nonShared;
    out.push({ key, value: block.subarray(pos, pos + valueLen) });
    pos += valueLen;
    prev = key;
  }
  return out;
}
