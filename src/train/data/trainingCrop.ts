import { pointsBounds } from '../../geometry/pointsBounds.js';
import type { Augmentation } from './augmentation.js';
import type { CropSquare } from './cropSquare.js';

/** face3d's generator: crop side = 1.5 × the mean side of the landmark box. */
export const TRAINING_CROP_FACTOR = 1.5;

/**
 * The training crop square of a face from its (fitted) 68 landmarks, as face3d's
 * `8_generate_posmap_300WLP.py`: centre of the landmark box, side 1.5 × (w + h) / 2;
 * augmentation shifts the centre by fractions of (w + h) / 2, multiplies the side, and
 * adds rotation and flip.
 *
 * ```ts
 * const square = trainingCrop(landmarks68, NO_AUGMENTATION);
 * ```
 *
 * @param points x, y pairs in source-image pixels.
 */
export function trainingCrop(points: ArrayLike<number>, aug: Augmentation): CropSquare {
  const [x0, y0, x1, y1] = pointsBounds(points);
  const old = (x1 - x0 + (y1 - y0)) / 2;
  if (!(old > 0)) throw new Error('trainingCrop: landmarks span no area');
  return {
    center: [(x0 + x1) / 2 + aug.shift[0] * old, (y0 + y1) / 2 + aug.shift[1] * old],
    size: old * TRAINING_CROP_FACTOR * aug.scale,
    angle: aug.angle,
    flip: aug.flip,
  };
}
