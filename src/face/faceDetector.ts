/**
 * The small interface every face detector implements (BlazeFace on tfjs in Node and the
 * browser today; anything else tomorrow). The reconstruction pipeline depends on this only.
 */
import type { RgbImage } from '../io/rgbImage.js';

/** One detected face, in pixels of the image given to {@link FaceDetector.detect}. */
export interface DetectedFace {
  /** Axis-aligned box `[x, y, width, height]`, top-left corner first, image pixels. */
  box: [number, number, number, number];
  /** Detector confidence in [0, 1]. */
  score: number;
  /**
   * Optional detector keypoints `[x, y]` in image pixels. BlazeFace gives 6, MediaPipe's order:
   * right eye, left eye, nose tip, mouth centre, right ear, left ear (the subject's right and left).
   */
  keypoints?: Array<[number, number]>;
}

/**
 * Finds faces in an image. Implementations return every face above their score threshold,
 * best first, at most their `maxFaces`.
 *
 * ```ts
 * const faces = await detector.detect(image);
 * for (const { box, score } of faces) console.log(box, score);
 * ```
 */
export interface FaceDetector {
  /** Detects faces; boxes are in pixels of `image`. */
  detect(image: RgbImage): Promise<DetectedFace[]>;
  /** Frees the detector's resources. */
  dispose(): void;
}
