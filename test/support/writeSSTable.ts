/**
 * Writes a LevelDB-format table (SSTable) the way TensorFlow's `table::TableBuilder`
 * does, so a checkpoint index written here is byte-for-byte what TensorFlow would
 * write for the same entries: prefix-compressed keys with a restart point every 16
 * entries, data blocks cut at 256 KiB, an index block keyed by shortest separators,
 * an empty metaindex block and the 48-byte footer.
 */
import { crc32c, maskCrc32c } from '../../src/model/checkpoint/crc32c.js';
import {
  SSTABLE_FOOTER_SIZE, SSTABLE_MAGIC, SSTABLE_NO_COMPRESSION, SSTABLE_SNAPPY_COMPRESSION, type SSTableEntry,
} from '../../src/model/checkpoint/readSSTable.js';

/** Options of {@link writeSSTable}. */
export interface WriteSSTableOptions {
  /** Target uncompressed data-block size (TensorFlow's `table::Options` default: 256 KiB). */
  blockSize?: number;
  /** Entries between restart points in data blocks (TensorFlow default 16). */
  restartInterval?: number;
  /**
   * Optional Snappy compressor; a block is stored compressed only when that saves
   * more than 1/8 of its size, as LevelDB does. Without it blocks are stored raw.
   */
  snappyCompress?: (block: Uint8Array) => Uint8Array;
}

const DEFAULTS: Required<Omit<WriteSSTableOptions, 'snappyCompress'>> = { blockSize: 262144, restartInterval: 16 };

class ByteSink {
  private buf = new Uint8Array(1024);
  length = 0;
  private grow(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number): void { this.grow(1); this.buf[this.length++] = b; }
  bytes(b: Uint8Array): void { this.grow(b.length); this.buf.set(b, this.length); this.length += b.length; }
  varint(v: number): void {
    let x = v;
    while (x >= 0x80) { this.byte((x % 128) | 0x80); x = Math.floor(x / 128); }
    this.byte(x);
  }
  fixed32(v: number): void { this.byte(v & 0xff); this.byte((v >>> 8) & 0xff); this.byte((v >>> 16) & 0xff); this.byte((v >>> 24) & 0xff); }
  view(): Uint8Array { return this.buf.subarray(0, this.length); }
}

class BlockBuilder {
  private sink = new ByteSink();
  private restarts = [0];
  private counter = 0;
  private last: Uint8Array = new Uint8Array(0);
  count = 0;
  constructor(private readonly interval: number) {}
  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.interval) {
      const n = Math.min(key.length, this.last.length);
      while (shared < n && key[shared] === this.last[shared]) shared++;
    } else {
      this.restarts.push(this.sink.length);
      this.counter = 0;
    }
    this.sink.varint(shared);
    this.sink.varint(key.length - shared);
    this.sink.varint(value.length);
    this.sink.bytes(key.subarray(shared));
    this.sink.bytes(value);
    this.last = key;
    this.counter++;
    this.count++;
  }
  sizeEstimate(): number { return this.sink.length + 4 * this.restarts.length + 4; }
  finish(): Uint8Array {
    for (const r of this.restarts) this.sink.fixed32(r);
    this.sink.fixed32(this.restarts.length);
    return this.sink.view();
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** LevelDB's `FindShortestSeparator`: a short key in [start, limit). */
function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const n = Math.min(start.length, limit.length);
  let d = 0;
  while (d < n && start[d] === limit[d]) d++;
  if (d < n) {
    const b = start[d]!;
    if (b < 0xff && b + 1 < limit[d]!) {
      const out = start.slice(0, d + 1);
      out[d] = b + 1;
      return out;
    }
  }
  return start;
}

/** LevelDB's `FindShortSuccessor`: a short key ≥ `key`. */
function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i] = key[i]! + 1;
      return out;
    }
  }
  return key;
}

/**
 * Encodes `entries` (keys strictly increasing bytewise) as a table.
 *
 * ```ts
 * const bytes = writeSSTable([{ key: enc('a'), value: enc('1') }, { key: enc('b'), value: enc('2') }]);
 * ```
 */
export function writeSSTable(entries: readonly SSTableEntry[], options: WriteSSTableOptions = {}): Uint8Array {
  const o = { ...DEFAULTS, ...options };
  if (!(o.restartInterval >= 1)) throw new Error(`restartInterval must be ≥ 1, got ${o.restartInterval}`);
  const out = new ByteSink();
  const index = new BlockBuilder(1);
  let data = new BlockBuilder(o.restartInterval);
  let pendingHandle: [number, number] | undefined;
  let lastKey: Uint8Array | undefined;

  const writeBlock = (contents: Uint8Array): [number, number] => {
    let stored = contents;
    let type = SSTABLE_NO_COMPRESSION;
    if (o.snappyCompress) {
      const c = o.snappyCompress(contents);
      if (c.length < contents.length - contents.length / 8) { stored = c; type = SSTABLE_SNAPPY_COMPRESSION; }
    }
    const handle: [number, number] = [out.length, stored.length];
    out.bytes(stored);
    const crc = crc32c(new Uint8Array([type]), crc32c(stored));
    out.byte(type);
    out.fixed32(maskCrc32c(crc));
    return handle;
  };
  const handleBytes = (h: [number, number]): Uint8Array => {
    const s = new ByteSink();
    s.varint(h[0]);
    s.varint(h[1]);
    return s.view().slice();
  };

  for (const { key, value } of entries) {
    if (lastKey && compareBytes(key, lastKey) <= 0) {
      throw new Error(`table keys must be strictly increasing; "${new TextDecoder().decode(key)}" follows "${new TextDecoder().decode(lastKey)}"`);
    }
    if (pendingHandle && lastKey) {
      index.add(shortestSeparator(lastKey, key), handleBytes(pendingHandle));
      pendingHandle = undefined;
    }
    data.add(key, value);
    lastKey = key;
    if (data.sizeEstimate() >= o.blockSize) {
      pendingHandle = writeBlock(data.finish());
      data = new BlockBuilder(o.restartInterval);
    }
  }
  if (data.count > 0) pendingHandle = writeBlock(data.finish());
  if (pendingHandle && lastKey) index.add(shortSuccessor(lastKey), handleBytes(pendingHandle));

  const metaHandle = writeBlock(new BlockBuilder(o.restartInterval).finish());
  const indexHandle = writeBlock(index.finish());
  const footer = new ByteSink();
  footer.varint(metaHandle[0]); footer.varint(metaHandle[1]);
  footer.varint(indexHandle[0]); footer.varint(indexHandle[1]);
  while (footer.length < SSTABLE_FOOTER_SIZE - 8) footer.byte(0);
  footer.bytes(SSTABLE_MAGIC);
  out.bytes(footer.view());
  return out.view().slice();
}
