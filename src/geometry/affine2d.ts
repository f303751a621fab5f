/**
 * 2D affine maps as `Float64Array(6)`, row-major `[a, b, tx, c, d, ty]`, mapping
 * `(x, y) → (a·x + b·y + tx, c·x + d·y + ty)`: the top two rows of a 3×3 homogeneous
 * matrix (skimage's `tform.params[:2]`). Crops, restores and detector boxes use them.
 */

/** A 2D affine map, row-major `[a, b, tx, c, d, ty]`. */
export type Affine2D = Float64Array;

/**
 * Creates an affine map from its six coefficients (identity when called without).
 *
 * ```ts
 * const shift = affine2d(1, 0, 10, 0, 1, 5); // (x, y) → (x + 10, y + 5)
 * ```
 */
export function affine2d(a = 1, b = 0, tx = 0, c = 0, d = 1, ty = 0): Affine2D {
  return Float64Array.of(a, b, tx, c, d, ty);
}

/**
 * `outer ∘ inner`: the map that applies `inner` first, then `outer`.
 *
 * ```ts
 * const imageToInput = affineCompose(cropToInput, imageToCrop);
 * ```
 */
export function affineCompose(outer: ArrayLike<number>, inner: ArrayLike<number>): Affine2D {
  const [a1, b1, t1, c1, d1, u1] = [outer[0]!, outer[1]!, outer[2]!, outer[3]!, outer[4]!, outer[5]!];
  const [a2, b2, t2, c2, d2, u2] = [inner[0]!, inner[1]!, inner[2]!, inner[3]!, inner[4]!, inner[5]!];
  return Float64Array.of(
    a1 * a2 + b1 * c2,
    a1 * b2 + b1 * d2,
    a1 * t2 + b1 * u2 + t1,
    c1 * a2 + d1 * c2,
    c1 * b2 + d1 * d2,
    c1 * t2 + d1 * u2 + u1,
  );
}

/**
 * The inverse map; throws for a singular (non-invertible) map.
 *
 * ```ts
 * const cropToImage = affineInvert(imageToCrop);
 * ```
 */
export function affineInvert(t: ArrayLike<number>): Affine2D {
  const [a, b, tx, c, d, ty] = [t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!];
  const det = a * d - b * c;
  if (!Number.isFinite(det) || det === 0) throw new Error(`affine map [${Array.from(t).join(', ')}] is not invertible`);
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return Float64Array.of(ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty));
}

/**
 * Applies the map to `n` points stored with `stride` numbers each (x, y first; any
 * further components, e.g. z, are copied unchanged). Returns a new Float64Array.
 *
 * ```ts
 * const inCrop = affineApply(imageToCrop, landmarks68x2);          // stride 2
 * const xyz = affineApply(imageToCrop, vertices, 3);               // z copied
 * ```
 */
export function affineApply(t: ArrayLike<number>, points: ArrayLike<number>, stride = 2): Float64Array {
  if (stride < 2 || points.length % stride !== 0) throw new Error(`point array of length ${points.length} is not a list of ${stride}-vectors`);
  const out = Float64Array.from(points);
  for (let i = 0; i < out.length; i += stride) {
    const x = out[i]!;
    const y = out[i + 1]!;
    out[i] = t[0]! * x + t[1]! * y + t[2]!;
    out[i + 1] = t[3]! * x + t[4]! * y + t[5]!;
  }
  return out;
}

/**
 * The map's isotropic scale, `sqrt(|det|)` (exact for a similarity transform).
 *
 * ```ts
 * affineScale(cropTransform([100, 100], 200, 256)); // 255 / 200
 * ```
 */
export function affineScale(t: ArrayLike<number>): number {
  return Math.sqrt(Math.abs(t[0]! * t[4]! - t[1]! * t[3]!));
}
