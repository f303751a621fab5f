import { pointsBounds } from '../geometry/pointsBounds.js';
import { cropFromBox } from './cropFromBox.js';
import type { FaceCrop } from './faceCrop.js';

/**
 * The crop of a face given by landmarks (68 or any number of points), as official PRNet's
 * `process(image, kpt)`: the bounding box of the points × 1.6 (see {@link cropFromBox}).
 *
 * ```ts
 * const crop = cropFromLandmarks(new Float64Array([x0, y0, x1, y1, x2, y2])); // x y pairs
 * ```
 *
 * @param points x, y pairs, `2 · n` numbers.
 */
export function cropFromLandmarks(points: ArrayLike<number>): FaceCrop {
  if (points.length < 4 || points.length % 2 !== 0) throw new Error(`landmarks need at least 2 points as x y pairs, got ${points.length} numbers`);
  for (let i = 0; i < points.length; i += 2) {
    if (!Number.isFinite(points[i]) || !Number.isFinite(points[i + 1])) throw new Error(`landmark ${i / 2 + 1} is not a finite point`);
  }
  const [x0, y0, x1, y1] = pointsBounds(points);
  if (!(x1 > x0 && y1 > y0)) throw new Error('landmarks span no area (all on one line)');
  return cropFromBox([x0, y0, x1 - x0, y1 - y0]);
}
