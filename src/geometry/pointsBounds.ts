/**
 * The one bounding box of 2D points (landmarks, vertices): what crops are built around
 * and what landmark errors are normalised by. Pure and isomorphic.
 */

/**
 * `[x0, y0, x1, y1]`: the smallest and largest x and y of the points. Points are read
 * `stride` numbers apart, x and y first (2 for x y pairs, 3 for x y z triples); with
 * `include`, only the points `i` (point index, not array index) it accepts count. A NaN
 * x makes x0 and x1 NaN, a NaN y y0 and y1 (`Math.min`); no points give `[∞, ∞, −∞, −∞]`.
 *
 * ```ts
 * const [x0, y0, x1, y1] = pointsBounds(face.landmarks, 3);
 * const visibleBox = pointsBounds(points21, 2, (i) => visible[i] === 1);
 * ```
 */
export function pointsBounds(points: ArrayLike<number>, stride = 2, include?: (i: number) => boolean): [number, number, number, number] {
  if (!(stride >= 2)) throw new Error(`pointsBounds: stride must be at least 2, got ${stride}`);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0, p = 0; p + 1 < points.length; i++, p += stride) {
    if (include && !include(i)) continue;
    const x = points[p]!, y = points[p + 1]!;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return [x0, y0, x1, y1];
}

/**
 * The same box as `[x, y, w, h]` (a face box).
 *
 * ```ts
 * const [x, y, w, h] = pointsBox(face.landmarks, 3);
 * ```
 */
export function pointsBox(points: ArrayLike<number>, stride = 2, include?: (i: number) => boolean): [number, number, number, number] {
  const [x0, y0, x1, y1] = pointsBounds(points, stride, include);
  return [x0, y0, x1 - x0, y1 - y0];
}
