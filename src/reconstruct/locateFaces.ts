/**
 * Step 1 of the pipeline: where the faces are — from a detector, a user box, or user
 * landmarks — as crops ready for the network.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { FaceDetector } from '../face/faceDetector.js';
import type { FaceCrop } from '../face/faceCrop.js';
import { cropFromBox } from '../face/cropFromBox.js';
import { cropFromLandmarks } from '../face/cropFromLandmarks.js';
import { cropFromDetection } from '../face/cropFromDetection.js';
import { pointsBox } from '../geometry/pointsBounds.js';

/** A face to reconstruct: its box, score and crop. */
export interface LocatedFace {
  /** `[x, y, w, h]` image pixels: the detector's or user's box, or the landmarks' bounding box. */
  box: [number, number, number, number];
  /** Detector score; 1 for user boxes and landmarks. */
  score: number;
  /** The square crop fed to the network. */
  crop: FaceCrop;
  /**
   * The crop came from a face detector (not a user box or landmarks, which are cropped as
   * given, axis-aligned, as the evaluation protocol does): only such crops are re-cropped upright.
   */
  fromDetector?: boolean;
}

/** Options of {@link locateFaces}: give one of `box`, `landmarks` or `detector`. */
export interface LocateFacesOptions {
  /** A user face box `[x, y, w, h]` (crop = box × 1.6); skips detection. */
  box?: readonly [number, number, number, number];
  /** User landmarks as x, y pairs (crop = their box × 1.6); skips detection. */
  landmarks?: ArrayLike<number>;
  /** Detector used when neither box nor landmarks are given. */
  detector?: FaceDetector;
  /** Keep at most this many detected faces (best first). */
  maxFaces?: number;
  /**
   * Detected faces rolled by more than this many degrees (their eye and mouth keypoints) get
   * crops turned upright; ≥ 180: never (default `UPRIGHT_MIN_DETECTED_ROLL`; the pipeline
   * passes `detectedMinRoll` of its own threshold).
   */
  uprightMinRoll?: number;
}

/**
 * The least fraction of a user box (or of the landmarks' box) that must lie inside the
 * image: a box mostly outside it crops mostly black padding, and the "face" found there
 * is meaningless. A face cut by the image border (up to 3/4 of its box outside) still runs.
 */
export const MIN_BOX_INSIDE_FRACTION = 0.25;

/** Refuses a user box that lies (almost) entirely outside the image. */
function checkInside(box: readonly number[], image: RgbImage, what: string): void {
  const [x, y, w, h] = box as [number, number, number, number];
  const iw = Math.max(0, Math.min(x + w, image.width) - Math.max(x, 0));
  const ih = Math.max(0, Math.min(y + h, image.height) - Math.max(y, 0));
  const inside = w > 0 && h > 0 ? (iw * ih) / (w * h) : 0;
  if (!(inside >= MIN_BOX_INSIDE_FRACTION)) {
    const f = (v: number) => String(Math.round(v * 100) / 100);
    // Capped at 99 %: "100 % outside" would read as "misses the image" for a box that holds it.
    const share = `${Math.min(99, Math.round((1 - inside) * 100))} %`;
    const holdsImage = iw === image.width && ih === image.height;
    throw new Error(`${what} [${box.map(f).join(', ')}] ${inside === 0 ? 'lies outside' : holdsImage ? `is far larger than` : `lies ${share} outside`} the ${image.width}×${image.height} image${holdsImage ? ` (${share} of it lies outside)` : ''}`);
  }
}

/**
 * Finds the faces to reconstruct in an image. A user box or landmarks whose box lies
 * mostly outside the image ({@link MIN_BOX_INSIDE_FRACTION}) are refused with an error. An empty array means the detector found none.
 *
 * ```ts
 * const faces = await locateFaces(image, { detector, maxFaces: 4 });
 * const one = await locateFaces(image, { box: [100, 80, 200, 200] });
 * ```
 */
export async function locateFaces(image: RgbImage, options: LocateFacesOptions): Promise<LocatedFace[]> {
  if (options.box && options.landmarks) throw new Error('give either a face box or landmarks, not both');
  if (options.box) {
    const box: [number, number, number, number] = [options.box[0], options.box[1], options.box[2], options.box[3]];
    checkInside(box, image, 'the face box');
    return [{ box, score: 1, crop: cropFromBox(box) }];
  }
  if (options.landmarks) {
    const crop = cropFromLandmarks(options.landmarks);
    const box = pointsBox(options.landmarks);
    // Points on a line have an empty box; judge them by the crop around them instead.
    checkInside(box[2] > 0 && box[3] > 0 ? box : [crop.center[0] - crop.size / 2, crop.center[1] - crop.size / 2, crop.size, crop.size], image, 'the landmarks\' box');
    return [{ box, score: 1, crop }];
  }
  if (!options.detector) throw new Error('no face detector, box or landmarks given');
  const detections = await options.detector.detect(image);
  const max = options.maxFaces ?? Infinity;
  return detections.slice(0, max).map((d) => ({ box: d.box, score: d.score, crop: cropFromDetection(d.box, d.keypoints, options.uprightMinRoll), fromDetector: true }));
}
