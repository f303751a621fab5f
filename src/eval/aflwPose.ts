import type { PoseAngles } from './aflw2000GroundTruth.js';

const DEG = 180 / Math.PI;

/**
 * Converts a rotation in PRNet's image frame (x right, y down, z toward the viewer;
 * e.g. `estimatePose(...).rotation`) to AFLW2000-3D's `Pose_Para` angles (degrees).
 *
 * The dataset (3DDFA fittings) uses `R = Rx(pitch) · Ry(yaw) · Rz(roll)` with
 * `Rx = [1 0 0; 0 c s; 0 −s c]`, `Ry = [c 0 −s; 0 1 0; s 0 c]`, `Rz = [c s 0; −s c 0; 0 0 1]`
 * in a y-up model frame; in the image frame that rotation is `F·R·F`, `F = diag(1, −1, 1)`.
 * Checked on the 31 sample images: the canonical face fitted to `pt3d_68` lies within
 * 0.4°–4.4° (median 1.2°, geodesic) of `F·R(Pose_Para)·F`; a wrong axis or sign gives tens of degrees.
 *
 * ```ts
 * const { yaw, pitch, roll } = rotationToAflwPose(pose.rotation); // compare with Pose_Para
 * ```
 */
export function rotationToAflwPose(rotation: ArrayLike<number>): PoseAngles {
  // R_dataset = F·R·F flips the sign of entries with exactly one index equal to 1.
  const R = Array.from({ length: 9 }, (_, i) => {
    const r = Math.floor(i / 3);
    const c = i % 3;
    return (r === 1) !== (c === 1) ? -rotation[i]! : rotation[i]!;
  });
  const yaw = Math.asin(Math.max(-1, Math.min(1, -R[2]!)));
  const pitch = Math.atan2(R[5]!, R[8]!);
  const roll = Math.atan2(R[1]!, R[0]!);
  return { pitch: pitch * DEG, yaw: yaw * DEG, roll: roll * DEG };
}

/**
 * The image-frame rotation of AFLW2000-3D pose angles (degrees), inverse of
 * {@link rotationToAflwPose}. 3×3 row-major.
 *
 * ```ts
 * const R = aflwPoseToRotation(gt.pose);
 * ```
 */
export function aflwPoseToRotation({ pitch, yaw, roll }: PoseAngles): Float64Array {
  const [x, y, z] = [pitch / DEG, yaw / DEG, roll / DEG];
  const cx = Math.cos(x), sx = Math.sin(x), cy = Math.cos(y), sy = Math.sin(y), cz = Math.cos(z), sz = Math.sin(z);
  const Rx = [1, 0, 0, 0, cx, sx, 0, -sx, cx];
  const Ry = [cy, 0, -sy, 0, 1, 0, sy, 0, cy];
  const Rz = [cz, sz, 0, -sz, cz, 0, 0, 0, 1];
  const m = (a: number[], b: number[]) =>
    Array.from({ length: 9 }, (_, i) => a[3 * Math.floor(i / 3)]! * b[i % 3]! + a[3 * Math.floor(i / 3) + 1]! * b[3 + (i % 3)]! + a[3 * Math.floor(i / 3) + 2]! * b[6 + (i % 3)]!);
  const R = m(m(Rx, Ry), Rz);
  return Float64Array.from(R, (v, i) => ((Math.floor(i / 3) === 1) !== (i % 3 === 1) ? -v : v));
}

/**
 * Angle (degrees) of the rotation taking `a` to `b`: a convention-free pose error.
 *
 * ```ts
 * const err = rotationAngle(predicted, aflwPoseToRotation(gt.pose));
 * ```
 */
export function rotationAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let trace = 0;
  for (let i = 0; i < 9; i++) trace += a[i]! * b[i]!; // trace(aᵀ b)
  return Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))) * DEG;
}
