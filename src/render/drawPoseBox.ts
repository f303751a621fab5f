import type { RgbImage } from '../io/rgbImage.js';
import { drawLine, type Rgb } from './drawLine.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options for {@link drawPoseBox}. */
export interface DrawPoseBoxOptions {
  /** Line colour (official: green). */
  color?: Rgb;
  /** Line width in pixels. */
  lineWidth?: number;
}

export const DRAW_POSE_BOX_DEFAULTS: Required<DrawPoseBoxOptions> = {
  color: [0, 255, 0],
  lineWidth: 2,
};

/**
 * The official `plot_pose_box` frustum, in canonical-face units: a rear square of
 * half-side 90 at depth 0 and a front square of half-side 105 at depth 110
 * (toward the viewer), corners in drawing order.
 */
export const POSE_BOX_CORNERS: readonly (readonly [number, number, number])[] = [
  [-90, -90, 0], [-90, 90, 0], [90, 90, 0], [90, -90, 0],
  [-105, -105, 110], [-105, 105, 110], [105, 105, 110], [105, -105, 110],
];

/**
 * Draws the head-pose box on a copy of the image (the official `plot_pose_box`):
 * the box corners are projected with the affine camera (x, y rows of `P·[X; 1]`),
 * then shifted so the rear square's centre sits on the mean of landmarks 0–26
 * (jaw and brows), as the official code does.
 *
 * ```ts
 * const { cameraMatrix } = estimatePose(vertices, uv.canonicalVertices);
 * const overlay = drawPoseBox(photo, cameraMatrix, landmarks);
 * ```
 *
 * @param cameraMatrix 3×4 row-major, canonical face → image (`estimatePose`).
 * @param landmarks 68 points, 2 or 3 numbers each.
 */
export function drawPoseBox(image: RgbImage, cameraMatrix: ArrayLike<number>, landmarks: ArrayLike<number>, options: DrawPoseBoxOptions = {}): RgbImage {
  const { color, lineWidth } = withDefaults(DRAW_POSE_BOX_DEFAULTS, options);
  if (cameraMatrix.length !== 12) throw new Error(`drawPoseBox: camera matrix has ${cameraMatrix.length} values, expected 3×4`);
  const stride = landmarks.length === 68 * 2 ? 2 : 3;
  if (landmarks.length !== 68 * stride) throw new Error(`drawPoseBox: expected 68 landmarks, got ${landmarks.length} values`);
  const P = cameraMatrix;
  const pts = POSE_BOX_CORNERS.map(([X, Y, Z]) => [
    P[0] * X + P[1] * Y + P[2] * Z + P[3],
    P[4] * X + P[5] * Y + P[6] * Z + P[7],
  ]);
  let rx = 0, ry = 0, kx = 0, ky = 0;
  for (let i = 0; i < 4; i++) { rx += pts[i][0] / 4; ry += pts[i][1] / 4; }
  for (let i = 0; i < 27; i++) { kx += landmarks[stride * i] / 27; ky += landmarks[stride * i + 1] / 27; }
  for (const p of pts) { p[0] += kx - rx; p[1] += ky - ry; }
  const out: RgbImage = { width: image.width, height: image.height, data: image.data.slice() };
  const edges = [[0, 1], [1, 2], [2, 3], [3, 0], [4, 5], [5, 6], [6, 7], [7, 4], [0, 4], [1, 5], [2, 6], [3, 7]];
  for (const [a, b] of edges) drawLine(out, pts[a][0], pts[a][1], pts[b][0], pts[b][1], color, lineWidth);
  return out;
}
