import type { TddfaRoiBox } from './tddfaRoiBox.js';
import type { TddfaParameters } from './tddfaParameters.js';
import { TDDFA_INPUT_SIZE } from './tddfaInput.js';

/** A linear face model over some points: mean plus bases, x y z interleaved per point, in 3DDFA's (BFM's) frame. */
export interface TddfaPointModel {
  /** `3n`. */
  mean: ArrayLike<number>;
  /** `3n × 40` row-major. */
  shapeBasis: ArrayLike<number>;
  /** `3n × 10` row-major. */
  expressionBasis: ArrayLike<number>;
}

/**
 * The model's points posed by 3DDFA parameters and put into image pixels as 3DDFA_V2's
 * `similar_transform` does: crop frame `R·X + t`, then `x − 1`, `y → size − y`, scaled by
 * the box side / size and shifted to the box corner; z scaled by the mean scale and shifted
 * so that its minimum is 0. Returns `n × 3` (x, y, z).
 *
 * ```ts
 * const landmarks = tddfaProject(params, { mean: pieces.landmarkMean, shapeBasis: …, expressionBasis: … }, roi);
 * ```
 */
export function tddfaProject(params: TddfaParameters, model: TddfaPointModel, roi: TddfaRoiBox, size = TDDFA_INPUT_SIZE): Float64Array {
  const n = model.mean.length / 3;
  const K = params.shape.length, E = params.expression.length;
  if (model.shapeBasis.length !== 3 * n * K || model.expressionBasis.length !== 3 * n * E) {
    throw new Error(`tddfaProject: bases of ${model.shapeBasis.length} and ${model.expressionBasis.length} values do not fit ${n} points × ${K} + ${E} coefficients`);
  }
  const C = params.camera;
  const sx = (roi[2] - roi[0]) / size, sy = (roi[3] - roi[1]) / size, s = (sx + sy) / 2;
  const out = new Float64Array(3 * n);
  let zmin = Infinity;
  for (let i = 0; i < n; i++) {
    const X = new Float64Array(3);
    for (let c = 0; c < 3; c++) {
      const r = 3 * i + c;
      let v = model.mean[r]!;
      for (let k = 0; k < K; k++) v += model.shapeBasis[r * K + k]! * params.shape[k]!;
      for (let k = 0; k < E; k++) v += model.expressionBasis[r * E + k]! * params.expression[k]!;
      X[c] = v;
    }
    const px = C[0]! * X[0]! + C[1]! * X[1]! + C[2]! * X[2]! + C[3]!;
    const py = C[4]! * X[0]! + C[5]! * X[1]! + C[6]! * X[2]! + C[7]!;
    const pz = C[8]! * X[0]! + C[9]! * X[1]! + C[10]! * X[2]! + C[11]!;
    out[3 * i] = (px - 1) * sx + roi[0];
    out[3 * i + 1] = (size - py) * sy + roi[1];
    out[3 * i + 2] = (pz - 1) * s;
    if (out[3 * i + 2]! < zmin) zmin = out[3 * i + 2]!;
  }
  for (let i = 0; i < n; i++) out[3 * i + 2] = out[3 * i + 2]! - zmin;
  return out;
}
