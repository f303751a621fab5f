import { pointsBounds } from '../../geometry/pointsBounds.js';

/**
 * Normalised mean error of predicted landmarks against annotated ones: the mean Euclidean
 * distance over the visible points divided by √(w·h) of the box of the visible ANNOTATED
 * points (AFLW's 21 points carry no face box, and the box of what is visible is the one
 * size every image has; profile faces get a narrow box, so their NME is stricter).
 *
 * ```ts
 * const nme = landmarkError(pred21x2, truth21x2, visible21);
 * ```
 *
 * @param predicted x y pairs.
 * @param truth x y pairs, same count.
 * @param visible one flag per point.
 * @param boxPoints flags of the annotated points whose box normalises (default: `visible`),
 *   e.g. all 68 points when only the inner 51 are scored.
 */
export function landmarkError(predicted: ArrayLike<number>, truth: ArrayLike<number>, visible: ArrayLike<number | boolean>, boxPoints: ArrayLike<number | boolean> = visible): number {
  const n = visible.length;
  if (predicted.length !== n * 2 || truth.length !== n * 2) throw new Error(`landmarkError: ${n} points need ${n * 2} numbers each`);
  let sum = 0, m = 0;
  for (let i = 0; i < n; i++) {
    const x = truth[i * 2]!, y = truth[i * 2 + 1]!;
    if (!visible[i]) continue;
    sum += Math.hypot(predicted[i * 2]! - x, predicted[i * 2 + 1]! - y);
    m++;
  }
  if (m < 2) throw new Error(`landmarkError: need at least 2 visible points, got ${m}`);
  const [x0, y0, x1, y1] = pointsBounds(truth, 2, (i) => !!boxPoints[i]);
  const norm = Math.sqrt(Math.max(x1 - x0, 1e-9) * Math.max(y1 - y0, 1e-9));
  return sum / m / norm;
}
