import type { RgbImage } from '../../src/io/rgbImage.js';

/** A `w × h` RGB picture whose channel `c` at (x, y) is `f(x, y, c)`, rounded and clamped to 0…255. */
export function picture(w: number, h: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(f(x, y, c))));
  return { width: w, height: h, data };
}
