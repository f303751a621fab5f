import type { ToYUpOptions } from './toYUp.js';
import { toYUpPositions } from './toYUpPositions.js';
import { AsciiWriter } from './asciiWriter.js';
import { writeFixed, writeFixed4 } from './writeFixed.js';
import { objFaceLines } from './objFaceLines.js';
import { objUvLines } from './objUvLines.js';
import { withDefaults } from './withDefaults.js';

/** A mesh to write: image-space vertices as reconstructed (x right, y down, z toward the viewer). */
export interface ObjMesh {
  /** `n×3` x, y, z in image pixels. */
  vertices: Float32Array | Float64Array;
  /** `m×3` vertex indices (0-based). */
  triangles: Uint32Array | Int32Array;
  /** `n×3` RGB in 0…1 per vertex, written as `v x y z r g b` (MeshLab's extension). */
  colors?: Float32Array | Float64Array;
}

/** Options for {@link encodeObj}. */
export interface EncodeObjOptions {
  /** Triangle winding in the file, see {@link ToYUpOptions.winding} (default `'auto'`). */
  winding?: ToYUpOptions['winding'];
  /** Photo height: y is written as `imageHeight − 1 − y` (official convention); without it, `−y`. */
  imageHeight?: number;
  /**
   * Texture mapping: each vertex gets `vt` from its UV pixel (`faceIndices[i] = v·uvSize + u`),
   * and an MTL referencing `textureFile` is produced. Colours are then not written.
   */
  texture?: {
    /** Flat UV texel index of each vertex (`UvAssets.faceIndices`). */
    faceIndices: Uint32Array | Int32Array;
    /** Side of the UV map (256). */
    uvSize: number;
    /** File name of the MTL, as referenced by `mtllib` (relative to the OBJ). */
    mtlFile: string;
    /** File name of the texture PNG, as referenced by `map_Kd` (relative to the MTL). */
    textureFile: string;
  };
  /** Digits after the decimal point for positions and colours. */
  decimals?: number;
}

export const ENCODE_OBJ_DEFAULTS = { decimals: 4 } as const;

/** The text of an OBJ, and of its MTL when textured. */
export interface ObjFiles {
  obj: string;
  mtl?: string;
}

/**
 * Wavefront OBJ text of a face mesh (the official `write_obj_with_colors` /
 * `write_obj_with_texture`): y flipped to y-up, faces 1-based and wound
 * counter-clockwise toward the viewer (see {@link toYUp}).
 *
 * Texture coordinates sample texel centres, `u = (x + 0.5) / uvSize`,
 * `v = 1 − (y + 0.5) / uvSize` (OBJ's v points up; the official code uses
 * `x / 256`, half a texel off).
 *
 * ```ts
 * const { obj } = encodeObj({ vertices, triangles, colors }, { imageHeight: photo.height });
 * const { obj: o, mtl } = encodeObj({ vertices, triangles }, {
 *   texture: { faceIndices: uv.faceIndices, uvSize: 256, mtlFile: 'face.mtl', textureFile: 'face_texture.png' },
 * });
 * ```
 */
export function encodeObj(mesh: ObjMesh, options: EncodeObjOptions = {}): ObjFiles {
  const { decimals } = withDefaults(ENCODE_OBJ_DEFAULTS, options);
  const { vertices, colors } = mesh;
  const nv = vertices.length / 3;
  if (!Number.isInteger(nv)) throw new Error(`encodeObj: vertices length ${vertices.length} is not a multiple of 3`);
  if (colors && colors.length !== vertices.length) throw new Error(`encodeObj: ${colors.length / 3} colours for ${nv} vertices`);
  if (mesh.triangles.length % 3 !== 0) throw new Error(`encodeObj: triangles length ${mesh.triangles.length} is not a multiple of 3`);
  const tex = options.texture;
  if (tex && tex.faceIndices.length !== nv) throw new Error(`encodeObj: ${tex.faceIndices.length} face indices for ${nv} vertices`);
  const { positions, reverse } = toYUpPositions(vertices, mesh.triangles, { imageHeight: options.imageHeight, winding: options.winding });
  const faces = objFaceLines(mesh.triangles, reverse, tex !== undefined);
  const uvLines = tex ? objUvLines(tex.faceIndices, tex.uvSize) : undefined;
  const obj = fastObj(positions, tex ? undefined : colors, tex, uvLines, decimals, faces)
    ?? slowObj(positions, tex ? undefined : colors, tex, uvLines, decimals, faces);
  if (!tex) return { obj };
  const mtl = ['newmtl FaceTexture', 'Ka 1 1 1', 'Kd 1 1 1', 'Ks 0 0 0', 'd 1', 'illum 1', `map_Kd ${tex.textureFile}`, ''].join('\n');
  return { obj, mtl };
}

type Texture = NonNullable<EncodeObjOptions['texture']>;
const utf8 = new TextDecoder();
/**
 * Node's `Buffer`, when there is one, without importing it (this module also runs in
 * browsers): for ASCII bytes its latin1 decoding (a plain copy into a one-byte string,
 * the same text) is many times faster than `TextDecoder`.
 */
const NodeBuffer = (globalThis as { Buffer?: { from(a: ArrayBuffer, offset: number, length: number): { toString(encoding: 'latin1'): string } } }).Buffer;

/** The text of `bytes`; `isAscii` says that every byte is below 128. */
function decode(bytes: Uint8Array, isAscii: boolean): string {
  if (isAscii && NodeBuffer) return NodeBuffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length).toString('latin1');
  return utf8.decode(bytes);
}
const HEADER = '# prnet face mesh\n';
const USEMTL = 'usemtl FaceTexture\n';

/**
 * The bytes are only a stage on the way to the string, so one buffer serves every
 * call (it grows to the largest file, ~5 MB for a textured face): a fresh 5 MB array
 * per call costs page faults and garbage collection, about a fifth of the encoding.
 */
let scratch = new Uint8Array(0);
let scratchView = new DataView(scratch.buffer);
function scratchBytes(size: number): Uint8Array {
  if (scratch.length < size) {
    scratch = new Uint8Array(Math.max(size, Math.min(2 * scratch.length, size + (1 << 22))));
    scratchView = new DataView(scratch.buffer);
  }
  return scratch;
}

function putText(out: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/**
 * The whole file in one preallocated buffer: numbers by {@link writeFixed4} (the
 * default 4 decimals) or {@link writeFixed}, the `vt` and `f` lines copied from
 * {@link objUvLines} and {@link objFaceLines}. `undefined` when a number falls outside
 * writeFixed's fast path (not finite, huge, or more than 9 decimals).
 */
function fastObj(positions: Float32Array, colors: ObjMesh['colors'], tex: Texture | undefined, uvLines: Uint8Array | undefined, decimals: number, faces: Uint8Array): string | undefined {
  const nv = positions.length / 3;
  const num = 13 + decimals; // a number and its separator
  const mtllib = tex ? `mtllib ${tex.mtlFile}\n` : '';
  // Texture names may hold any character: count them as up to 3 UTF-8 bytes each.
  // 16 bytes to spare for writeFixed4's last store.
  const size = 3 * (HEADER.length + mtllib.length + USEMTL.length) + nv * (2 + num * (colors ? 6 : 3)) + (uvLines ? uvLines.length : 0) + faces.length + 16;
  const out = scratchBytes(size);
  let o = putText(out, 0, HEADER);
  let isAscii = true;
  if (tex) {
    const bytes = new TextEncoder().encode(mtllib);
    isAscii = bytes.length === mtllib.length;
    out.set(bytes, o);
    o += bytes.length;
  }
  o = decimals === 4 ? vertexLines4(out, scratchView, o, positions, colors) : vertexLines(out, o, positions, colors, decimals);
  if (o < 0) return undefined;
  if (uvLines) {
    out.set(uvLines, o);
    o += uvLines.length;
    o = putText(out, o, USEMTL);
  }
  out.set(faces, o);
  o += faces.length;
  return decode(out.subarray(0, o), isAscii);
}

/**
 * The `v` lines with 4 decimals, from `at`; the offset after them, or -1. Two call
 * sites of writeFixed4, in short loops, so that V8 inlines it (six did not all fit).
 */
function vertexLines4(out: Uint8Array, view: DataView, at: number, positions: Float32Array, colors: ObjMesh['colors']): number {
  const nv = positions.length / 3;
  let o = at;
  for (let i = 0; i < 3 * nv; i += 3) {
    out[o++] = 118; // v
    for (let j = i; j < i + 3; j++) {
      out[o] = 32;
      o = writeFixed4(out, view, o + 1, positions[j]!);
      if (o < 0) return -1;
    }
    if (colors) {
      for (let j = i; j < i + 3; j++) {
        out[o] = 32;
        o = writeFixed4(out, view, o + 1, colors[j]!);
        if (o < 0) return -1;
      }
    }
    out[o++] = 10;
  }
  return o;
}

/** The `v` lines with any 0…9 decimals, from `at`; the offset after them, or -1. */
function vertexLines(out: Uint8Array, at: number, positions: Float32Array, colors: ObjMesh['colors'], decimals: number): number {
  const nv = positions.length / 3;
  let o = at;
  for (let i = 0; i < nv; i++) {
    out[o++] = 118; // v
    out[o++] = 32;
    o = writeFixed(out, o, positions[3 * i]!, decimals);
    if (o < 0) return -1;
    out[o++] = 32;
    o = writeFixed(out, o, positions[3 * i + 1]!, decimals);
    if (o < 0) return -1;
    out[o++] = 32;
    o = writeFixed(out, o, positions[3 * i + 2]!, decimals);
    if (o < 0) return -1;
    if (colors) {
      out[o++] = 32;
      o = writeFixed(out, o, colors[3 * i]!, decimals);
      if (o < 0) return -1;
      out[o++] = 32;
      o = writeFixed(out, o, colors[3 * i + 1]!, decimals);
      if (o < 0) return -1;
      out[o++] = 32;
      o = writeFixed(out, o, colors[3 * i + 2]!, decimals);
      if (o < 0) return -1;
    }
    out[o++] = 10;
  }
  return o;
}

/** Any numbers (NaN, huge, many decimals), through {@link AsciiWriter}: the general and slower path. */
function slowObj(positions: Float32Array, colors: ObjMesh['colors'], tex: Texture | undefined, uvLines: Uint8Array | undefined, decimals: number, faces: Uint8Array): string {
  const nv = positions.length / 3;
  const w = new AsciiWriter().text(HEADER);
  if (tex) w.text(`mtllib ${tex.mtlFile}\n`);
  for (let i = 0; i < nv; i++) {
    w.text('v ').fixed(positions[3 * i]!, decimals).char(32).fixed(positions[3 * i + 1]!, decimals).char(32).fixed(positions[3 * i + 2]!, decimals);
    if (colors) w.char(32).fixed(colors[3 * i]!, decimals).char(32).fixed(colors[3 * i + 1]!, decimals).char(32).fixed(colors[3 * i + 2]!, decimals);
    w.char(10);
  }
  const text = w.toString();
  return uvLines ? text + decode(uvLines, true) + USEMTL + decode(faces, true) : text + decode(faces, true);
}
