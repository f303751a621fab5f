import type { UvAssets } from '../uv/uvAssets.js';
import { keypointVertexIndices } from '../uv/keypointVertexIndices.js';
import { umeyama, applySimilarity3d } from '../geometry/umeyama.js';
import type { LandmarkPredictor } from './evaluateAflw2000.js';

/**
 * The 68 landmarks of PRNet's canonical (mean) face, 68×3 row-major, read from
 * `canonicalVertices` (which is in face-vertex order) at each keypoint's vertex.
 *
 * ```ts
 * const mean68 = meanFaceLandmarks(assets);
 * ```
 */
export function meanFaceLandmarks(assets: Pick<UvAssets, 'faceIndices' | 'keypointIndices' | 'canonicalVertices'>): Float64Array {
  const k = keypointVertexIndices(assets);
  const out = new Float64Array(k.length * 3);
  k.forEach((v, i) => {
    for (let c = 0; c < 3; c++) out[3 * i + c] = assets.canonicalVertices[3 * v + c]!;
  });
  return out;
}

/**
 * The mean-face baseline: the canonical face's 68 landmarks fitted to the ground truth
 * 68 points with a least-squares 3D similarity (Umeyama). It knows the answer's pose,
 * position and size, so it is a floor for what shape reconstruction adds: a model must
 * beat it on NME to show it recovers the face's shape.
 *
 * ```ts
 * const { landmarks, rotation } = meanFacePrediction(mean68, gt.landmarks);
 * ```
 */
export function meanFacePrediction(meanLandmarks: ArrayLike<number>, groundTruth: ArrayLike<number>): { landmarks: Float64Array; rotation: Float64Array } {
  const fit = umeyama(meanLandmarks, groundTruth, { withScale: true });
  return { landmarks: applySimilarity3d(fit, meanLandmarks), rotation: fit.rotation };
}

/**
 * The mean-face baseline as a {@link LandmarkPredictor} for `evaluateAflw2000` (needs no images).
 *
 * ```ts
 * const records = await evaluateAflw2000(samples, meanFacePredictor(assets));
 * ```
 */
export function meanFacePredictor(assets: Pick<UvAssets, 'faceIndices' | 'keypointIndices' | 'canonicalVertices'>): LandmarkPredictor {
  const mean68 = meanFaceLandmarks(assets);
  return {
    name: 'mean face (similarity fit to the ground truth)',
    needsImage: false,
    predict: async (items) => items.map((it) => meanFacePrediction(mean68, it.groundTruth.landmarks)),
  };
}
