import { toYUp, type ToYUpOptions } from './toYUp.js';
import { AsciiWriter } from './asciiWriter.js';
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
  const tex = options.texture;
  if (tex && tex.faceIndices.length !== nv) throw new Error(`encodeObj: ${tex.faceIndices.length} face indices for ${nv} vertices`);
  const { positions, triangles } = toYUp(vertices, mesh.triangles, { imageHeight: options.imageHeight, winding: options.winding });

  const w = new AsciiWriter().text('# prnet face mesh\n');
  if (tex) w.text(`mtllib ${tex.mtlFile}\n`);
  for (let i = 0; i < nv; i++) {
    w.text('v ').fixed(positions[3 * i], decimals).char(32).fixed(positions[3 * i + 1], decimals).char(32).fixed(positions[3 * i + 2], decimals);
    if (colors && !tex) w.char(32).fixed(colors[3 * i], decimals).char(32).fixed(colors[3 * i + 1], decimals).char(32).fixed(colors[3 * i + 2], decimals);
    w.char(10);
  }
  if (tex) {
    const n = tex.uvSize;
    for (let i = 0; i < nv; i++) {
      const k = tex.faceIndices[i];
      w.text('vt ').fixed(((k % n) + 0.5) / n, 6).char(32).fixed(1 - (Math.floor(k / n) + 0.5) / n, 6).char(10);
    }
    w.text('usemtl FaceTexture\n');
  }
  const m = triangles.length / 3;
  for (let t = 0; t < m; t++) {
    const a = triangles[3 * t] + 1, b = triangles[3 * t + 1] + 1, c = triangles[3 * t + 2] + 1;
    w.text('f ').int(a);
    if (tex) w.char(47).int(a);
    w.char(32).int(b);
    if (tex) w.char(47).int(b);
    w.char(32).int(c);
    if (tex) w.char(47).int(c);
    w.char(10);
  }
  const obj = w.toString();
  if (!tex) return { obj };
  const mtl = ['newmtl FaceTexture', 'Ka 1 1 1', 'Kd 1 1 1', 'Ks 0 0 0', 'd 1', 'illum 1', `map_Kd ${tex.textureFile}`, ''].join('\n');
  return { obj, mtl };
}
