/**
 * Canvas pixels (`ImageData`: RGBA, 4 bytes per pixel) to the core's {@link RgbImage}.
 * Isomorphic and separate from the canvas code so it can be tested in Node.
 */
import type { RgbImage } from '../io/rgbImage.js';

/**
 * Drops the alpha channel of RGBA pixels. Canvas pixels are not premultiplied when read
 * back with `getImageData`, and photos are opaque, so RGB is copied as is.
 *
 * ```ts
 * const { data, width, height } = ctx.getImageData(0, 0, w, h);
 * const image = rgbFromRgba(data, width, height);
 * ```
 */
export function rgbFromRgba(rgba: ArrayLike<number>, width: number, height: number): RgbImage {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`image size must be positive integers, got ${width}×${height}`);
  }
  if (rgba.length !== 4 * n) throw new Error(`RGBA image ${width}×${height} needs ${4 * n} bytes, got ${rgba.length}`);
  const data = new Uint8Array(3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[3 * i] = rgba[j]!;
    data[3 * i + 1] = rgba[j + 1]!;
    data[3 * i + 2] = rgba[j + 2]!;
  }
  return { width, height, data };
}
