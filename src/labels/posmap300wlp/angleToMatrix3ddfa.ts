/**
 * The rotation of a 300W-LP / 3DDFA pose, face3d's `angle2matrix_3ddfa`:
 * `R = Rx(pitch) · Ry(yaw) · Rz(roll)` with 3DDFA's sign conventions
 * (Rx = [[1,0,0],[0,c,s],[0,−s,c]], Ry = [[c,0,−s],[0,1,0],[s,0,c]], Rz = [[c,s,0],[−s,c,0],[0,0,1]]).
 * Angles in radians, as `Pose_Para` stores them. Returns the row-major 3×3.
 *
 * ```ts
 * const R = angleToMatrix3ddfa(pose[0], pose[1], pose[2]);
 * ```
 */
export function angleToMatrix3ddfa(pitch: number, yaw: number, roll: number): Float64Array {
  const cx = Math.cos(pitch), sx = Math.sin(pitch);
  const cy = Math.cos(yaw), sy = Math.sin(yaw);
  const cz = Math.cos(roll), sz = Math.sin(roll);
  // Rx · Ry, then · Rz, multiplied out.
  const a = [cy, 0, -sy, sx * sy, cx, sx * cy, cx * sy, -sx, cx * cy];
  const R = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    const r0 = a[i * 3]!, r1 = a[i * 3 + 1]!, r2 = a[i * 3 + 2]!;
    R[i * 3] = r0 * cz - r1 * sz;
    R[i * 3 + 1] = r0 * sz + r1 * cz;
    R[i * 3 + 2] = r2;
  }
  return R;
}
