import type { UvAssets } from './uvAssets.js';
import { keypointVertexIndices } from './keypointVertexIndices.js';
import { LANDMARKS_68, landmarkMean } from '../geometry/landmarks68.js';

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
  const c = assets.canonicalVertices;
  const k = keypointVertexIndices(assets);
  const points = new Float64Array(68 * 3);
  k.forEach((v, i) => points.set([c[3 * v]!, c[3 * v + 1]!, c[3 * v + 2]!], 3 * i));
  const eyes = Float64Array.from([...landmarkMean(points, LANDMARKS_68.leftEye, 3, 3), ...landmarkMean(points, LANDMARKS_68.rightEye, 3, 3)]);
  cache.set(assets, eyes);
  return eyes;
}
