/** The bounding box of landmarks. Pure and isomorphic. */

/**
 * Bounding box `[x, y, w, h]` of 68 × 3 (x, y, z) landmarks, in their pixels.
 *
 * ```ts
 * const [x, y, w, h] = landmarksBox(face.landmarks);
 * ```
 */
export function landmarksBox(landmarks: ArrayLike<number>): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i + 1 < landmarks.length; i += 3) {
    x0 = Math.min(x0, landmarks[i]); x1 = Math.max(x1, landmarks[i]);
    y0 = Math.min(y0, landmarks[i + 1]); y1 = Math.max(y1, landmarks[i + 1]);
  }
  return [x0, y0, x1 - x0, y1 - y0];
}
