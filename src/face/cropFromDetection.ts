import type { FaceCrop } from './faceCrop.js';

/**
 * Vertical shift of the crop centre below the BlazeFace box centre, as a fraction of the
 * box size ((width + height) / 2). Measured by `bench/calibrateDetector.ts`: least squares
 * over the 31 AFLW2000-3D sample images (ground-truth `pt3d_68`) so that detector crops match
 * landmark crops (landmark box × 1.6, PRNet's `BOX_CROP_FACTOR`); fitted 0.0526, horizontal
 * shift fitted −0.003 and fixed at 0 by symmetry. Residual centre error 3.7 % of the crop
 * side rms (5.3 % without calibration).
 */
export const BLAZEFACE_CENTER_SHIFT = 0.052;

/**
 * Crop side over BlazeFace box size ((width + height) / 2), measured with
 * {@link BLAZEFACE_CENTER_SHIFT} (least squares, fitted 1.477; residual size error 7.6 % rms,
 * 11.5 % with the uncalibrated 1.6 — the rest is pose: profile faces have narrower boxes).
 */
export const BLAZEFACE_CROP_FACTOR = 1.48;

/**
 * The crop for a face found by BlazeFace: what the 68-landmark box × 1.6 would give,
 * predicted from the detector's box with the calibrated shift and factor (the role dlib's
 * 0.14 / 1.58 play in the official code).
 *
 * ```ts
 * const [face] = await detector.detect(image);
 * const crop = cropFromDetection(face.box);
 * ```
 */
export function cropFromDetection(box: readonly [number, number, number, number]): FaceCrop {
  const [x, y, w, h] = box;
  if (![x, y, w, h].every(Number.isFinite) || !(w > 0) || !(h > 0)) throw new Error(`detector box must have positive size, got ${box.join(',')}`);
  const size = (w + h) / 2;
  return { center: [x + w / 2, y + h / 2 + BLAZEFACE_CENTER_SHIFT * size], size: size * BLAZEFACE_CROP_FACTOR };
}
