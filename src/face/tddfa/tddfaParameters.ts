/**
 * 3DDFA_V2's 62 parameters: a 3×4 camera `[R | t]` (R a scaled rotation, in the 120-pixel
 * crop's y-up model frame), 40 shape and 10 expression coefficients of the Basel Face Model.
 */

/** Number of values a 3DDFA_V2 model outputs. */
export const TDDFA_PARAMETER_COUNT = 62;
/** Shape coefficients (α) in 3DDFA_V2's BFM. */
export const TDDFA_SHAPE_COUNT = 40;
/** Expression coefficients (β) in 3DDFA_V2's BFM. */
export const TDDFA_EXPRESSION_COUNT = 10;

/** De-whitened 3DDFA parameters. */
export interface TddfaParameters {
  /** Row-major 3×4 `[R | t]`: crop-frame point = R · X + t. */
  camera: Float64Array;
  /** α (40). */
  shape: Float64Array;
  /** β (10). */
  expression: Float64Array;
}

/**
 * De-whitens a model output (`param = output · std + mean`) and splits it.
 *
 * ```ts
 * const p = tddfaParameters(raw.subarray(i * 62, i * 62 + 62), pieces.paramMean, pieces.paramStd);
 * ```
 */
export function tddfaParameters(output: ArrayLike<number>, mean: ArrayLike<number>, std: ArrayLike<number>): TddfaParameters {
  const n = TDDFA_PARAMETER_COUNT;
  if (output.length !== n || mean.length !== n || std.length !== n) {
    throw new Error(`tddfaParameters: expected ${n} outputs, means and spreads, got ${output.length}, ${mean.length} and ${std.length}`);
  }
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = output[i]! * std[i]! + mean[i]!;
  return { camera: p.slice(0, 12), shape: p.slice(12, 12 + TDDFA_SHAPE_COUNT), expression: p.slice(12 + TDDFA_SHAPE_COUNT) };
}
