import type { Affine2D } from '../geometry/affine2d.js';

/**
 * Crop side over the box's mean side `((r − l) + (b − t)) / 2` for user boxes and
 * landmark boxes (official `api.py` `process(image, image_info)`: `size = old_size · 1.6`).
 */
export const BOX_CROP_FACTOR = 1.6;

/** Crop side over the dlib box's mean side in the official detector path (`old_size · 1.58`). */
export const DLIB_CROP_FACTOR = 1.58;

/**
 * Downward shift of the crop centre in the official dlib path, as a fraction of the
 * box's mean side before the factor (`center_y = box centre + old_size · 0.14`).
 */
export const DLIB_CENTER_SHIFT = 0.14;

/**
 * The image → crop map of official PRNet: the similarity that takes the axis-aligned
 * square of side `size` centred on `center` to a `resolution`² crop, fitted like
 * `estimate_transform('similarity', src_pts, DST_PTS)` with
 * `src_pts = [[cx − size/2, cy − size/2], [cx − size/2, cy + size/2], [cx + size/2, cy − size/2]]`
 * and `DST_PTS = [[0, 0], [0, resolution − 1], [resolution − 1, 0]]`. The three point
 * pairs are exactly similar, so the least-squares fit is the closed form
 * `(x, y) → s·(x − cx + size/2, y − cy + size/2)` with `s = (resolution − 1)/size`.
 *
 * With a `rotation` r (radians, see `FaceCrop.rotation`) the square is turned by r about its
 * centre first: `p → s·R(−r)·(p − c) + (resolution − 1)/2`, so a face rolled by r is upright
 * in the crop. r = 0 is exactly the official map.
 *
 * ```ts
 * const T = cropTransform([220, 240], 300, 256); // image → 256×256 crop
 * const upright = cropTransform([220, 240], 300, 256, Math.PI / 2); // a face lying on its side
 * ```
 */
export function cropTransform(center: readonly [number, number], size: number, resolution: number, rotation = 0): Affine2D {
  const [cx, cy] = center;
  if (!Number.isFinite(cx) || !Number.isFinite(cy) || !(size > 0) || !Number.isFinite(size)) {
    throw new Error(`crop needs a finite centre and a positive size, got centre (${cx}, ${cy}) size ${size}`);
  }
  if (!Number.isInteger(resolution) || resolution < 2) throw new Error(`crop resolution must be an integer ≥ 2, got ${resolution}`);
  if (!Number.isFinite(rotation)) throw new Error(`crop rotation must be a finite angle, got ${rotation}`);
  const s = (resolution - 1) / size;
  if (rotation === 0) return Float64Array.of(s, 0, -s * (cx - size / 2), 0, s, -s * (cy - size / 2));
  const c = Math.cos(rotation) * s;
  const n = Math.sin(rotation) * s;
  const half = (resolution - 1) / 2;
  return Float64Array.of(c, n, half - c * cx - n * cy, -n, c, half + n * cx - c * cy);
}
