/**
 * The training crop: a (possibly rotated, possibly mirrored) square of the source image,
 * mapped to an S×S crop exactly like face3d's `8_generate_posmap_300WLP.py`: the square's
 * corners go to pixel centres 0 and S − 1 (skimage `estimate_transform('similarity')`).
 */

/** A square region of the source image and how it is turned into a crop. */
export interface CropSquare {
  /** Centre `[x, y]`, source-image pixels. */
  center: [number, number];
  /** Side of the square, source-image pixels. */
  size: number;
  /** In-plane rotation of the crop content, radians (positive: the face turns clockwise on screen). */
  angle: number;
  /** Mirror the crop horizontally (after the rotation). */
  flip: boolean;
}

/**
 * The 2×3 affine `[a, b, c, d, e, f]` (x' = a x + b y + c, y' = d x + e y + f) taking
 * source-image pixels to pixels of a `side × side` crop of `square`.
 *
 * ```ts
 * const m = cropMatrix({ center: [200, 220], size: 300, angle: 0, flip: false }, 256);
 * ```
 */
export function cropMatrix(square: CropSquare, side: number): Float64Array {
  const k = (side - 1) / square.size;
  const c = Math.cos(square.angle), s = Math.sin(square.angle);
  const h = (side - 1) / 2;
  // q = k · Rot(angle) · (p − centre) + h, then x → (side − 1) − x when flipped.
  let a = k * c, b = -k * s, d = k * s, e = k * c;
  let cx = h - (a * square.center[0] + b * square.center[1]);
  const cy = h - (d * square.center[0] + e * square.center[1]);
  if (square.flip) {
    a = -a; b = -b; cx = side - 1 - cx;
  }
  return new Float64Array([a, b, cx, d, e, cy]);
}
