/**
 * What a landmark error is divided by, in the protocols of the common 68-point benchmarks
 * (points in 300-W's order, `stride` numbers apart, x and y first). Isomorphic.
 *
 * - `box`: √(w·h) of the ground truth's box, AFLW2000-3D's (3DDFA, PRNet).
 * - `interocular`: the distance between the outer eye corners (points 36 and 45), 300-W's.
 * - `interpupil`: the distance between the eye centres (the means of 36–41 and 42–47),
 *   that of the earlier 300-W papers.
 */
import { boxNormalizer } from './landmarkNme.js';
import { LANDMARKS_68, landmarkMean } from '../geometry/landmarks68.js';

/** The NME normalisers by name. */
export const NME_NORMALIZERS = {
  box: (points: ArrayLike<number>, stride = 3): number => boxNormalizer(points, stride),
  interocular: (points: ArrayLike<number>, stride = 3): number => positive(distance(point(points, stride, L.outerEyeCorners[0]), point(points, stride, L.outerEyeCorners[1])), 'the outer eye corners (36, 45) coincide'),
  interpupil: (points: ArrayLike<number>, stride = 3): number => positive(distance(landmarkMean(points, L.leftEye, stride), landmarkMean(points, L.rightEye, stride)), 'the eye centres coincide'),
} as const;

/** A name of {@link NME_NORMALIZERS}. */
export type NmeNormalization = keyof typeof NME_NORMALIZERS;

const L = LANDMARKS_68;

/** Point `i`'s x, y: the mean of the one-point range. */
const point = (points: ArrayLike<number>, stride: number, i: number): number[] => landmarkMean(points, [i, i + 1], stride);

const distance = (a: number[], b: number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);

function positive(d: number, why: string): number {
  if (!(d > 0)) throw new Error(`cannot normalise the error: ${why}`);
  return d;
}
