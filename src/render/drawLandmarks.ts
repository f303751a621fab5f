import type { RgbImage } from '../io/rgbImage.js';
import { drawLine, type Rgb } from './drawLine.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options for {@link drawLandmarks}. */
export interface DrawLandmarksOptions {
  /** Dot colour (official: red). */
  dotColor?: Rgb;
  /** Dot radius in pixels. */
  dotRadius?: number;
  /** Colour of the contour segments (official: white); `null` draws dots only. */
  lineColor?: Rgb | null;
  /** Segment width in pixels. */
  lineWidth?: number;
}

export const DRAW_LANDMARKS_DEFAULTS: Required<DrawLandmarksOptions> = {
  dotColor: [255, 0, 0],
  dotRadius: 2,
  lineColor: [255, 255, 255],
  lineWidth: 1,
};

/**
 * Last point of each 68-point contour (0-based): jaw 0–16, brows 17–21 and 22–26,
 * nose bridge 27–30, nostrils 31–35, eyes 36–41 and 42–47, lips 48–67. No segment
 * leaves these points (official `plot_kpt`'s `end_list`, which leaves eyes and lips open).
 */
export const LANDMARK_CONTOUR_ENDS: readonly number[] = [16, 21, 26, 30, 35, 41, 47, 67];

/**
 * Draws landmarks on a copy of the image (the official `plot_kpt`): a dot per
 * point and, for the 68-point layout, segments joining consecutive points of each
 * contour. Segments are drawn first so the dots stay on top.
 *
 * ```ts
 * const overlay = drawLandmarks(photo, landmarks); // landmarks: 68×3 (or 68×2)
 * ```
 *
 * @param landmarks row-major points, 2 or 3 numbers each (z is ignored).
 */
export function drawLandmarks(image: RgbImage, landmarks: ArrayLike<number>, options: DrawLandmarksOptions = {}): RgbImage {
  const { dotColor, dotRadius, lineColor, lineWidth } = withDefaults(DRAW_LANDMARKS_DEFAULTS, options);
  const stride = landmarks.length === 68 * 2 ? 2 : 3;
  if (landmarks.length % stride !== 0) throw new Error(`drawLandmarks: ${landmarks.length} values are not points of 2 or 3 coordinates`);
  const n = landmarks.length / stride;
  const out: RgbImage = { width: image.width, height: image.height, data: image.data.slice() };
  if (lineColor && n === 68) {
    for (let i = 0; i < n - 1; i++) {
      if (LANDMARK_CONTOUR_ENDS.includes(i)) continue;
      drawLine(out, landmarks[stride * i], landmarks[stride * i + 1], landmarks[stride * (i + 1)], landmarks[stride * (i + 1) + 1], lineColor, lineWidth);
    }
  }
  for (let i = 0; i < n; i++) {
    const x = landmarks[stride * i], y = landmarks[stride * i + 1];
    // A zero-length segment with width 2r is a disc of radius r.
    drawLine(out, x, y, x, y, dotColor, 2 * dotRadius);
  }
  return out;
}
