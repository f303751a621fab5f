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

/** The NME normalisers by name. */
export const NME_NORMALIZERS = {
  box: (points: ArrayLike<number>, stride = 3): number => boxNormalizer(points, stride),
  interocular: (points: ArrayLike<number>, stride = 3): number => positive(distance(mean(points, stride, 36, 37), mean(points, stride, 45, 46)), 'the outer eye corners (36, 45) coincide'),
  interpupil: (points: ArrayLike<number>, stride = 3): number => positive(distance(mean(points, stride, 36, 42), mean(points, stride, 42, 48)), 'the eye centres coincide'),
} as const;

/** A name of {@link NME_NORMALIZERS}. */
export type NmeNormalization = keyof typeof NME_NORMALIZERS;

/** The mean x, y of points `from` … `to − 1`. */
function mean(points: ArrayLike<number>, stride: number, from: number, to: number): [number, number] {
  if (points.length < 68 * stride) throw new Error(`a 68-point normaliser needs 68 points, got ${Math.floor(points.length / stride)}`);
  let x = 0, y = 0;
  for (let i = from; i < to; i++) { x += points[i * stride]!; y += points[i * stride + 1]!; }
  return [x / (to - from), y / (to - from)];
}

const distance = (a: [number, number], b: [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

function positive(d: number, why: string): number {
  if (!(d > 0)) throw new Error(`cannot normalise the error: ${why}`);
  return d;
}
