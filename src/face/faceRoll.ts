/**
 * How far a face is rolled (tilted in the image plane), from a detector's keypoints or from
 * predicted landmarks. Crops turned by this angle show the face upright, as the network was
 * trained to see it (rotation augmentation covers moderate tilts; a face lying on its side in
 * a photo without EXIF orientation is outside it). MediaPipe's face mesh turns its region of
 * interest likewise, by the angle of its eye keypoints.
 */

import { LANDMARKS_68 } from '../geometry/landmarks68.js';

/**
 * A face whose predicted landmarks show it rolled by more than this many degrees in its crop
 * is cropped again, turned upright; below it crops stay axis-aligned, as official PRNet's.
 * Chosen on held-out faces, not on the benchmark (`npm run bench -- uprightCrops`): on helen
 * photos turned 40–90° it does as well as 15° (60°: 5.73 → 3.92 % inner-51 NME; 90°:
 * 30.3 → 12.0 %), at 1.01× the network runs on upright photos against 1.06×; 15° also gains
 * 0.3 points on AFLW-21's tight crops, but re-runs a quarter of the faces of a roll-heavy
 * batch, which then misses the ≤ 20 ms per image of `prnet reconstruct` (21 against 19 ms).
 */
export const UPRIGHT_MIN_ROLL = 30;

/**
 * A detected face is cropped turned from the start when the detector's keypoints show it
 * rolled by more than this many degrees (or the upright threshold, if larger). A face lying on
 * its side gives the network nothing to read in an axis-aligned crop (30 % NME on helen photos
 * turned 90°, against 4 % upright), and the re-crop from the first run's landmarks cannot
 * always recover it; smaller rolls are left to those landmarks, which give a face's roll more
 * reliably than BlazeFace's six keypoints.
 *
 * Not chosen on validation alone, and said so: the held-out faces (`npm run bench --
 * uprightCrops`, its second tables) prefer 30° (helen photos turned 90°: 12.0 → 9.6 %;
 * AFLW-21: 6.97 → 6.92 %), but on the AFLW2000-3D fixtures BlazeFace's keypoints turn profile
 * faces' crops the wrong way (60–90° bin 7.52 → 9.31 % at 30°, 10.65 % at 15°), a failure no
 * held-out set here can show: none has profiles in whole photos (AFLW-21 is tight crops, helen
 * has one face past 45°). 45° is the conservative value: the fixtures score the same as
 * without upright crops, so it lifts no benchmark figure.
 */
export const UPRIGHT_MIN_DETECTED_ROLL = 45;

/**
 * The roll past which the detector's keypoints turn a crop, for an upright threshold of
 * `minRollDegrees`: never below {@link UPRIGHT_MIN_DETECTED_ROLL}.
 *
 * ```ts
 * detectedMinRoll(30);  // 45
 * detectedMinRoll(180); // 180: upright crops off
 * ```
 */
export function detectedMinRoll(minRollDegrees: number): number {
  return Math.max(minRollDegrees, UPRIGHT_MIN_DETECTED_ROLL);
}

/** Index ranges in the 68-point scheme: the two eyes (36–47) and the mouth (48–67). */
const EYES = LANDMARKS_68.eyes;
const MOUTH = LANDMARKS_68.mouth;

/**
 * The roll of a face from the line between the middle of its eyes and its mouth, radians in
 * (−π, π]: 0 when the mouth is straight below the eyes (image y points down), π/2 for a face
 * lying with its forehead to the image's right, π upside down. This line, unlike the line
 * between the eyes, keeps its direction when the face turns sideways: a profile's two eyes
 * nearly coincide in the image, and the angle between them is noise. `undefined` when the
 * points coincide or are not finite.
 *
 * ```ts
 * eyesMouthRoll([130, 120], [130, 180]); // 0
 * eyesMouthRoll([130, 180], [130, 120]); // π: upside down
 * ```
 */
export function eyesMouthRoll(eyes: readonly [number, number], mouth: readonly [number, number]): number | undefined {
  const dx = mouth[0] - eyes[0];
  const dy = mouth[1] - eyes[1];
  if (!Number.isFinite(dx) || !Number.isFinite(dy) || (dx === 0 && dy === 0)) return undefined;
  // (dx, dy) is the face's "down", which a roll r turns to (−sin r, cos r).
  return Math.atan2(-dx, dy);
}

/**
 * The roll of a detection from its keypoints in MediaPipe's order (right eye, left eye, nose
 * tip, mouth, …): {@link eyesMouthRoll} of the eyes' midpoint and the mouth.
 *
 * ```ts
 * const roll = detectionRoll(face.keypoints);
 * ```
 */
export function detectionRoll(keypoints: ReadonlyArray<readonly [number, number]> | undefined): number | undefined {
  if (!keypoints || keypoints.length < 4) return undefined;
  const [r, l, , m] = keypoints as [readonly [number, number], readonly [number, number], unknown, readonly [number, number]];
  return eyesMouthRoll([(r[0] + l[0]) / 2, (r[1] + l[1]) / 2], m);
}

/**
 * The roll of 68 landmarks (x, y[, z] with `stride` numbers per point): {@link eyesMouthRoll}
 * of the centre of the twelve eye points and the centre of the twenty mouth points.
 *
 * ```ts
 * const roll = landmarksRoll(face.landmarks, 3);
 * ```
 */
export function landmarksRoll(landmarks: ArrayLike<number>, stride = 3): number | undefined {
  if (landmarks.length < 68 * stride) return undefined;
  const centre = ([from, to]: readonly [number, number]): [number, number] => {
    let x = 0, y = 0;
    for (let k = from; k < to; k++) { x += landmarks[k * stride]!; y += landmarks[k * stride + 1]!; }
    return [x / (to - from), y / (to - from)];
  };
  return eyesMouthRoll(centre(EYES), centre(MOUTH));
}

/**
 * The rotation a crop takes for a face rolled by `roll` radians: the roll itself when it is
 * beyond `minRollDegrees` either way, else 0 (axis-aligned).
 *
 * ```ts
 * uprightRotation(Math.PI, 15); // π: an upside-down face is turned upright
 * uprightRotation(0.2, 15);     // 0: 11° is left to the network
 * ```
 */
export function uprightRotation(roll: number | undefined, minRollDegrees: number): number {
  if (roll === undefined || !Number.isFinite(roll)) return 0;
  return Math.abs(roll) * (180 / Math.PI) > minRollDegrees ? roll : 0;
}
