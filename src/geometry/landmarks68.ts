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
  /** Upper and lower inner lip, facing pairs: their gap is how far the mouth is open. */
  innerLipPairs: [[61, 67], [62, 66], [63, 65]],
  /** Upper and lower eyelid, facing pairs of both eyes: their gap is how far the eyes are open. */
  eyelidPairs: [[37, 41], [38, 40], [43, 47], [44, 46]],
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

/**
 * The mean 2D distance between the landmarks of each pair (`points` holds 68 points,
 * `stride` numbers apart, x and y first): with {@link LANDMARKS_68}`.innerLipPairs`, how far
 * the mouth is open; with `eyelidPairs`, the eyes. In the points' own units.
 *
 * ```ts
 * const open = landmarkGap(face.landmarks, LANDMARKS_68.innerLipPairs) / boxNormalizer(face.landmarks);
 * ```
 */
export function landmarkGap(points: ArrayLike<number>, pairs: readonly (readonly [number, number])[], stride = 3): number {
  if (points.length < LANDMARKS_68.count * stride) throw new Error(`a 68-point landmark set needs 68 points (${LANDMARKS_68.count * stride} numbers at ${stride} per point), got ${Math.floor(points.length / stride)}`);
  let sum = 0;
  for (const [a, b] of pairs) sum += Math.hypot(points[a * stride]! - points[b * stride]!, points[a * stride + 1]! - points[b * stride + 1]!);
  return sum / pairs.length;
}
