/**
 * Draws the photo with its overlays on a 2D canvas: face box, the 68 landmarks (joined
 * along the usual contours) and the pose axes from the nose tip.
 */
import type { FaceResult } from '../src/reconstruct/faceResult.js';
import { LANDMARK_CONTOUR_ENDS } from '../src/render/drawLandmarks.js';
import { projectPerspective } from '../src/geometry/projectPerspective.js';
import { glassesStrips } from './glasses.js';

/** Colour of the AR glasses (the demo test looks for it). */
export const GLASSES_COLOR = '#ffc400';

/**
 * Draws `source` (the decoded photo or video frame) and each face's overlays.
 *
 * ```ts
 * drawOverlays(canvas, bitmap, faces);
 * ```
 */
export function drawOverlays(canvas: HTMLCanvasElement, source: CanvasImageSource, width: number, height: number, faces: readonly FaceResult[], options: { glasses?: boolean } = {}): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(source, 0, 0, width, height);
  const unit = Math.max(1, Math.max(width, height) / 500);
  for (const face of faces) {
    const [x, y, w, h] = face.box;
    ctx.lineWidth = 2 * unit;
    ctx.strokeStyle = '#39f';
    ctx.strokeRect(x, y, w, h);
    ctx.fillStyle = '#39f';
    ctx.font = `${Math.round(12 * unit)}px system-ui, sans-serif`;
    ctx.fillText(face.score.toFixed(2), x, y - 4 * unit);

    const lm = face.landmarks;
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.7)';
    ctx.lineWidth = unit;
    ctx.beginPath();
    let start = 0;
    for (const end of LANDMARK_CONTOUR_ENDS) {
      ctx.moveTo(lm[3 * start], lm[3 * start + 1]);
      for (let i = start + 1; i <= end; i++) ctx.lineTo(lm[3 * i], lm[3 * i + 1]);
      start = end + 1;
    }
    ctx.stroke();
    ctx.fillStyle = '#f33';
    for (let i = 0; i < lm.length / 3; i++) {
      ctx.beginPath();
      ctx.arc(lm[3 * i], lm[3 * i + 1], 2 * unit, 0, 2 * Math.PI);
      ctx.fill();
    }

    if (options.glasses && face.camera) {
      // AR: glasses modelled in metres, placed by the face's perspective pose.
      ctx.strokeStyle = GLASSES_COLOR;
      ctx.lineWidth = 3 * unit;
      ctx.lineJoin = 'round';
      for (const strip of glassesStrips()) {
        const px = projectPerspective(strip, face.camera, width, height);
        ctx.beginPath();
        for (let i = 0; i < px.length; i += 2) (i ? ctx.lineTo : ctx.moveTo).call(ctx, px[i]!, px[i + 1]!);
        ctx.stroke();
      }
    }
    if (face.pose) {
      // Rotation columns are the canonical axes in the image frame; x and y are already image directions.
      const r = face.pose.rotation;
      const ox = lm[30 * 3], oy = lm[30 * 3 + 1];
      const len = 0.5 * Math.max(w, h);
      ['#f44', '#4f4', '#48f'].forEach((color, k) => {
        ctx.strokeStyle = color;
        ctx.lineWidth = 3 * unit;
        ctx.beginPath();
        ctx.moveTo(ox, oy);
        ctx.lineTo(ox + len * r[k], oy + len * r[3 + k]);
        ctx.stroke();
      });
    }
  }
}
