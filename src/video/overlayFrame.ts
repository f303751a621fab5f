/**
 * The overlay video's frame: landmarks and the head-pose box of every tracked face drawn
 * on the video frame.
 */
import type { RgbImage } from '../io/rgbImage.js';
import { drawLandmarks } from '../render/drawLandmarks.js';
import { drawPoseBox } from '../render/drawPoseBox.js';
import type { TrackedFace } from './faceTracker.js';

/**
 * Draws each face's 68 landmarks (official `plot_kpt`) and, when it has a pose, the pose box
 * (official `plot_pose_box`) on a copy of `image`.
 *
 * ```ts
 * await encoder.write(overlayFrame(image, tracked.faces));
 * ```
 */
export function overlayFrame(image: RgbImage, faces: readonly Pick<TrackedFace, 'landmarks' | 'pose'>[]): RgbImage {
  let out: RgbImage = { width: image.width, height: image.height, data: image.data.slice() };
  for (const face of faces) {
    if (face.pose) out = drawPoseBox(out, face.pose.cameraMatrix, face.landmarks);
    out = drawLandmarks(out, face.landmarks);
  }
  return out;
}
