import type { UvAssets } from './uvAssets.js';

/**
 * Reads the face vertices out of a position map: `pos.reshape(-1, 3)[face_ind]`.
 * `positionMap` is `uvSize · uvSize · 3` floats (HWC, one map, e.g. one image of a
 * model's NHWC output); the result is `faceIndices.length × 3`, row-major.
 *
 * ```ts
 * const vertices = positionMapVertices(positionMap, assets); // Float32Array(43867 · 3)
 * ```
 */
export function positionMapVertices(
  positionMap: Float32Array,
  assets: Pick<UvAssets, 'uvSize' | 'faceIndices'>,
): Float32Array {
  return gatherPositionMap(positionMap, assets.faceIndices, assets.uvSize);
}

/** Gathers `indices` (flat UV pixel indices) from an HWC×3 map; shared with the landmark reader. */
export function gatherPositionMap(positionMap: Float32Array, indices: Uint32Array, uvSize: number): Float32Array {
  if (positionMap.length !== uvSize * uvSize * 3) {
    throw new Error(`position map must have ${uvSize}·${uvSize}·3 = ${uvSize * uvSize * 3} floats, got ${positionMap.length}`);
  }
  const out = new Float32Array(indices.length * 3);
  for (let i = 0; i < indices.length; i++) {
    const p = indices[i]! * 3;
    out[3 * i] = positionMap[p]!;
    out[3 * i + 1] = positionMap[p + 1]!;
    out[3 * i + 2] = positionMap[p + 2]!;
  }
  return out;
}
