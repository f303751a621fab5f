import type { UvMorphableModel } from '../uvMorphableModel.js';
import type { FitPoints } from './teacherFit.js';

/**
 * The UV morphable model read at some UV pixels (flat indices `v · size + u`): the points a
 * label fit constrains.
 *
 * ```ts
 * const points = fitPoints(model, aflw21UvIndices());
 * ```
 */
export function fitPoints(model: UvMorphableModel, pixels: ArrayLike<number>): FitPoints {
  const m = pixels.length, K = model.shapeCount + model.expressionCount, P = model.size * model.size;
  const mean = new Float64Array(m * 3), basis = new Float64Array(m * 3 * K);
  for (let j = 0; j < m; j++) {
    const p = pixels[j]!;
    if (!(Number.isInteger(p) && p >= 0 && p < P)) throw new Error(`fitPoints: pixel ${p} outside the ${model.size}² map`);
    for (let d = 0; d < 3; d++) {
      mean[j * 3 + d] = model.mean[p * 3 + d]!;
      for (let k = 0; k < K; k++) basis[(j * 3 + d) * K + k] = model.basis[k * P * 3 + p * 3 + d]!;
    }
  }
  return { mean, basis, coefficientCount: K };
}
