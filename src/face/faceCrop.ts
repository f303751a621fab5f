/**
 * Where a face's square crop lies in the image: the official PRNet `center` and `size`
 * (api.py `process`), before `cropTransform` turns them into an affine map.
 */

/** A square crop around a face, in image pixels. */
export interface FaceCrop {
  /** Crop centre `[x, y]`, image pixels. */
  center: [number, number];
  /** Side of the square crop, image pixels. */
  size: number;
}
