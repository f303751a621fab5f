/**
 * Where a face goes in an aligned face picture ("face chip"): the similarity transform
 * from a photo to the standard crops that face-recognition models and face datasets are
 * made of, computed from a face's 68 landmarks. Isomorphic.
 */
import type { Affine2D } from '../geometry/affine2d.js';
import { fitSimilarity2d } from '../geometry/fitSimilarity2d.js';
import { withDefaults } from '../io/withDefaults.js';
import { LANDMARKS_68, landmarkMean } from '../geometry/landmarks68.js';

/**
 * The alignment conventions:
 * - `arcface`: insightface's 5-point template (eye centres, nose tip, mouth corners) on a
 *   112×112 picture, fitted by least squares, the input of ArcFace and most
 *   face-recognition models since;
 * - `ffhq`: the FFHQ dataset's crop (Karras et al. 2019, `recreate_aligned_images`): a square
 *   set by the eyes and the mouth, with the hair and chin in it, upright, 1024 px.
 */
export const ALIGNMENT_TEMPLATES = ['arcface', 'ffhq'] as const;
/** One of {@link ALIGNMENT_TEMPLATES}. */
export type AlignmentTemplate = (typeof ALIGNMENT_TEMPLATES)[number];

/** Side of the picture each template is defined at, pixels (the default `size`). */
export const ALIGNMENT_TEMPLATE_SIZE: Record<AlignmentTemplate, number> = { arcface: 112, ffhq: 1024 };

/**
 * insightface's `arcface_dst`: where the eye on the picture's left, the other eye, the nose
 * tip and the left and right mouth corners land in a 112×112 aligned face (x, y; pixel
 * centres at integer coordinates, as OpenCV's `warpAffine` samples).
 */
export const ARCFACE_TEMPLATE_112 = Float64Array.of(
  38.2946, 51.6963,
  73.5318, 51.5014,
  56.0252, 71.7366,
  41.5493, 92.3655,
  70.7299, 92.2041,
);

/** Options of {@link alignedFaceTransform}. */
export interface AlignedFaceOptions {
  /** Which alignment convention. */
  template: AlignmentTemplate;
  /** Side of the aligned picture, pixels; the template's own size when left out (112 for arcface, 1024 for ffhq); the template scales with it. */
  size?: number;
}

/** Defaults of {@link AlignedFaceOptions}: ArcFace's 112×112. */
export const ALIGNED_FACE_DEFAULTS: AlignedFaceOptions = { template: 'arcface' };

/** Largest aligned picture, pixels a side (64 MB of RGB): beyond it a face is only upsampled further. */
export const ALIGNED_FACE_MAX_SIZE = 4096;


/**
 * The 5 points of insightface's template from 68 landmarks: the centres of the eyes
 * (points 37–42 and 43–48, 1-based), the nose tip (31) and the mouth corners (49, 55).
 * Returns 5 × (x, y).
 *
 * ```ts
 * const five = fivePointsFrom68(face.landmarks, 3);
 * ```
 */
export function fivePointsFrom68(landmarks: ArrayLike<number>, stride = 3): Float64Array {
  const L = LANDMARKS_68;
  if (landmarks.length !== L.count * stride) throw new Error(`face alignment needs 68 landmarks (${L.count * stride} numbers at ${stride} per point), got ${landmarks.length} numbers`);
  const p = (i: number): [number, number] => [landmarks[i * stride]!, landmarks[i * stride + 1]!];
  return Float64Array.from([...landmarkMean(landmarks, L.leftEye, stride), ...landmarkMean(landmarks, L.rightEye, stride), ...p(L.noseTip), ...p(L.mouthCorners[0]), ...p(L.mouthCorners[1])]);
}

/**
 * The side of the aligned picture the options ask for (the template's own when `size` is
 * left out), after checking the template and the size; throws one line naming the problem.
 *
 * ```ts
 * alignedFaceSize({ template: 'ffhq' }); // 1024
 * ```
 */
export function alignedFaceSize(options: Partial<AlignedFaceOptions> = {}): number {
  const o = withDefaults(ALIGNED_FACE_DEFAULTS, options);
  if (!(ALIGNMENT_TEMPLATES as readonly string[]).includes(o.template)) throw new Error(`face alignment: template must be one of ${ALIGNMENT_TEMPLATES.join(', ')}, got '${o.template}'`);
  const size = o.size ?? ALIGNMENT_TEMPLATE_SIZE[o.template];
  if (!Number.isInteger(size) || size < 8 || size > ALIGNED_FACE_MAX_SIZE) throw new Error(`face alignment: size must be an integer from 8 to ${ALIGNED_FACE_MAX_SIZE} pixels, got ${size}`);
  return size;
}

/**
 * The map from photo pixels to the aligned picture's pixels (`[a, b, tx, c, d, ty]`, a
 * similarity: no shear, no reflection) for a face's 68 landmarks (x, y first, `stride`
 * numbers per point: 3 for `face.landmarks`). Pixel centres sit at integer coordinates on
 * both sides.
 *
 * - `arcface`: the least-squares fit of {@link fivePointsFrom68} to {@link ARCFACE_TEMPLATE_112}
 *   scaled by `size / 112` (insightface's `estimate_norm` for sizes that are multiples of 112).
 * - `ffhq`: FFHQ's recipe: with `e` the eyes' midpoint, `m` the mouth corners' midpoint,
 *   `ee` the vector between the eye centres and `em = m − e`, the square's half-side `x`
 *   points along `ee − rot90(em)`, is `max(2·|ee|, 1.8·|em|)` long, and its centre is
 *   `e + 0.1·em`; the square's corners go to the picture's corners (pixel edges).
 *
 * ```ts
 * const imageToChip = alignedFaceTransform(face.landmarks, { template: 'ffhq', size: 512 });
 * ```
 */
export function alignedFaceTransform(landmarks: ArrayLike<number>, options: Partial<AlignedFaceOptions> = {}, stride = 3): Affine2D {
  const o = withDefaults(ALIGNED_FACE_DEFAULTS, options);
  const size = alignedFaceSize(o);
  const five = fivePointsFrom68(landmarks, stride);
  if (!five.every(Number.isFinite)) throw new Error('face alignment: the landmarks are not finite');
  // A face whose eyes and mouth coincide (a collapsed prediction) has no orientation or size.
  if (!(Math.hypot(five[2]! - five[0]!, five[3]! - five[1]!) + Math.hypot(five[6]! + five[8]! - five[0]! - five[2]!, five[7]! + five[9]! - five[1]! - five[3]!) > 1e-6)) {
    throw new Error('face alignment: the eyes and mouth of this face coincide (a collapsed prediction): nothing to align');
  }
  if (o.template === 'arcface') {
    const scale = size / ALIGNMENT_TEMPLATE_SIZE.arcface;
    return fitSimilarity2d(five, ARCFACE_TEMPLATE_112.map((v) => v * scale));
  }
  const [lx, ly, rx, ry, , , mlx, mly, mrx, mry] = five as unknown as number[];
  const ex = (lx! + rx!) / 2, ey = (ly! + ry!) / 2;
  const eex = rx! - lx!, eey = ry! - ly!;
  const emx = (mlx! + mrx!) / 2 - ex, emy = (mly! + mry!) / 2 - ey;
  // x = ee − flipud(em)·[−1, 1] = ee − (−em_y, em_x): the eye line corrected by the face's vertical axis.
  let xx = eex + emy, xy = eey - emx;
  const len = Math.hypot(xx, xy);
  const half = Math.max(2 * Math.hypot(eex, eey), 1.8 * Math.hypot(emx, emy));
  xx *= half / len; xy *= half / len;
  // y = flipud(x)·[−1, 1]: x turned a quarter clockwise on screen (y down).
  const yx = -xy, yy = xx;
  const cx = ex + 0.1 * emx, cy = ey + 0.1 * emy;
  // Corner c − x − y ↦ (−½, −½), and x, y (half-sides) ↦ size/2 along the picture's axes.
  const k = size / (2 * half * half);
  const q0x = cx - xx - yx, q0y = cy - xy - yy;
  return Float64Array.of(k * xx, k * xy, -0.5 - k * (xx * q0x + xy * q0y), k * yx, k * yy, -0.5 - k * (yx * q0x + yy * q0y));
}
