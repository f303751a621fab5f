import { angleToMatrix3ddfa } from './angleToMatrix3ddfa.js';

/**
 * A 300W-LP pose: `Pose_Para` = pitch, yaw, roll (radians), tx, ty, tz, scale.
 */
export type Pose300wlp = readonly [number, number, number, number, number, number, number];

/**
 * Model vertices in image pixels, as face3d's generator: `s · v · Rᵀ + t` (3DDFA's
 * orthographic camera, y up), then `y = h − y − 1` (image rows go down). z is left in the
 * same units (larger z is toward the viewer).
 *
 * ```ts
 * const image = imageVertices3ddfa(modelVertices(model, shape, exp), pose, photo.height);
 * ```
 *
 * @param vertices `n × 3`.
 * @param imageHeight h of the photo.
 */
export function imageVertices3ddfa(vertices: Float64Array, pose: Pose300wlp, imageHeight: number): Float64Array {
  const [pitch, yaw, roll, tx, ty, tz, s] = pose;
  const R = angleToMatrix3ddfa(pitch, yaw, roll);
  const out = new Float64Array(vertices.length);
  for (let i = 0; i < vertices.length; i += 3) {
    const x = vertices[i]!, y = vertices[i + 1]!, z = vertices[i + 2]!;
    out[i] = s * (R[0]! * x + R[1]! * y + R[2]! * z) + tx;
    out[i + 1] = imageHeight - (s * (R[3]! * x + R[4]! * y + R[5]! * z) + ty) - 1;
    out[i + 2] = s * (R[6]! * x + R[7]! * y + R[8]! * z) + tz;
  }
  return out;
}
