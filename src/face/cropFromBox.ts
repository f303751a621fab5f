import { BOX_CROP_FACTOR } from './cropTransform.js';
import type { FaceCrop } from './faceCrop.js';

/**
 * The crop of a user-given face box, as official PRNet's `process(image, bbox)`: centre of
 * the box, side = mean of width and height × {@link BOX_CROP_FACTOR} (1.6). Unlike the
 * official code the side is not truncated to an integer, so crops vary smoothly.
 *
 * ```ts
 * const crop = cropFromBox([120, 80, 200, 210]); // x, y, width, height
 * ```
 */
export function cropFromBox(box: readonly [number, number, number, number]): FaceCrop {
  const [x, y, w, h] = box;
  if (![x, y, w, h].every(Number.isFinite) || !(w > 0) || !(h > 0)) {
    throw new Error(`face box must be x,y,w,h with positive width and height, got ${box.join(',')}`);
  }
  return { center: [x + w / 2, y + h / 2], size: ((w + h) / 2) * BOX_CROP_FACTOR };
}
