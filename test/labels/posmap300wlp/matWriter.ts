/**
 * A minimal MATLAB level-5 MAT-file writer for tests: double matrices and 1×1 structs of
 * them, optionally zlib-compressed (miCOMPRESSED), so tests can make face3d-style BFM.mat,
 * BFM_UV.mat and 300W-LP parameter files without the real data.
 */
import { deflateSync } from 'node:zlib';

/** A double matrix given in C (row-major) order with its MATLAB shape. */
export interface MatDouble { shape: number[]; data: ArrayLike<number> }
/** A value to write: a double matrix or a 1×1 struct. */
export type MatWriteValue = MatDouble | { struct: Record<string, MatWriteValue> };

const MI_INT8 = 1, MI_INT32 = 5, MI_UINT32 = 6, MI_DOUBLE = 9, MI_MATRIX = 14, MI_COMPRESSED = 15;
const MX_STRUCT = 2, MX_DOUBLE = 6;

function element(type: number, payload: Uint8Array): Uint8Array {
  const padded = Math.ceil(payload.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function int32s(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(b.buffer).setInt32(i * 4, v, true));
  return b;
}

function matrix(name: string, value: MatWriteValue): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const flags = new Uint8Array(8);
  const parts: Uint8Array[] = [];
  if ('struct' in value) {
    new DataView(flags.buffer).setUint32(0, MX_STRUCT, true);
    const fields = Object.keys(value.struct);
    const names = new Uint8Array(fields.length * 32);
    fields.forEach((f, i) => names.set(new TextEncoder().encode(f), i * 32));
    parts.push(element(MI_UINT32, flags), element(MI_INT32, int32s([1, 1])), element(MI_INT8, nameBytes),
      element(MI_INT32, int32s([32])), element(MI_INT8, names));
    for (const f of fields) parts.push(matrix('', value.struct[f]!));
  } else {
    new DataView(flags.buffer).setUint32(0, MX_DOUBLE, true);
    const { shape, data } = value;
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length || shape.length !== 2) throw new Error('matWriter: 2-D shapes only, matching the data');
    const [r, c] = shape as [number, number];
    const bytes = new Uint8Array(n * 8);
    const dv = new DataView(bytes.buffer);
    // MATLAB stores column-major.
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) dv.setFloat64((j * r + i) * 8, data[i * c + j]!, true);
    parts.push(element(MI_UINT32, flags), element(MI_INT32, int32s(shape)), element(MI_INT8, nameBytes), element(MI_DOUBLE, bytes));
  }
  return element(MI_MATRIX, concat(parts));
}

/**
 * Encodes variables as a level-5 MAT-file.
 *
 * ```ts
 * const bytes = encodeMat({ Pose_Para: { shape: [1, 7], data: pose } }, { compress: true });
 * ```
 */
export function encodeMat(variables: Record<string, MatWriteValue>, options: { compress?: boolean } = {}): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by prnet tests'), 0);
  header.fill(0, 116, 124);
  header[124] = 0x00; header[125] = 0x01; header[126] = 0x49; header[127] = 0x4d; // version 0x0100, 'IM'
  const parts: Uint8Array[] = [header];
  for (const [name, value] of Object.entries(variables)) {
    const m = matrix(name, value);
    if (!options.compress) { parts.push(m); continue; }
    const z = deflateSync(m);
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, MI_COMPRESSED, true);
    new DataView(tag.buffer).setUint32(4, z.length, true);
    parts.push(tag, z);
  }
  return concat(parts);
}
