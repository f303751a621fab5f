/**
 * 3DDFA_V2's crop boxes (`utils/functions.py`): the square of the image a 3DDFA model
 * sees, `[x0, y0, x1, y1]` in image pixels (floats; the crop itself rounds them).
 */
import { pointsBounds } from '../../geometry/pointsBounds.js';

/** A crop box `[x0, y0, x1, y1]`, image pixels. */
export type TddfaRoiBox = [number, number, number, number];

/** Side of a 3DDFA crop box relative to the landmark box's larger side (`parse_roi_box_from_landmark`): √2. */
export const TDDFA_LANDMARK_BOX_FACTOR = Math.SQRT2;
/** Side of a 3DDFA crop box relative to a detector box's mean side (`parse_roi_box_from_bbox`). */
export const TDDFA_DETECTOR_BOX_FACTOR = 1.58;
/** Downward shift of the crop centre, in units of the detector box's mean side. */
export const TDDFA_DETECTOR_BOX_SHIFT = 0.14;

/**
 * The crop box of a face from its landmarks, as `parse_roi_box_from_landmark`: the
 * landmark box's centre, side √2 × its larger side.
 *
 * ```ts
 * const roi = tddfaRoiFromLandmarks(points68, 3); // x y z triples
 * ```
 *
 * @param points x, y pairs (or triples: pass `stride` 3) in image pixels.
 */
export function tddfaRoiFromLandmarks(points: ArrayLike<number>, stride = 2): TddfaRoiBox {
  const [x0, y0, x1, y1] = pointsBounds(points, stride, (i) => Number.isFinite(points[i * stride]) && Number.isFinite(points[i * stride + 1]));
  if (!(x1 > x0 || y1 > y0)) throw new Error('tddfaRoiFromLandmarks: the landmarks span no area');
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const side = Math.max(x1 - x0, y1 - y0) * TDDFA_LANDMARK_BOX_FACTOR;
  return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
}

/**
 * The crop box of a face from a detector box `[x0, y0, x1, y1]`, as `parse_roi_box_from_bbox`:
 * s = mean side; centre shifted down by 0.14·s; side ⌊1.58·s⌋.
 *
 * ```ts
 * const roi = tddfaRoiFromBox([120, 80, 320, 300]);
 * ```
 */
export function tddfaRoiFromBox(box: ArrayLike<number>): TddfaRoiBox {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const old = (right - left + bottom - top) / 2;
  if (!(old > 0)) throw new Error(`tddfaRoiFromBox: the box [${[left, top, right, bottom].join(', ')}] has no area`);
  const cx = right - (right - left) / 2;
  const cy = bottom - (bottom - top) / 2 + old * TDDFA_DETECTOR_BOX_SHIFT;
  const side = Math.floor(old * TDDFA_DETECTOR_BOX_FACTOR);
  return [cx - side / 2, cy - side / 2, cx - side / 2 + side, cy - side / 2 + side];
}
