import type { RgbImage } from '../../src/io/rgbImage.js';

/** Options of {@link turnImage}. */
export interface TurnImageOptions {
  /** Canvas width (default: wide enough for the whole turned image). */
  width?: number;
  /** Canvas height (default: tall enough for the whole turned image). */
  height?: number;
  /** Grey level outside the turned image. */
  fill?: number;
}

/**
 * `image` turned by `degrees` (clockwise on screen, image y down) about its centre onto a
 * canvas whose centre it lands on, sampled bilinearly (naive loops), and the map that takes a
 * point of the image (pixel centres at integers) to the canvas.
 *
 * ```ts
 * const { image: side, map } = turnImage(photo, 90);
 * const [x, y] = map(120, 80);
 * ```
 */
export function turnImage(image: RgbImage, degrees: number, options: TurnImageOptions = {}): { image: RgbImage; map: (x: number, y: number) => [number, number] } {
  const r = (degrees * Math.PI) / 180, c = Math.cos(r), s = Math.sin(r);
  const W = options.width ?? Math.ceil(Math.abs(c) * image.width + Math.abs(s) * image.height);
  const H = options.height ?? Math.ceil(Math.abs(s) * image.width + Math.abs(c) * image.height);
  const cx = image.width / 2, cy = image.height / 2;
  const data = new Uint8Array(W * H * 3).fill(options.fill ?? 0);
  for (let Y = 0; Y < H; Y++) for (let X = 0; X < W; X++) {
    const dx = X - W / 2, dy = Y - H / 2;
    const x = c * dx + s * dy + cx, y = -s * dx + c * dy + cy;
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
    if (x0 < 0 || y0 < 0 || x0 + 1 >= image.width || y0 + 1 >= image.height) continue;
    for (let k = 0; k < 3; k++) {
      const p = (yy: number, xx: number) => image.data[(yy * image.width + xx) * 3 + k]!;
      data[(Y * W + X) * 3 + k] = Math.round((1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x0 + 1)) + fy * ((1 - fx) * p(y0 + 1, x0) + fx * p(y0 + 1, x0 + 1)));
    }
  }
  return { image: { width: W, height: H, data }, map: (x, y) => [c * (x - cx) - s * (y - cy) + W / 2, s * (x - cx) + c * (y - cy) + H / 2] };
}
