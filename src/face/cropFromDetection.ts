import type { FaceCrop } from './faceCrop.js';
import { detectionRoll, UPRIGHT_MIN_DETECTED_ROLL, uprightRotation } from './faceRoll.js';

/**
 * Vertical shift of the crop centre below the BlazeFace box centre, as a fraction of the
 * box size ((width + height) / 2). Fitted on training faces, not the benchmark
 * (`PRNET_BENCH_CALIBRATE_ON=helen npm run bench -- calibrateDetector`): least squares over
 * 600 photos of helen-afw68's training split so that detector crops match 1.6 × the box of
 * their teacher-fitted 68 landmarks; fitted 0.0672 (horizontal −0.0036, fixed at 0 by
 * symmetry). Residual centre error 3.1 % of the crop side rms (5.5 % without calibration).
 * The 31 AFLW2000-3D fixtures, which once chose 0.052, now only report.
 */
export const BLAZEFACE_CENTER_SHIFT = 0.067;

/**
 * Crop side over BlazeFace box size ((width + height) / 2), fitted with
 * {@link BLAZEFACE_CENTER_SHIFT} on the same training faces: 1.486 (residual size error
 * 5.5 % rms, 9.4 % with the uncalibrated 1.6; the rest is pose: profile faces have narrower
 * boxes).
 */
export const BLAZEFACE_CROP_FACTOR = 1.486;

/**
 * The crop for a face found by BlazeFace: what the 68-landmark box × 1.6 would give,
 * predicted from the detector's box with the calibrated shift and factor (the role dlib's
 * 0.14 / 1.58 play in the official code). With the detector's keypoints (right eye, left eye,
 * nose, mouth, …) and a face rolled by more than `minRollDegrees` (`detectionRoll`), the crop
 * turns with it so the face is upright in it, and the centre shift follows the face's own "down".
 *
 * ```ts
 * const [face] = await detector.detect(image);
 * const crop = cropFromDetection(face.box, face.keypoints);
 * ```
 */
export function cropFromDetection(box: readonly [number, number, number, number], keypoints?: ReadonlyArray<readonly [number, number]>, minRollDegrees = UPRIGHT_MIN_DETECTED_ROLL): FaceCrop {
  const [x, y, w, h] = box;
  if (![x, y, w, h].every(Number.isFinite) || !(w > 0) || !(h > 0)) throw new Error(`detector box must have positive size, got ${box.join(',')}`);
  const size = (w + h) / 2;
  const rotation = uprightRotation(detectionRoll(keypoints), minRollDegrees);
  // The shift runs along the face's "down", the image's (0, 1) turned by the roll: (−sin r, cos r).
  const shift = BLAZEFACE_CENTER_SHIFT * size;
  const crop: FaceCrop = { center: [x + w / 2 - Math.sin(rotation) * shift, y + h / 2 + Math.cos(rotation) * shift], size: size * BLAZEFACE_CROP_FACTOR };
  if (rotation !== 0) crop.rotation = rotation;
  return crop;
}
