import { Document, WebIO } from '@gltf-transform/core';
import { toYUp, type ToYUpOptions } from './toYUp.js';
import { withDefaults } from './withDefaults.js';

/** A mesh to write as GLB: image-space vertices (x right, y down, z toward the viewer). */
export interface GlbMesh {
  /** `n×3` x, y, z in image pixels. */
  vertices: Float32Array | Float64Array;
  /** `m×3` vertex indices. */
  triangles: Uint32Array | Int32Array;
  /** `n×3` RGB in 0…1 per vertex, stored as `COLOR_0`. */
  colors?: Float32Array | Float64Array;
  /** A UV texture: PNG bytes, and the UV texel of each vertex for `TEXCOORD_0`. */
  texture?: {
    /** A complete PNG file (from `encodePng`). */
    png: Uint8Array;
    /** Flat UV texel index of each vertex (`UvAssets.faceIndices`). */
    faceIndices: Uint32Array | Int32Array;
    /** Side of the UV map (256). */
    uvSize: number;
  };
}

/** Options for {@link encodeGlb}. */
export interface EncodeGlbOptions {
  /** Triangle winding in the file, see {@link ToYUpOptions.winding} (default `'auto'`). */
  winding?: ToYUpOptions['winding'];
  /** Photo height: y becomes `imageHeight − 1 − y`; without it, `−y`. */
  imageHeight?: number;
  /** Multiplies positions: glTF units are metres, and a face in pixels is ~200 m wide in a viewer. */
  scale?: number;
  /** Name of the mesh and node. */
  name?: string;
}

export const ENCODE_GLB_DEFAULTS: Required<Omit<EncodeGlbOptions, 'imageHeight' | 'winding'>> = {
  scale: 0.001,
  name: 'face',
};

/**
 * Binary glTF 2.0 of a face mesh, through glTF Transform: positions in glTF's
 * y-up frame with counter-clockwise front faces (see {@link toYUp}), smooth
 * normals, `COLOR_0` vertex colours and/or a PNG base-colour texture with
 * `TEXCOORD_0` at texel centres (glTF's v points down, like the image), uint32
 * indices, and a non-metallic rough material so the face does not render black.
 * Passes the Khronos glTF validator without errors.
 *
 * ```ts
 * const glb = await encodeGlb({ vertices, triangles, colors }, { imageHeight: photo.height });
 * ```
 */
export async function encodeGlb(mesh: GlbMesh, options: EncodeGlbOptions = {}): Promise<Uint8Array> {
  const { scale, name } = withDefaults(ENCODE_GLB_DEFAULTS, options);
  const { vertices, colors, texture } = mesh;
  const nv = vertices.length / 3;
  if (!Number.isInteger(nv) || nv === 0) throw new Error(`encodeGlb: need n×3 vertices, got ${vertices.length} values`);
  if (colors && colors.length !== vertices.length) throw new Error(`encodeGlb: ${colors.length / 3} colours for ${nv} vertices`);
  if (texture && texture.faceIndices.length !== nv) throw new Error(`encodeGlb: ${texture.faceIndices.length} face indices for ${nv} vertices`);
  const { positions, triangles } = toYUp(vertices, mesh.triangles, { imageHeight: options.imageHeight, winding: options.winding });
  for (let i = 0; i < positions.length; i++) {
    positions[i] *= scale;
    if (!Number.isFinite(positions[i])) throw new Error(`encodeGlb: vertex ${Math.floor(i / 3)} is not finite`);
  }

  const doc = new Document();
  const buffer = doc.createBuffer();
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(vertexNormals(positions, triangles)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(triangles).setBuffer(buffer));
  if (colors) {
    const c = new Float32Array(colors.length);
    for (let i = 0; i < c.length; i++) c[i] = Math.min(1, Math.max(0, colors[i] || 0)); // glTF requires 0…1
    prim.setAttribute('COLOR_0', doc.createAccessor().setType('VEC3').setArray(c).setBuffer(buffer));
  }
  const material = doc.createMaterial('face').setMetallicFactor(0).setRoughnessFactor(1).setDoubleSided(false);
  if (texture) {
    const n = texture.uvSize;
    const uv = new Float32Array(nv * 2);
    for (let i = 0; i < nv; i++) {
      const k = texture.faceIndices[i];
      uv[2 * i] = ((k % n) + 0.5) / n;
      uv[2 * i + 1] = (Math.floor(k / n) + 0.5) / n;
    }
    prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer));
    material.setBaseColorTexture(doc.createTexture('face_texture').setMimeType('image/png').setImage(texture.png));
  }
  prim.setMaterial(material);
  const gltfMesh = doc.createMesh(name).addPrimitive(prim);
  const node = doc.createNode(name).setMesh(gltfMesh);
  doc.createScene('scene').addChild(node);
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);
  return await new WebIO().writeBinary(doc);
}

/** Area-weighted smooth normals; an unused vertex gets +z (toward the viewer). */
function vertexNormals(p: Float32Array, tri: Uint32Array): Float32Array {
  const acc = new Float64Array(p.length);
  for (let t = 0; t < tri.length; t += 3) {
    const a = 3 * tri[t], b = 3 * tri[t + 1], c = 3 * tri[t + 2];
    const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const k of [a, b, c]) { acc[k] += nx; acc[k + 1] += ny; acc[k + 2] += nz; }
  }
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    const l = Math.hypot(acc[i], acc[i + 1], acc[i + 2]);
    if (l > 0) { out[i] = acc[i] / l; out[i + 1] = acc[i + 1] / l; out[i + 2] = acc[i + 2] / l; }
    else out[i + 2] = 1;
  }
  return out;
}
