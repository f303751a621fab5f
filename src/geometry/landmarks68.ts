/**
 * The 68-point landmark scheme (Multi-PIE, 300-W, AFLW2000-3D, PRNet's UV keypoints): the
 * index ranges of its parts, once, and the mean of a part. Isomorphic.
 */

/** `[from, to)` index ranges and single indices of the scheme's parts (0-based; the picture's left eye is 36–41). */
export const LANDMARKS_68 = {
  count: 68,
  /** The eye on the picture's left (the face's right), six points. */
  leftEye: [36, 42],
  /** The eye on the picture's right. */
  rightEye: [42, 48],
  /** Both eyes. */
  eyes: [36, 48],
  /** The mouth, outer and inner lips. */
  mouth: [48, 68],
  /** The nose tip. */
  noseTip: 30,
  /** The outer mouth corners, the picture's left then right. */
  mouthCorners: [48, 54],
  /** The outer eye corners, the picture's left then right. */
  outerEyeCorners: [36, 45],
} as const;

/**
 * The mean of landmarks `range[0] … range[1] − 1` over their first `dims` coordinates
 * (`points` holds 68 points, `stride` numbers apart, x, y (, z) first).
 *
 * ```ts
 * const [x, y] = landmarkMean(face.landmarks, LANDMARKS_68.leftEye);      // the left eye's centre
 * const xyz = landmarkMean(canonical68, LANDMARKS_68.rightEye, 3, 3);
 * ```
 */
export function landmarkMean(points: ArrayLike<number>, range: readonly [number, number], stride = 3, dims = 2): number[] {
  if (points.length < LANDMARKS_68.count * stride) throw new Error(`a 68-point landmark set needs 68 points (${LANDMARKS_68.count * stride} numbers at ${stride} per point), got ${Math.floor(points.length / stride)}`);
  const out = new Array<number>(dims).fill(0);
  for (let i = range[0]; i < range[1]; i++) for (let d = 0; d < dims; d++) out[d]! += points[i * stride + d]!;
  return out.map((v) => v / (range[1] - range[0]));
}
