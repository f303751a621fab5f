import { aflw21ModelPoints, AFLW21_POINT_COUNT } from './aflw21Correspondence.js';
import { deformationBasis, type DeformationShape } from './deformationBasis.js';

/** Ridge weight of the deformation coefficients in `fitPose` (chosen by leave-one-point-out error, docs/training-data.md). */
export const AFLW21_DEFORMATION_REGULARIZATION = 0.1;

/** The shapes the AFLW pseudo-labels use (see docs/training-data.md for the choice). */
export const AFLW21_DEFORMATION_SHAPES: readonly DeformationShape[] = ['width'];

/** AFLW point indices of the two eye centres (the basis's eye line). */
const EYE_CENTRES = [7, 10] as const;

/**
 * The deformation basis used for the AFLW pseudo-labels, over the 21 model points (for
 * `fitPose`) and over the whole UV map (for `positionMapTarget`), in one frame: the centre
 * of the 21 canonical points and their eye line.
 *
 * ```ts
 * const { points, map } = aflw21Deformation(canonicalPositionMap(assets));
 * const pose = fitPose(aflw21ModelPoints(canon), pts, vis, { basis: points, regularization: AFLW21_DEFORMATION_REGULARIZATION });
 * ```
 *
 * @param canonicalMap the canonical face as a full UV map (`256² × 3`).
 */
export function aflw21Deformation(
  canonicalMap: Float64Array,
  shapes: readonly DeformationShape[] = AFLW21_DEFORMATION_SHAPES,
): { points: Float64Array; map: Float64Array } {
  const model = aflw21ModelPoints(canonicalMap);
  const center: [number, number, number] = [0, 0, 0];
  for (let j = 0; j < AFLW21_POINT_COUNT; j++) for (let c = 0; c < 3; c++) center[c] += model[j * 3 + c]! / AFLW21_POINT_COUNT;
  const eyeLineY = (model[EYE_CENTRES[0] * 3 + 1]! + model[EYE_CENTRES[1] * 3 + 1]!) / 2;
  const frame = { center, eyeLineY };
  return { points: deformationBasis(model, frame, shapes), map: deformationBasis(canonicalMap, frame, shapes) };
}
