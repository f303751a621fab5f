import { DRAW_LANDMARKS_DEFAULTS } from './drawLandmarks.js';
import { DRAW_POSE_BOX_DEFAULTS } from './drawPoseBox.js';

/**
 * Face-box side (pixels) at which the official stroke sizes (dots of radius 2, 1-pixel
 * contours, 2-pixel pose box) are used: the official demo's faces are about this big.
 * Larger faces get proportionally thicker strokes, so a face of 2,000 pixels in a large
 * photo is drawn as legibly as one of 200; smaller faces keep the official sizes.
 */
export const OVERLAY_REFERENCE_FACE_SIZE = 200;

/** Stroke sizes for one face's overlay. */
export interface OverlayStrokes {
  /** Landmark dot radius (pixels). */
  dotRadius: number;
  /** Landmark contour width (pixels). */
  lineWidth: number;
  /** Pose box line width (pixels). */
  poseLineWidth: number;
}

/**
 * Stroke sizes for a face whose box side is `faceSize` pixels (the larger of its width and height).
 *
 * ```ts
 * const s = overlayStrokes(Math.max(face.box[2], face.box[3]));
 * drawLandmarks(image, face.landmarks, { dotRadius: s.dotRadius, lineWidth: s.lineWidth });
 * ```
 */
export function overlayStrokes(faceSize: number): OverlayStrokes {
  const scale = Number.isFinite(faceSize) ? Math.max(1, faceSize / OVERLAY_REFERENCE_FACE_SIZE) : 1;
  return {
    dotRadius: DRAW_LANDMARKS_DEFAULTS.dotRadius * scale,
    lineWidth: DRAW_LANDMARKS_DEFAULTS.lineWidth * scale,
    poseLineWidth: DRAW_POSE_BOX_DEFAULTS.lineWidth * scale,
  };
}
