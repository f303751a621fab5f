import type { RgbImage } from '../io/rgbImage.js';

/** An RGB colour, 0…255 per channel. */
export type Rgb = readonly [number, number, number];

/**
 * Draws a segment IN PLACE: every pixel whose centre lies within `width / 2` of
 * the segment (at least 0.5, so a 1-pixel line has no gaps) takes `color`.
 * Clipped to the image; non-finite endpoints draw nothing.
 *
 * ```ts
 * drawLine(overlay, 10, 10, 80, 40, [255, 255, 255], 1);
 * ```
 */
export function drawLine(image: RgbImage, x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1): void {
  if (![x0, y0, x1, y1, width].every(Number.isFinite)) return;
  const r = Math.max(0.5, width / 2);
  const r2 = r * r + 1e-9; // tolerance: a pixel exactly at distance r is drawn
  const { width: w, height: h, data } = image;
  const xa = Math.max(0, Math.ceil(Math.min(x0, x1) - r)), xb = Math.min(w - 1, Math.floor(Math.max(x0, x1) + r));
  const ya = Math.max(0, Math.ceil(Math.min(y0, y1) - r)), yb = Math.min(h - 1, Math.floor(Math.max(y0, y1) + r));
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      // Distance from the pixel centre to the closest point of the segment.
      let t = len2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = x0 + t * dx - x, ey = y0 + t * dy - y;
      if (ex * ex + ey * ey <= r2) {
        const p = 3 * (y * w + x);
        data[p] = color[0];
        data[p + 1] = color[1];
        data[p + 2] = color[2];
      }
    }
  }
}
