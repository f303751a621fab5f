import { POSITION_MAP_SIZE } from '../model/resfcn.js';
import { readNpy } from '../io/npy.js';
import type { UvAssets } from './uvAssets.js';
import type { UvAssetFileName } from './uvAssetFiles.js';
import { parseFaceIndices } from './parseFaceIndices.js';
import { parseKeypointIndices } from './parseKeypointIndices.js';
import { faceMaskFromPixels, weightMaskFromPixels, eyesMaskFromPixels, type DecodedPixels } from './uvMasks.js';
import { faceTriangles } from './faceTriangles.js';

/**
 * The UV asset files: text and `.npy` files as raw bytes, PNG files as decoded
 * pixels (decoding PNG is the platform's job: sharp in Node, a canvas in browsers).
 */
export interface UvAssetFiles {
  'face_ind.txt': Uint8Array;
  'uv_kpt_ind.txt': Uint8Array;
  'canonical_vertices.npy': Uint8Array;
  'uv_face_mask.png': DecodedPixels;
  'uv_weight_mask.png': DecodedPixels;
  'uv_face_eyes.png': DecodedPixels;
  'uv_face.png': DecodedPixels;
}

/** The UV asset files that are PNG images (decoded before {@link uvAssetsFromFiles}). */
export const UV_ASSET_PNG_FILES: readonly UvAssetFileName[] = ['uv_face_mask.png', 'uv_weight_mask.png', 'uv_face_eyes.png', 'uv_face.png'];

/**
 * Builds {@link UvAssets} from the official files, checking that they agree with
 * each other (sizes, vertex count) and deriving the triangles.
 *
 * ```ts
 * const assets = uvAssetsFromFiles({ 'face_ind.txt': bytes, …, 'uv_face.png': pixels });
 * ```
 */
export function uvAssetsFromFiles(files: UvAssetFiles, uvSize: number = POSITION_MAP_SIZE): UvAssets {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const faceIndices = parseFaceIndices(text(files['face_ind.txt']), uvSize);
  const keypointIndices = parseKeypointIndices(text(files['uv_kpt_ind.txt']), uvSize);
  const npy = readNpy(files['canonical_vertices.npy'], 'canonical_vertices.npy');
  if (npy.shape.length !== 2 || npy.shape[0] !== faceIndices.length || npy.shape[1] !== 3) {
    throw new Error(
      `canonical_vertices.npy: shape (${npy.shape.join(', ')}) does not match ${faceIndices.length} face vertices × 3`,
    );
  }
  if (npy.dtype !== 'float32' && npy.dtype !== 'float64') throw new Error(`canonical_vertices.npy: dtype ${npy.dtype}, expected float`);
  for (const name of UV_ASSET_PNG_FILES) {
    const p = files[name as keyof UvAssetFiles] as DecodedPixels;
    if (p.width !== uvSize || p.height !== uvSize) throw new Error(`${name}: ${p.width}×${p.height}, expected ${uvSize}×${uvSize}`);
  }
  return {
    uvSize,
    faceIndices,
    keypointIndices,
    canonicalVertices: Float32Array.from(npy.data as Float64Array),
    triangles: faceTriangles(faceIndices, uvSize),
    faceMask: faceMaskFromPixels(files['uv_face_mask.png']),
    eyesMask: eyesMaskFromPixels(files['uv_face_eyes.png'], files['uv_face.png']),
    weightMask: weightMaskFromPixels(files['uv_weight_mask.png']),
  };
}
