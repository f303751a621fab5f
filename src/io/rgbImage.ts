/**
 * A decoded 8-bit RGB image, row-major, 3 interleaved channels, no padding.
 * The one pixel type the isomorphic core works on; decoders (sharp in Node,
 * canvas in the browser) convert whatever they read into it.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** `width · height · 3` bytes, R G B per pixel, rows top to bottom. */
  data: Uint8Array;
}

/**
 * Creates an {@link RgbImage}, checking that the buffer has the right length.
 *
 * ```ts
 * const img = rgbImage(2, 1, new Uint8Array([255, 0, 0, 0, 0, 255]));
 * ```
 */
export function rgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`image size must be positive integers, got ${width}×${height}`);
  }
  const n = width * height * 3;
  if (data && data.length !== n) throw new Error(`RGB image ${width}×${height} needs ${n} bytes, got ${data.length}`);
  return { width, height, data: data ?? new Uint8Array(n) };
}
