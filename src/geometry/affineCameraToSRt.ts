/** Scale, rotation and translation of an affine camera. */
export interface CameraSRt {
  scale: number;
  /** 3×3 row-major: rows r1, r2 (normalised first two rows of P) and r3 = r1 × r2. */
  rotation: Float64Array;
  /** The camera's last column (3); official PRNet keeps only the first two (`t2d`). */
  translation: Float64Array;
}

/**
 * Decomposes a 3×4 affine camera into scale, rotation and translation exactly like
 * official PRNet `P2sRt`: `s = (‖r1‖ + ‖r2‖)/2` over the first two rows of the 3×3 part,
 * `R = [r1/‖r1‖; r2/‖r2‖; r1/‖r1‖ × r2/‖r2‖]`. R is a rotation when P is a scaled
 * rotation (then the result is exact); for a general affine P its rows are only
 * approximately orthogonal, as in the official code.
 *
 * ```ts
 * const { scale, rotation } = affineCameraToSRt(estimateAffineCamera(canonical, vertices));
 * ```
 */
export function affineCameraToSRt(P: ArrayLike<number>): CameraSRt {
  if (P.length !== 12) throw new Error(`affine camera must be 3×4 (12 numbers), got ${P.length}`);
  const r1 = [P[0]!, P[1]!, P[2]!];
  const r2 = [P[4]!, P[5]!, P[6]!];
  const n1 = Math.hypot(...r1);
  const n2 = Math.hypot(...r2);
  if (!(n1 > 0) || !(n2 > 0)) throw new Error('affine camera has a zero row: no rotation');
  const a = r1.map((v) => v / n1);
  const b = r2.map((v) => v / n2);
  const c = [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
  return {
    scale: (n1 + n2) / 2,
    rotation: Float64Array.of(...a, ...b, ...c),
    translation: Float64Array.of(P[3]!, P[7]!, P[11]!),
  };
}
