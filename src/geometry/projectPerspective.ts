/**
 * Projects points given in a face's frame through the perspective camera of its
 * `perspectivePose` into picture pixels: what a 3D engine would draw, without one (2D
 * overlays, tests). Isomorphic.
 */

/** What {@link projectPerspective} needs of a perspective pose. */
export interface PerspectiveCamera {
  /** Face → camera 4×4, column-major, metres (camera at the origin looking down −z, y up). */
  matrix: ArrayLike<number>;
  /** Vertical field of view, degrees. */
  fovY: number;
}

/**
 * Pixels `(x, y)` of `n` points (`n × 3`, metres in the face frame of `perspectivePose`:
 * origin mid-eyes, x to the face's left, y up, z out of the face), for a picture of
 * `width × height` whose centre is the principal point; pixel centres at integer
 * coordinates, as everywhere in prnet. A point at or behind the camera gives `NaN`.
 *
 * ```ts
 * const [u, v] = projectPerspective([0, 0, 0], face.camera, image.width, image.height); // mid-eyes
 * ```
 */
export function projectPerspective(points: ArrayLike<number>, camera: PerspectiveCamera, width: number, height: number): Float64Array {
  if (points.length % 3 !== 0) throw new Error(`projectPerspective: points must be n×3 numbers, got ${points.length}`);
  const m = camera.matrix;
  const f = height / 2 / Math.tan((camera.fovY * Math.PI) / 360);
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const out = new Float64Array((points.length / 3) * 2);
  for (let i = 0, o = 0; i < points.length; i += 3, o += 2) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    const X = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
    const Y = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
    const Z = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
    if (!(Z < 0)) { out[o] = NaN; out[o + 1] = NaN; continue; }
    out[o] = cx + (f * X) / -Z;
    out[o + 1] = cy - (f * Y) / -Z;
  }
  return out;
}
