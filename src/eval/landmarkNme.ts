import { pointsBounds } from '../geometry/pointsBounds.js';

/**
 * Normaliser of the AFLW2000-3D landmark error: `sqrt(w · h)` of the ground truth's 2D
 * bounding box (x, y of the 68 points), the protocol of 3DDFA and PRNet.
 *
 * ```ts
 * const d = boxNormalizer(gt.landmarks); // points n×3 (x, y, z)
 * ```
 */
export function boxNormalizer(points: ArrayLike<number>, stride = 3): number {
  const [x0, y0, x1, y1] = pointsBounds(points, stride);
  const d = Math.sqrt((x1 - x0) * (y1 - y0));
  if (!(d > 0)) throw new Error('ground-truth landmarks span no area: cannot normalise the error');
  return d;
}

/**
 * Normalised mean error of predicted landmarks against the ground truth: the mean
 * point-to-point Euclidean distance divided by {@link boxNormalizer} of the ground truth
 * (a fraction; ×100 for %). `dims: 2` uses x, y; `dims: 3` also z, after removing each
 * set's own mean z: predictions and AFLW2000-3D share the image's pixel scale for z
 * but not its origin (PRNet's z is relative to its crop, `pt3d_68`'s to the 3DMM
 * fitting), and PRNet's evaluation code was never released, so only the unknown
 * z offset is removed — no rotation or scale is fitted.
 * Both arrays are `n × 3` row-major.
 *
 * ```ts
 * const nme2d = landmarkNme(predicted, gt.landmarks, 2);
 * ```
 */
export function landmarkNme(predicted: ArrayLike<number>, groundTruth: ArrayLike<number>, dims: 2 | 3): number {
  if (predicted.length !== groundTruth.length || predicted.length % 3 !== 0 || predicted.length === 0) {
    throw new Error(`landmarkNme: ${predicted.length / 3} predicted vs ${groundTruth.length / 3} ground-truth points`);
  }
  const n = predicted.length / 3;
  let zp = 0;
  let zg = 0;
  if (dims === 3) {
    for (let i = 0; i < n; i++) {
      zp += predicted[3 * i + 2]! / n;
      zg += groundTruth[3 * i + 2]! / n;
    }
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const dx = predicted[3 * i]! - groundTruth[3 * i]!;
    const dy = predicted[3 * i + 1]! - groundTruth[3 * i + 1]!;
    const dz = dims === 3 ? predicted[3 * i + 2]! - zp - (groundTruth[3 * i + 2]! - zg) : 0;
    sum += Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
  return sum / n / boxNormalizer(groundTruth);
}
