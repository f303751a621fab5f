import type { MorphableModel } from './morphableModel.js';

/**
 * The model's vertices for shape and expression coefficients, face3d's
 * `generate_vertices`: `mean + shapePC · shape + expPC · exp`, as `n × 3` (x y z per vertex).
 *
 * ```ts
 * const vertices = modelVertices(model, params.shape, params.expression);
 * ```
 */
export function modelVertices(model: MorphableModel, shape: ArrayLike<number>, expression: ArrayLike<number>): Float64Array {
  const { shapeCount: ks, expressionCount: ke } = model;
  if (shape.length !== ks) throw new Error(`modelVertices: ${shape.length} shape coefficients, the model has ${ks}`);
  if (expression.length !== ke) throw new Error(`modelVertices: ${expression.length} expression coefficients, the model has ${ke}`);
  const out = Float64Array.from(model.mean);
  const S = model.shapeBasis, E = model.expressionBasis;
  for (let r = 0; r < out.length; r++) {
    let acc = out[r]!;
    const so = r * ks, eo = r * ke;
    for (let k = 0; k < ks; k++) acc += S[so + k]! * shape[k]!;
    for (let k = 0; k < ke; k++) acc += E[eo + k]! * expression[k]!;
    out[r] = acc;
  }
  return out;
}
