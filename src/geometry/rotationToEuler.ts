/** Head pose angles in degrees. */
export interface EulerAngles {
  yaw: number;
  pitch: number;
  roll: number;
}

const DEG = 180 / Math.PI;

/**
 * Yaw, pitch and roll (degrees) of a rotation, matching official PRNet `matrix2angle`
 * (after Slabaugh, "Computing Euler angles from a rotation matrix"):
 * `yaw = asin(R[2][0])`, `pitch = atan2(R[2][1], R[2][2])`, `roll = atan2(R[1][0], R[0][0])`.
 *
 * Axes are those of the frame R acts in, PRNet's image frame (x right, y down, z toward
 * the viewer), and the decomposition is `R = Rz(roll) · Ry(−yaw) · Rx(pitch)` with the
 * usual right-hand rotation matrices, so yaw ∈ [−90°, 90°]. Near gimbal lock
 * (|R[2][0]| ≈ 1), where the official code divides by cos(yaw) ≈ 0, roll is set to 0 and
 * pitch takes the whole in-plane angle.
 *
 * ```ts
 * const { yaw, pitch, roll } = rotationToEuler(pose.rotation);
 * ```
 */
export function rotationToEuler(R: ArrayLike<number>): EulerAngles {
  const r20 = Math.max(-1, Math.min(1, R[6]!));
  const yaw = Math.asin(r20);
  if (Math.abs(r20) > 1 - 1e-12) {
    // R = Rz(γ)·Ry(∓90°)·Rx(α) depends only on α ∓ γ; choose γ = 0.
    const pitch = r20 > 0 ? Math.atan2(-R[1]!, -R[2]!) : Math.atan2(R[1]!, R[2]!);
    return { yaw: yaw * DEG, pitch: pitch * DEG, roll: 0 };
  }
  // atan2 is invariant to the positive factor 1/cos(yaw) the official code divides by.
  const pitch = Math.atan2(R[7]!, R[8]!);
  const roll = Math.atan2(R[3]!, R[0]!);
  return { yaw: yaw * DEG, pitch: pitch * DEG, roll: roll * DEG };
}

/**
 * The rotation with the given yaw, pitch, roll (degrees), inverse of
 * {@link rotationToEuler}: `R = Rz(roll) · Ry(−yaw) · Rx(pitch)`, 3×3 row-major.
 *
 * ```ts
 * const R = eulerToRotation({ yaw: 30, pitch: -10, roll: 5 });
 * ```
 */
export function eulerToRotation({ yaw, pitch, roll }: EulerAngles): Float64Array {
  const [a, b, g] = [pitch / DEG, -yaw / DEG, roll / DEG];
  const ca = Math.cos(a), sa = Math.sin(a);
  const cb = Math.cos(b), sb = Math.sin(b);
  const cg = Math.cos(g), sg = Math.sin(g);
  // Rz(g)·Ry(b)·Rx(a)
  return Float64Array.of(
    cg * cb, cg * sb * sa - sg * ca, cg * sb * ca + sg * sa,
    sg * cb, sg * sb * sa + cg * ca, sg * sb * ca - cg * sa,
    -sb, cb * sa, cb * ca,
  );
}
