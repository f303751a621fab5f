import type { MatFile } from '../../io/mat.js';
import type { Pose300wlp } from './imageVertices3ddfa.js';

/** The fitted parameters of one 300W-LP image. */
export interface Parameters300wlp {
  /** `Pose_Para`: pitch, yaw, roll, tx, ty, tz, scale. */
  pose: Pose300wlp;
  /** `Shape_Para` (the model's shape component count). */
  shape: Float64Array;
  /** `Exp_Para` (the model's expression component count). */
  expression: Float64Array;
}

/**
 * Reads `Pose_Para` (7 values), `Shape_Para` and `Exp_Para` of a 300W-LP `.mat`, with their
 * lengths checked against the model (199 and 29 for the BFM; taken from the model, never
 * assumed). Row or column vectors are both accepted. Errors name the file and variable.
 *
 * ```ts
 * const params = parameters300wlp(await readMatFile('AFW_134212_1_0.mat'), model.shapeCount, model.expressionCount);
 * ```
 */
export function parameters300wlp(mat: MatFile, shapeCount: number, expressionCount: number, name = 'MAT-file'): Parameters300wlp {
  const vector = (variable: string, length: number): Float64Array => {
    const v = mat.variables[variable];
    if (!v) throw new Error(`${name}: variable '${variable}' is missing`);
    if (v.kind !== 'numeric') throw new Error(`${name}: '${variable}' is a ${v.kind} array, expected numeric`);
    if (v.shape.filter((d) => d !== 1).length > 1 || v.data.length !== length) {
      throw new Error(`${name}: '${variable}' is ${v.shape.join('×')}, expected ${length} values`);
    }
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = Number(v.data[i]);
      if (!Number.isFinite(out[i]!)) throw new Error(`${name}: '${variable}' value ${i + 1} is not finite`);
    }
    return out;
  };
  const p = vector('Pose_Para', 7);
  if (!(p[6]! > 0)) throw new Error(`${name}: 'Pose_Para' scale (7th value) must be positive, got ${p[6]}`);
  return {
    pose: [p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!],
    shape: vector('Shape_Para', shapeCount),
    expression: vector('Exp_Para', expressionCount),
  };
}
