import type { Affine2D } from './affine2d.js';

/**
 * Least-squares 2D similarity transform (rotation, uniform scale, translation; no
 * reflection, no shear) taking the points `src` onto `dst`: minimises
 * `Σ‖dst_i − (s·R·src_i + t)‖²`. This is Umeyama's estimate in the plane, which has a
 * closed form: with centred points and `z = x + iy`, `s·e^{iθ} = Σ conj(src_i)·dst_i / Σ|src_i|²`
 * (what insightface's `SimilarityTransform.estimate` gives for face alignment). Points are
 * `n` (x, y) pairs read with `stride` numbers per point; sums run in float64.
 *
 * ```ts
 * const imageToChip = fitSimilarity2d(fivePoints, ARCFACE_TEMPLATE_112); // [a, b, tx, c, d, ty]
 * ```
 */
export function fitSimilarity2d(src: ArrayLike<number>, dst: ArrayLike<number>, srcStride = 2, dstStride = 2): Affine2D {
  const n = Math.floor(src.length / srcStride);
  if (n < 2 || src.length % srcStride !== 0 || dst.length !== n * dstStride) {
    throw new Error(`fitSimilarity2d needs two lists of the same number (≥ 2) of points, got ${src.length / srcStride} and ${dst.length / dstStride}`);
  }
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i * srcStride]!; msy += src[i * srcStride + 1]!;
    mdx += dst[i * dstStride]!; mdy += dst[i * dstStride + 1]!;
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let re = 0, im = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i * srcStride]! - msx, sy = src[i * srcStride + 1]! - msy;
    const dx = dst[i * dstStride]! - mdx, dy = dst[i * dstStride + 1]! - mdy;
    re += sx * dx + sy * dy;
    im += sx * dy - sy * dx;
    norm += sx * sx + sy * sy;
  }
  if (!(norm > 0) || !Number.isFinite(re + im)) throw new Error('fitSimilarity2d: the source points are all identical (or not finite)');
  const a = re / norm, b = im / norm;
  // (x, y) → (a·x − b·y + tx, b·x + a·y + ty), the means mapped onto each other.
  return Float64Array.of(a, -b, mdx - (a * msx - b * msy), b, a, mdy - (b * msx + a * msy));
}
