import type { RgbImage } from '../io/rgbImage.js';
import type { Affine2D } from '../geometry/affine2d.js';
import { affineInvert } from '../geometry/affine2d.js';
import { warpRgb, type WarpBorder } from '../geometry/warpRgb.js';
import { withDefaults } from '../io/withDefaults.js';
import { alignedFaceSize, alignedFaceTransform, type AlignmentTemplate } from './alignedFaceTransform.js';
import { blendFfhqPadding } from './blendFfhqPadding.js';

/**
 * What becomes of the part of the picture that lies past the photo: `plain` leaves the
 * border rule's pixels as they are; `blur` blends them as FFHQ's recipe does
 * ({@link blendFfhqPadding}: toward a blur of σ = 2 % of the picture's side, and far out
 * toward the photo's median colour), so a mirrored border does not show as a sharp copy.
 */
export const ALIGN_PADDINGS = ['plain', 'blur'] as const;
/** One of {@link ALIGN_PADDINGS}. */
export type AlignPadding = (typeof ALIGN_PADDINGS)[number];

/** Options of {@link alignFace}. */
export interface AlignFaceOptions {
  /** Which alignment convention: `arcface` (insightface's 5-point 112×112) or `ffhq` (the FFHQ dataset's square crop). */
  template: AlignmentTemplate;
  /** Side of the aligned picture, pixels; the template's own size when left out (112 for arcface, 1024 for ffhq). */
  size?: number;
  /**
   * What the picture shows where it reaches past the photo: `black`, `edge` (the nearest
   * edge pixel) or `reflect` (the photo mirrored); the template's own when left out
   * ({@link ALIGNMENT_TEMPLATE_BORDER}).
   */
  border?: WarpBorder;
  /**
   * `blur` blends the part past the photo as FFHQ does, `plain` leaves it as the border
   * rule draws it ({@link ALIGN_PADDINGS}); the template's own when left out
   * ({@link ALIGNMENT_TEMPLATE_PADDING}). Where the face's square and a tenth of its side
   * around it lie inside the photo, both give the same picture.
   */
  padding?: AlignPadding;
}

/** Defaults of {@link AlignFaceOptions}: ArcFace's 112×112. */
export const ALIGN_FACE_DEFAULTS: AlignFaceOptions = { template: 'arcface' };

/**
 * Each template's own border: insightface's `warpAffine` leaves black outside the photo;
 * FFHQ pads the photo by mirroring it, then blurs that padding and fades it toward the
 * photo's median colour ({@link ALIGNMENT_TEMPLATE_PADDING}).
 */
export const ALIGNMENT_TEMPLATE_BORDER: Record<AlignmentTemplate, WarpBorder> = { arcface: 'black', ffhq: 'reflect' };

/** Each template's own padding: insightface's black stays plain; FFHQ blurs its mirrored padding ({@link blendFfhqPadding}). */
export const ALIGNMENT_TEMPLATE_PADDING: Record<AlignmentTemplate, AlignPadding> = { arcface: 'plain', ffhq: 'blur' };

/** An aligned face picture and where it came from. */
export interface AlignedFace {
  /** The aligned picture, `size × size`. */
  image: RgbImage;
  /** Photo pixels → aligned picture pixels (`[a, b, tx, c, d, ty]`); its inverse takes points back to the photo. */
  transform: Affine2D;
}

/**
 * Cuts a face out of a photo the way face-recognition models and face datasets expect it
 * (an aligned "face chip"), from the face's 68 landmarks: {@link alignedFaceTransform}, then
 * a bilinear warp that averages over each output pixel when it shrinks the face, so a large
 * face is not aliased; for FFHQ, the part past the photo is then blurred and faded as FFHQ's
 * recipe does (`padding`). The landmarks are `face.landmarks` (x, y, z per point) or any 68 (x, y)
 * points with `stride` 2.
 *
 * ```ts
 * const { faces } = await prn.reconstruct(image);
 * const chip = alignFace(image, faces[0].landmarks);                        // 112×112, ArcFace's
 * const ffhq = alignFace(image, faces[0].landmarks, { template: 'ffhq', size: 512 }); // mirrored and blurred past the photo's edges
 * ```
 */
export function alignFace(image: RgbImage, landmarks: ArrayLike<number>, options: Partial<AlignFaceOptions> = {}, stride = 3): AlignedFace {
  const o = withDefaults(ALIGN_FACE_DEFAULTS, options);
  const size = alignedFaceSize(o);
  const transform = alignedFaceTransform(landmarks, { template: o.template, size }, stride);
  const padding = o.padding ?? ALIGNMENT_TEMPLATE_PADDING[o.template];
  if (!(ALIGN_PADDINGS as readonly string[]).includes(padding)) throw new Error(`face alignment: padding must be one of ${ALIGN_PADDINGS.join(', ')}, got '${padding}'`);
  const border = o.border ?? ALIGNMENT_TEMPLATE_BORDER[o.template];
  const sourceFromOut = affineInvert(transform);
  const plain = warpRgb(image.data, image.width, image.height, sourceFromOut, size, size, { border });
  const data = padding === 'blur' ? blendFfhqPadding(image, sourceFromOut, plain, size, { border }) : plain;
  return { image: { width: size, height: size, data }, transform };
}
