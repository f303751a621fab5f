/**
 * Where the expression loss applies, and how much: the lips and the eyes. Their openings
 * are what the paper's per-pixel loss leaves out for long (`npm run bench -- expression`);
 * the expression loss compares differences between neighbouring map pixels there, from
 * which the head's pose and position cancel (`neighbourDifferenceLoss`). Isomorphic.
 */
import { LANDMARKS_68 } from '../../geometry/landmarks68.js';
import { landmarkRegionMask } from './landmarkRegionMask.js';
import { OUTER_LIP } from './mouthWeightMask.js';

/** The eye contours, six landmarks each in order round the eye. */
const EYES = [LANDMARKS_68.leftEye, LANDMARKS_68.rightEye].map(([from, to]) => Array.from({ length: to - from }, (_, i) => from + i));

/** Options of {@link expressionLossWeights}. */
export interface ExpressionLossWeightsOptions {
  /** Side S of the maps (S divides 256). */
  side: number;
  /** Weight of each neighbouring pair inside the region (0 = off; the paper's loss alone). */
  weight: number;
  /** Pixels within this distance of a lip or eye contour count as inside, in 256-map pixels. */
  margin: number;
}

/** Defaults of {@link expressionLossWeights}: off. */
export const EXPRESSION_LOSS_WEIGHTS_DEFAULTS: ExpressionLossWeightsOptions = { side: 128, weight: 0, margin: 2 };

/**
 * The S×S `neighbours` weights of `PositionLossWeights`: `weight` in the lips and eyes, 0
 * elsewhere. `keypointIndices` are the 68 landmarks' flat pixels in the 256 UV map.
 *
 * ```ts
 * const loss = { pixels: mask, neighbours: expressionLossWeights(assets.keypointIndices, { side: 128, weight: 20000 }) };
 * ```
 */
export function expressionLossWeights(keypointIndices: ArrayLike<number>, options: Partial<ExpressionLossWeightsOptions> = {}): Float32Array {
  const { side, weight, margin } = { ...EXPRESSION_LOSS_WEIGHTS_DEFAULTS, ...options };
  if (!(weight >= 0 && Number.isFinite(weight))) throw new Error(`expressionLossWeights: weight must be a number ≥ 0, got ${weight}`);
  const region = landmarkRegionMask(keypointIndices, [OUTER_LIP, ...EYES], { side, margin });
  return Float32Array.from(region, (r) => r * weight);
}
