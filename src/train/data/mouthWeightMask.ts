/**
 * More loss weight on the lips. The paper's mask gives the whole eyes–nose–mouth area the
 * same weight (4), and how far the mouth is open moves only a few hundred of its 43,867 face
 * pixels, so it is a small part of the loss next to pose and shape; a network can leave it
 * out for a long time (`npm run bench -- expression`). This scales the weight inside the
 * outer-lip contour of the 68 landmarks, read from the UV assets' landmark pixels.
 */
import { LANDMARKS_68 } from '../../geometry/landmarks68.js';
import { POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { landmarkRegionMask } from './landmarkRegionMask.js';

/** Options of {@link mouthWeightMask}. */
export interface MouthWeightMaskOptions {
  /** Factor on the weight of pixels inside the lips (1 = the paper's mask). */
  factor: number;
  /** Pixels within this distance of the outer-lip contour count as inside, in 256-map pixels. */
  margin: number;
}

/** Defaults of {@link mouthWeightMask}. */
export const MOUTH_WEIGHT_MASK_DEFAULTS: MouthWeightMaskOptions = { factor: 1, margin: 2 };

/** The outer-lip contour, landmarks 48–59 in order round the mouth. */
export const OUTER_LIP = Array.from({ length: 12 }, (_, i) => LANDMARKS_68.mouth[0] + i);

/**
 * A copy of an S×S loss weight mask (S divides 256) with the lips' weight multiplied by
 * `factor`. `keypointIndices` are the 68 landmarks' flat pixels in the 256 UV map
 * (`UvAssets.keypointIndices`). Pixels of weight 0 stay 0.
 *
 * ```ts
 * const w = mouthWeightMask(data.weightMask, assets.keypointIndices, { factor: 4 });
 * ```
 */
export function mouthWeightMask(mask: Float32Array, keypointIndices: ArrayLike<number>, options: Partial<MouthWeightMaskOptions> = {}): Float32Array {
  const { factor, margin } = { ...MOUTH_WEIGHT_MASK_DEFAULTS, ...options };
  if (!(factor > 0 && Number.isFinite(factor))) throw new Error(`mouthWeightMask: factor must be a positive number, got ${factor}`);
  const S = Math.round(Math.sqrt(mask.length));
  if (S * S !== mask.length || POSITION_MAP_SIZE % S !== 0) throw new Error(`mouthWeightMask: the mask must be S×S with S dividing ${POSITION_MAP_SIZE}, got ${mask.length} values`);
  if (keypointIndices.length < 68) throw new Error(`mouthWeightMask: need the 68 landmark pixels, got ${keypointIndices.length}`);
  const out = Float32Array.from(mask);
  if (factor === 1) return out;
  const lips = landmarkRegionMask(keypointIndices, [OUTER_LIP], { side: S, margin });
  for (let i = 0; i < out.length; i++) if (lips[i]) out[i] = mask[i]! * factor;
  return out;
}
