/** Names of the shapes {@link deformationBasis} can build. */
export const DEFORMATION_SHAPES = ['width', 'depth', 'lowerFace'] as const;

/** One deformation shape. */
export type DeformationShape = (typeof DEFORMATION_SHAPES)[number];

/**
 * A tiny data-free deformation basis of the canonical face (no morphable model needed):
 * anisotropic scalings about the face centre — face width (x), face depth (z), and the
 * vertical extent of the lower face (y below the eye line, jaw height / mouth opening).
 * Built for any point set given as canonical positions, so the same coefficients apply to
 * the 21 fitted points and to the whole UV map. A coefficient α = 0.1 moves a point by
 * 10 % of its offset from the centre (or the eye line).
 *
 * ```ts
 * const basis = deformationBasis(points, { center, eyeLineY }, ['width']); // K · n · 3
 * ```
 *
 * @param points `n × 3` canonical positions.
 * @param frame the canonical face centre and the y of its eye line.
 * @param shapes which shapes, in this order (default: all).
 */
export function deformationBasis(
  points: ArrayLike<number>,
  frame: { center: [number, number, number]; eyeLineY: number },
  shapes: readonly DeformationShape[] = DEFORMATION_SHAPES,
): Float64Array {
  const n = points.length / 3;
  const out = new Float64Array(shapes.length * n * 3);
  const [cx, , cz] = frame.center;
  shapes.forEach((shape, k) => {
    for (let i = 0; i < n; i++) {
      const o = (k * n + i) * 3;
      if (shape === 'width') out[o] = points[i * 3]! - cx;
      else if (shape === 'depth') out[o + 2] = points[i * 3 + 2]! - cz;
      else out[o + 1] = Math.max(0, points[i * 3 + 1]! - frame.eyeLineY);
    }
  });
  return out;
}
