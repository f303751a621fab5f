import type { UvAssets } from './uvAssets.js';

/**
 * Positions of the 68 landmarks in the vertex list: for each keypoint UV index, its
 * index in `faceIndices`. Used to read landmarks from vertex arrays that are in
 * face-vertex order (e.g. `canonicalVertices`). Throws if a keypoint is not a face pixel.
 *
 * ```ts
 * const k = keypointVertexIndices(assets); // Uint32Array(68)
 * const noseTipX = assets.canonicalVertices[3 * k[30]!];
 * ```
 */
export function keypointVertexIndices(assets: Pick<UvAssets, 'faceIndices' | 'keypointIndices'>): Uint32Array {
  const where = new Map<number, number>();
  assets.faceIndices.forEach((p, i) => where.set(p, i));
  return assets.keypointIndices.map((p, k) => {
    const v = where.get(p);
    if (v === undefined) throw new Error(`landmark ${k} (UV index ${p}) is not a face vertex`);
    return v;
  });
}
