/**
 * Which detected face a benchmark scores: when a method finds the faces itself (a
 * detector, not the benchmark's crop), the one whose landmarks' centre lies nearest the
 * ground truth's, if within half the ground truth's box size (√(w·h)); otherwise the
 * method missed the face. Isomorphic.
 */
import { boxNormalizer } from './landmarkNme.js';

/** How far from the ground truth's centre a face may lie, in ground-truth box sizes. */
export const MATCH_FACE_MAX_OFFSET = 0.5;

function centre(points: ArrayLike<number>, stride: number): [number, number] {
  let x = 0, y = 0;
  const n = Math.floor(points.length / stride);
  for (let i = 0; i < n; i++) { x += points[i * stride]!; y += points[i * stride + 1]!; }
  return [x / n, y / n];
}

/**
 * The index in `faces` (each `n × 3` landmarks, x y z) of the face that matches the
 * ground-truth points (`n × stride`), or −1 when none lies within
 * {@link MATCH_FACE_MAX_OFFSET} box sizes.
 *
 * ```ts
 * const k = matchFace(result.faces.map((f) => f.landmarks), gt.landmarks, 3);
 * if (k < 0) miss(); else score(result.faces[k]);
 * ```
 */
export function matchFace(faces: readonly ArrayLike<number>[], groundTruth: ArrayLike<number>, stride = 3): number {
  const [gx, gy] = centre(groundTruth, stride);
  const limit = MATCH_FACE_MAX_OFFSET * boxNormalizer(groundTruth, stride);
  let best = -1, bestDistance = Infinity;
  faces.forEach((f, k) => {
    const [x, y] = centre(f, 3);
    const d = Math.hypot(x - gx, y - gy);
    if (d < bestDistance) { best = k; bestDistance = d; }
  });
  return bestDistance <= limit ? best : -1;
}
