import type { UvAssets } from './uvAssets.js';
import { keypointVertexIndices } from './keypointVertexIndices.js';

/** One answer per asset set: the lookup walks all 43,867 face vertices. */
const cache = new WeakMap<object, Float64Array>();

/**
 * The canonical face's two eye centres, `[x, y, z, x, y, z]` in its own units: the means
 * of landmarks 37–42 and 43–48 (1-based; the picture's left eye first) of the canonical
 * vertices. They give the face its real size in `perspectivePose`.
 *
 * ```ts
 * const cam = perspectivePose(face.pose, image.width, image.height, canonicalEyeCentres(assets));
 * ```
 */
export function canonicalEyeCentres(assets: Pick<UvAssets, 'faceIndices' | 'keypointIndices' | 'canonicalVertices'>): Float64Array {
  const known = cache.get(assets);
  if (known) return known;
  const k = keypointVertexIndices(assets);
  const c = assets.canonicalVertices;
  const eyes = new Float64Array(6);
  for (const [slot, from] of [[0, 36], [3, 42]] as const) {
    for (let i = from; i < from + 6; i++) for (let d = 0; d < 3; d++) eyes[slot + d]! += c[3 * k[i]! + d]! / 6;
  }
  cache.set(assets, eyes);
  return eyes;
}
