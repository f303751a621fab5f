import type { FaceFit, FitPoints } from './teacherFit.js';

/**
 * Points of a fitted face in the image: `m × 3` (x, y, z), z = scale · (rotation · X)[z]
 * shifted so that its minimum over these points is 0 (3DDFA's and the benchmark's habit).
 *
 * ```ts
 * const landmarks = faceFitPoints(fit, fitPoints(model, model.landmarkPixels));
 * ```
 */
export function faceFitPoints(fit: FaceFit, points: FitPoints): Float64Array {
  const m = points.mean.length / 3, K = points.coefficientCount;
  const out = new Float64Array(m * 3);
  const R = fit.rotation, s = fit.scale;
  const X = new Float64Array(3);
  let zmin = Infinity;
  for (let j = 0; j < m; j++) {
    for (let d = 0; d < 3; d++) {
      let v = points.mean[j * 3 + d]!;
      for (let k = 0; k < K; k++) v += points.basis[(j * 3 + d) * K + k]! * fit.coefficients[k]!;
      X[d] = v;
    }
    out[j * 3] = s * (R[0]! * X[0]! + R[1]! * X[1]! + R[2]! * X[2]!) + fit.translation[0];
    out[j * 3 + 1] = s * (R[3]! * X[0]! + R[4]! * X[1]! + R[5]! * X[2]!) + fit.translation[1];
    out[j * 3 + 2] = s * (R[6]! * X[0]! + R[7]! * X[1]! + R[8]! * X[2]!);
    if (out[j * 3 + 2]! < zmin) zmin = out[j * 3 + 2]!;
  }
  for (let j = 0; j < m; j++) out[j * 3 + 2] = out[j * 3 + 2]! - zmin;
  return out;
}
