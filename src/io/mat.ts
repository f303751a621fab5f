/**
 * Reader for MATLAB level-5 MAT-files (`save -v6` / `-v7`), isomorphic: bytes in, typed
 * arrays out. AFLW2000-3D ships its ground truth this way.
 *
 * Layout returned: every array is given in C (row-major) order with MATLAB's shape,
 * i.e. the file's column-major data are transposed, so element `(i, j)` of an m×n
 * matrix is `data[i · n + j]` (same as `scipy.io.loadmat` then `np.ascontiguousarray`).
 *
 * Compression: v7 files wrap variables in zlib streams (miCOMPRESSED). This parser is
 * synchronous and takes the inflate function as an option (Node passes
 * `zlib.inflateSync`); {@link parseMatAsync} in `matAsync.ts` does the same with the
 * web-standard `DecompressionStream`, available in Node ≥ 18 and browsers.
 */

/** Numeric classes of MATLAB arrays. */
export type MatNumericClass =
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64';

import type { NumericArray } from './numericArray.js';

/** Typed arrays a numeric MATLAB array decodes to (one per class; logical → Uint8Array). */
export type MatTypedArray = NumericArray;

/** A numeric or logical array. */
export interface MatNumeric {
  kind: 'numeric';
  /** MATLAB class; logical arrays have class `'uint8'` and `logical: true`. */
  class: MatNumericClass;
  logical: boolean;
  /** MATLAB dimensions (at least 2). */
  shape: number[];
  /** Real part, C order. */
  data: MatTypedArray;
  /** Imaginary part for complex arrays, C order. */
  imag?: MatTypedArray;
}

/** A char array. */
export interface MatChar {
  kind: 'char';
  shape: number[];
  /** One string per row (all leading dimensions flattened, C order); a 1×n array has one row. */
  rows: string[];
  /** The rows joined with newlines (the string itself for a 1×n array). */
  text: string;
}

/** A cell array; cells in C order. */
export interface MatCell {
  kind: 'cell';
  shape: number[];
  cells: MatValue[];
}

/** A struct array; elements in C order, each a record of its fields. */
export interface MatStruct {
  kind: 'struct';
  shape: number[];
  fieldNames: string[];
  elements: Record<string, MatValue>[];
}

/** Any decoded MATLAB value. */
export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

/** A decoded MAT-file. */
export interface MatFile {
  /** The 116-byte descriptive text of the header (trimmed). */
  header: string;
  /** Variables by name, in file order. */
  variables: Record<string, MatValue>;
}

/** Options of {@link parseMat}. */
export interface ParseMatOptions {
  /** zlib inflate (RFC 1950 stream with header) for compressed variables, e.g. Node's `zlib.inflateSync`. */
  inflate?: (data: Uint8Array) => Uint8Array;
  /** Name used in error messages (the file path). */
  name?: string;
}

const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

const MX_CLASSES: Record<number, MatNumericClass | 'cell' | 'struct' | 'object' | 'char' | 'sparse' | 'function' | 'opaque'> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
  16: 'function',
  17: 'opaque',
};

const ELEMENT_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };

const CLASS_ARRAY: Record<MatNumericClass, new (n: number) => MatTypedArray> = {
  double: Float64Array,
  single: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** A data element: its type and its payload bytes. */
interface Element {
  type: number;
  bytes: Uint8Array;
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    readonly little: boolean,
    readonly name: string,
    readonly inflate: ((d: Uint8Array) => Uint8Array) | undefined,
  ) {}

  view(b: Uint8Array): DataView {
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  fail(msg: string): never {
    throw new Error(`${this.name}: ${msg}`);
  }

  /** Reads the element at `pos` of `buf`; returns it and the position after it (8-byte aligned). */
  element(buf: Uint8Array, pos: number): { el: Element; next: number } {
    if (pos + 8 > buf.length) this.fail(`truncated data element tag at byte ${pos}`);
    const dv = this.view(buf);
    const first = dv.getUint32(pos, this.little);
    // Small data element: type and size packed in the first 4 bytes, payload in the next 4.
    if (first >>> 16 !== 0) {
      const size = first >>> 16;
      const type = first & 0xffff;
      if (size > 4) this.fail(`bad small data element (size ${size}) at byte ${pos}`);
      return { el: { type, bytes: buf.subarray(pos + 4, pos + 4 + size) }, next: pos + 8 };
    }
    const size = dv.getUint32(pos + 4, this.little);
    const start = pos + 8;
    if (start + size > buf.length) this.fail(`truncated: element at byte ${pos} needs ${size} bytes, ${buf.length - start} left`);
    // Compressed elements are not padded; all others end on an 8-byte boundary.
    const next = first === MI.COMPRESSED ? start + size : start + Math.ceil(size / 8) * 8;
    return { el: { type: first, bytes: buf.subarray(start, start + size) }, next: Math.min(next, buf.length) };
  }

  /** Decodes a numeric element into plain numbers or bigints of the target array type. */
  numeric(el: Element, out: MatTypedArray, what: string): void {
    const size = ELEMENT_SIZE[el.type];
    if (!size || el.type === MI.UTF8 || el.type === MI.UTF16 || el.type === MI.UTF32) this.fail(`${what}: unexpected data type ${el.type}`);
    const n = el.bytes.length / size;
    if (n !== out.length) this.fail(`${what}: ${n} values stored, ${out.length} expected from the dimensions`);
    const dv = this.view(el.bytes);
    const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
    const le = this.little;
    for (let i = 0; i < n; i++) {
      const o = i * size;
      let v: number | bigint;
      switch (el.type) {
        case MI.INT8: v = dv.getInt8(o); break;
        case MI.UINT8: v = dv.getUint8(o); break;
        case MI.INT16: v = dv.getInt16(o, le); break;
        case MI.UINT16: v = dv.getUint16(o, le); break;
        case MI.INT32: v = dv.getInt32(o, le); break;
        case MI.UINT32: v = dv.getUint32(o, le); break;
        case MI.SINGLE: v = dv.getFloat32(o, le); break;
        case MI.DOUBLE: v = dv.getFloat64(o, le); break;
        case MI.INT64: v = dv.getBigInt64(o, le); break;
        default: v = dv.getBigUint64(o, le); break;
      }
      if (big) (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
      else (out as Float64Array)[i] = typeof v === 'bigint' ? Number(v) : v;
    }
  }

  /** Parses an miMATRIX payload. */
  matrix(buf: Uint8Array, path: string): { name: string; value: MatValue } {
    if (buf.length === 0) return { name: '', value: emptyDouble() };
    let pos = 0;
    const next = (): Element => {
      const { el, next: n } = this.element(buf, pos);
      pos = n;
      return el;
    };
    const flagsEl = next();
    if (flagsEl.bytes.length < 8 || (flagsEl.type !== MI.UINT32 && flagsEl.type !== MI.INT32)) this.fail(`${path}: bad array flags`);
    const flags = this.view(flagsEl.bytes).getUint32(0, this.little);
    const classId = flags & 0xff;
    const complex = (flags & 0x0800) !== 0;
    const logical = (flags & 0x0200) !== 0;
    const cls = MX_CLASSES[classId];
    if (!cls) this.fail(`${path}: unknown array class ${classId}`);
    const dimsEl = next();
    if (dimsEl.type !== MI.INT32 || dimsEl.bytes.length % 4 !== 0) this.fail(`${path}: bad dimensions element`);
    const shape: number[] = [];
    for (let i = 0; i < dimsEl.bytes.length / 4; i++) shape.push(this.view(dimsEl.bytes).getInt32(4 * i, this.little));
    if (shape.some((d) => d < 0)) this.fail(`${path}: negative dimension`);
    const count = shape.reduce((a, b) => a * b, 1);
    const nameEl = next();
    const name = new TextDecoder().decode(nameEl.bytes);
    const here = path ? (name ? `${path}.${name}` : path) : name;

    if (cls === 'sparse') this.fail(`${here}: sparse arrays are not supported`);
    if (cls === 'function' || cls === 'opaque') this.fail(`${here}: MATLAB ${cls} objects are not supported`);

    if (cls === 'cell') {
      const cells: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const el = next();
        if (el.type !== MI.MATRIX) this.fail(`${here}{${i + 1}}: expected a matrix element, got type ${el.type}`);
        cells.push(this.matrix(el.bytes, `${here}{${i + 1}}`).value);
      }
      return { name, value: { kind: 'cell', shape, cells: toCOrder(cells, shape) } };
    }
    if (cls === 'struct' || cls === 'object') {
      if (cls === 'object') next(); // class name, ignored: the object is read as a struct
      const lenEl = next();
      const fieldLen = this.view(lenEl.bytes).getInt32(0, this.little);
      const namesEl = next();
      const fieldNames: string[] = [];
      if (fieldLen > 0) {
        for (let o = 0; o + fieldLen <= namesEl.bytes.length; o += fieldLen) {
          const raw = namesEl.bytes.subarray(o, o + fieldLen);
          const end = raw.indexOf(0);
          fieldNames.push(new TextDecoder().decode(end >= 0 ? raw.subarray(0, end) : raw));
        }
      }
      const elements: Record<string, MatValue>[] = [];
      for (let i = 0; i < count; i++) {
        const rec: Record<string, MatValue> = {};
        for (const f of fieldNames) {
          const el = next();
          if (el.type !== MI.MATRIX) this.fail(`${here}(${i + 1}).${f}: expected a matrix element, got type ${el.type}`);
          rec[f] = this.matrix(el.bytes, `${here}(${i + 1}).${f}`).value;
        }
        elements.push(rec);
      }
      return { name, value: { kind: 'struct', shape, fieldNames, elements: toCOrder(elements, shape) } };
    }
    if (cls === 'char') {
      const el = count === 0 && pos >= buf.length ? { type: MI.UINT16, bytes: new Uint8Array(0) } : next();
      let codes: number[];
      if (el.type === MI.UTF8) codes = Array.from(new TextDecoder().decode(el.bytes), (c) => c.codePointAt(0)!);
      else if (el.type === MI.UTF16 || el.type === MI.UINT16 || el.type === MI.INT16) {
        codes = [];
        for (let i = 0; i + 1 < el.bytes.length; i += 2) codes.push(this.view(el.bytes).getUint16(i, this.little));
      } else if (el.type === MI.UTF32 || el.type === MI.UINT32 || el.type === MI.INT32) {
        codes = [];
        for (let i = 0; i + 3 < el.bytes.length; i += 4) codes.push(this.view(el.bytes).getUint32(i, this.little));
      } else if (el.type === MI.UINT8 || el.type === MI.INT8) codes = Array.from(el.bytes);
      else this.fail(`${here}: unexpected char data type ${el.type}`);
      if (codes.length !== count) this.fail(`${here}: ${codes.length} characters stored, ${count} expected`);
      const c = toCOrder(codes, shape);
      const rowLen = shape[shape.length - 1]!;
      const rows: string[] = [];
      const nRows = rowLen === 0 ? count === 0 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 0 : count / rowLen;
      for (let r = 0; r < nRows; r++) rows.push(String.fromCodePoint(...c.slice(r * rowLen, (r + 1) * rowLen)));
      return { name, value: { kind: 'char', shape, rows, text: rows.join('\n') } };
    }
    // Numeric (possibly logical, possibly complex).
    const Ctor = CLASS_ARRAY[cls];
    const realRaw = new Ctor(count);
    this.numeric(count === 0 && pos >= buf.length ? { type: MI.DOUBLE, bytes: new Uint8Array(0) } : next(), realRaw, `${here} (real part)`);
    const value: MatNumeric = { kind: 'numeric', class: cls, logical, shape, data: transpose(realRaw, shape) };
    if (complex) {
      const imagRaw = new Ctor(count);
      this.numeric(next(), imagRaw, `${here} (imaginary part)`);
      value.imag = transpose(imagRaw, shape);
    }
    return { name, value };
  }
}

function emptyDouble(): MatNumeric {
  return { kind: 'numeric', class: 'double', logical: false, shape: [0, 0], data: new Float64Array(0) };
}

/** Column-major → C-order index map for `shape`: `out[c] = src[colMajor(c)]`. */
function colMajorIndex(shape: number[]): Int32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const nd = shape.length;
  const fStride = new Array<number>(nd);
  let s = 1;
  for (let d = 0; d < nd; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(nd).fill(0);
  const out = new Int32Array(count);
  let src = 0;
  for (let i = 0; i < count; i++) {
    out[i] = src;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      src += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= fStride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

function transpose<T extends MatTypedArray>(a: T, shape: number[]): T {
  if (shape.filter((d) => d > 1).length < 2) return a; // vectors: same order either way
  const map = colMajorIndex(shape);
  const out = new (a.constructor as new (n: number) => T)(a.length);
  for (let i = 0; i < map.length; i++) (out as unknown as number[])[i] = (a as unknown as number[])[map[i]!]!;
  return out;
}

function toCOrder<T>(items: T[], shape: number[]): T[] {
  if (shape.filter((d) => d > 1).length < 2) return items;
  const map = colMajorIndex(shape);
  return Array.from(map, (j) => items[j]!);
}

/**
 * Parses a MATLAB level-5 MAT-file (v6 uncompressed or v7 compressed; pass `inflate`
 * for the latter). Version 7.3 files (HDF5) and v4 files are refused with a clear error.
 *
 * ```ts
 * import { inflateSync } from 'node:zlib';
 * const mat = parseMat(bytes, { inflate: inflateSync });
 * const pts = mat.variables.pt3d_68; // { kind: 'numeric', shape: [3, 68], data: Float32Array (C order) }
 * ```
 */
export function parseMat(bytes: Uint8Array, options: ParseMatOptions = {}): MatFile {
  const name = options.name ?? 'MAT-file';
  if (bytes.length >= 520 && HDF5_SIGNATURE.every((b, i) => bytes[512 + i] === b)) {
    throw new Error(`${name}: MATLAB v7.3 (HDF5) MAT-files are not supported; save with -v7 or -v6`);
  }
  if (bytes.length < 128) throw new Error(`${name}: not a MAT-file (only ${bytes.length} bytes)`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, 116)).replace(/[\s\0]+$/, '');
  if (!header.startsWith('MATLAB')) throw new Error(`${name}: not a MATLAB 5 MAT-file (header does not start with 'MATLAB')`);
  if (/MATLAB 7\.3/.test(header)) throw new Error(`${name}: MATLAB v7.3 (HDF5) MAT-files are not supported; save with -v7 or -v6`);
  const endian = String.fromCharCode(bytes[126]!, bytes[127]!);
  if (endian !== 'IM' && endian !== 'MI') throw new Error(`${name}: bad endian indicator '${endian}' (not a level-5 MAT-file)`);
  const reader = new Reader(bytes, endian === 'IM', name, options.inflate);
  const variables: Record<string, MatValue> = {};
  let pos = 128;
  while (pos < bytes.length) {
    if (bytes.length - pos < 8) break; // trailing padding
    const { el, next } = reader.element(bytes, pos);
    pos = next;
    let matrixBytes: Uint8Array;
    if (el.type === MI.COMPRESSED) {
      if (!options.inflate) throw new Error(`${name}: compressed variable found but no inflate function was given`);
      let raw: Uint8Array;
      try {
        raw = options.inflate(el.bytes);
      } catch (err) {
        throw new Error(`${name}: corrupt compressed variable: ${(err as Error).message}`);
      }
      const inner = reader.element(raw, 0).el;
      if (inner.type !== MI.MATRIX) throw new Error(`${name}: compressed element does not hold a matrix (type ${inner.type})`);
      matrixBytes = inner.bytes;
    } else if (el.type === MI.MATRIX) {
      matrixBytes = el.bytes;
    } else {
      throw new Error(`${name}: unexpected top-level element type ${el.type} at byte ${pos}`);
    }
    const { name: varName, value } = reader.matrix(matrixBytes, '');
    variables[varName] = value;
  }
  return { header, variables };
}

/** The payloads of a file's top-level compressed elements, in file order (for async inflation, see `matAsync.ts`). */
export function matCompressedElements(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length < 128) return [];
  const little = String.fromCharCode(bytes[126]!, bytes[127]!) === 'IM';
  const reader = new Reader(bytes, little, 'MAT-file', undefined);
  const out: Uint8Array[] = [];
  let pos = 128;
  while (bytes.length - pos >= 8) {
    const { el, next } = reader.element(bytes, pos);
    if (el.type === MI.COMPRESSED) out.push(el.bytes);
    pos = next;
  }
  return out;
}
