/**
 * Reader for NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), isomorphic:
 * bytes in, typed array out. The official PRNet assets (`canonical_vertices.npy`)
 * and the training labels (`pts21.npy`, `roi_box.npy`) are stored this way.
 *
 * Format: magic `\x93NUMPY`, major and minor version bytes, header length (u16 LE in
 * v1, u32 LE in v2/v3), a Python dict literal header
 * (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`), then raw data.
 */
// Hand-written rather than npyjs: npyjs 1.2 drops the byte-order character (a big-endian
// file decodes as garbage), does not check the data length against the shape, and pulls
// in cross-fetch, a network layer a parser should not need.

import type { NumericArray } from './numericArray.js';

/** Element arrays a `.npy` file decodes to (bool decodes to 0/1 bytes, float16 to float32). */
export type NpyData = NumericArray;

/** Canonical dtype names used in {@link NpyArray.dtype}. */
export type NpyDtype =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64';

/** A decoded `.npy` array. */
export interface NpyArray {
  /** Element type, e.g. `'float32'` (byte order is already resolved to the host's). */
  dtype: NpyDtype;
  /** Dimensions; `[]` for a scalar. */
  shape: number[];
  /** Whether `data` is laid out column-major (as stored); see {@link npyToCOrder}. */
  fortranOrder: boolean;
  /** The elements in storage order, as native-endian values. */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface DtypeInfo {
  dtype: NpyDtype;
  size: number;
  make: (n: number) => NpyData;
}

const DTYPES: Record<string, DtypeInfo> = {
  b1: { dtype: 'bool', size: 1, make: (n) => new Uint8Array(n) },
  i1: { dtype: 'int8', size: 1, make: (n) => new Int8Array(n) },
  u1: { dtype: 'uint8', size: 1, make: (n) => new Uint8Array(n) },
  i2: { dtype: 'int16', size: 2, make: (n) => new Int16Array(n) },
  u2: { dtype: 'uint16', size: 2, make: (n) => new Uint16Array(n) },
  i4: { dtype: 'int32', size: 4, make: (n) => new Int32Array(n) },
  u4: { dtype: 'uint32', size: 4, make: (n) => new Uint32Array(n) },
  i8: { dtype: 'int64', size: 8, make: (n) => new BigInt64Array(n) },
  u8: { dtype: 'uint64', size: 8, make: (n) => new BigUint64Array(n) },
  f2: { dtype: 'float16', size: 2, make: (n) => new Float32Array(n) },
  f4: { dtype: 'float32', size: 4, make: (n) => new Float32Array(n) },
  f8: { dtype: 'float64', size: 8, make: (n) => new Float64Array(n) },
};

/**
 * Parses a `.npy` file. Data are returned in storage order (check `fortranOrder`, or
 * call {@link npyToCOrder}); big-endian files are byte-swapped to native values.
 *
 * ```ts
 * const pts = parseNpy(bytes); // { dtype: 'float32', shape: [19080, 2, 21], data: Float32Array }
 * ```
 */
export function parseNpy(bytes: Uint8Array, name = '.npy data'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new Error(`${name}: not a .npy file (bad magic)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`${name}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new Error(`${name}: truncated .npy header`);
  // v1/v2 headers are latin1, v3 utf8; only ASCII matters for the keys we read.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descrMatch = /'descr'\s*:\s*'([^']*)'/.exec(header);
  if (!descrMatch) {
    if (/'descr'\s*:\s*\[/.test(header)) throw new Error(`${name}: structured dtypes are not supported`);
    throw new Error(`${name}: .npy header has no 'descr': ${header.trim()}`);
  }
  const descr = descrMatch[1]!;
  const fortranMatch = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  if (!fortranMatch) throw new Error(`${name}: .npy header has no 'fortran_order'`);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shapeMatch) throw new Error(`${name}: .npy header has no 'shape'`);
  const shape = shapeMatch[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new Error(`${name}: bad shape entry '${s}'`);
      return v;
    });

  const order = descr[0]!;
  const code = descr.slice(1);
  if (code === 'O' || descr === 'O') throw new Error(`${name}: object arrays (dtype 'O') cannot be read`);
  const info = DTYPES[code === 'b1' || code === '?' ? 'b1' : code];
  if (!info || !'<>|='.includes(order)) throw new Error(`${name}: unsupported dtype '${descr}'`);
  const bigEndian = order === '>';

  const count = shape.reduce((a, b) => a * b, 1);
  const byteCount = count * info.size;
  if (bytes.length - dataStart < byteCount) {
    throw new Error(
      `${name}: truncated data: shape (${shape.join(', ')}) ${descr} needs ${byteCount} bytes, file has ${bytes.length - dataStart}`,
    );
  }
  const data = info.make(count);
  const raw = bytes.subarray(dataStart, dataStart + byteCount);
  if (info.dtype === 'float16') {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = data as Float32Array;
    for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, !bigEndian));
  } else {
    // Copy into a fresh (aligned) buffer, then swap bytes if the file order differs.
    const dst = new Uint8Array(data.buffer, data.byteOffset, byteCount);
    dst.set(raw);
    if (info.size > 1 && bigEndian === HOST_LITTLE_ENDIAN) swapBytes(dst, info.size);
  }
  return { dtype: info.dtype, shape, fortranOrder: fortranMatch[1] === 'True', data };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) {
    for (let j = 0, k = size - 1; j < k; j++, k--) {
      const t = b[i + j]!;
      b[i + j] = b[i + k]!;
      b[i + k] = t;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Returns the array in C (row-major) order, transposing a Fortran-order array; a
 * C-order array is returned as is.
 *
 * ```ts
 * const { data, shape } = npyToCOrder(parseNpy(bytes));
 * ```
 */
export function npyToCOrder(array: NpyArray): NpyArray {
  if (!array.fortranOrder || array.shape.length < 2) return { ...array, fortranOrder: false };
  const { shape, data } = array;
  const nd = shape.length;
  const count = data.length;
  const out = new (data.constructor as new (n: number) => NpyData)(count);
  // Column-major strides of the source.
  const fStride = new Array<number>(nd);
  let s = 1;
  for (let d = 0; d < nd; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let i = 0; i < count; i++) {
    (out as unknown as ArrayLike<unknown> & Record<number, unknown>)[i] = (data as unknown as ArrayLike<unknown>)[src];
    // Advance the C-order multi-index (last dimension fastest).
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      src += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= fStride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return { dtype: array.dtype, shape: [...shape], fortranOrder: false, data: out };
}

/**
 * Parses a `.npy` file and returns its data in C order: the usual entry point.
 *
 * ```ts
 * const { shape, data } = readNpy(bytes); // canonical_vertices.npy → [43867, 3], Float64Array
 * ```
 */
export function readNpy(bytes: Uint8Array, name?: string): NpyArray {
  return npyToCOrder(parseNpy(bytes, name));
}

/**
 * Converts any numeric npy data to a Float64Array. 64-bit integers outside ±2^53
 * throw rather than silently losing precision.
 *
 * ```ts
 * const values = npyToFloat64(readNpy(bytes));
 * ```
 */
export function npyToFloat64(array: NpyArray): Float64Array {
  const { data } = array;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new Error(`${array.dtype} value ${v} at element ${i} is not exactly representable as float64`);
      }
      out[i] = Number(v);
    }
    return out;
  }
  return Float64Array.from(data as ArrayLike<number>);
}

/**
 * Converts integer npy data (any width, including int64/uint64) to an Int32Array,
 * throwing on a value outside the int32 range or a non-integer value.
 *
 * ```ts
 * const indices = npyToInt32(readNpy(bytes));
 * ```
 */
export function npyToInt32(array: NpyArray): Int32Array {
  const { data } = array;
  const out = new Int32Array(data.length);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  for (let i = 0; i < data.length; i++) {
    const v = big ? Number((data as BigInt64Array)[i]!) : (data as Float64Array)[i]!;
    const ok = big
      ? (data as BigInt64Array)[i]! >= -2147483648n && (data as BigInt64Array)[i]! <= 2147483647n
      : Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    if (!ok) throw new Error(`${array.dtype} value ${String(data[i])} at element ${i} does not fit int32`);
    out[i] = v;
  }
  return out;
}
