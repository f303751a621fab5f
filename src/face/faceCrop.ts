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
  /**
   * Roll of the crop in radians: its x axis runs along `(cos r, sin r)` in the image (y down),
   * so a face rolled by `r` comes out upright. Absent or 0: axis-aligned,
   * as official PRNet's crops (see `faceRoll`).
   */
  rotation?: number;
}
