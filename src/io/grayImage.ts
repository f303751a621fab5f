/**
 * A decoded 8-bit single-channel image (depth maps, masks), row-major, no padding.
 * The grey counterpart of {@link RgbImage}.
 */
export interface GrayImage {
  width: number;
  height: number;
  /** `width · height` bytes, rows top to bottom. */
  data: Uint8Array;
  /** Discriminates from {@link RgbImage} for functions that take either. */
  channels: 1;
}

import type { RgbImage } from './rgbImage.js';

/**
 * Creates a {@link GrayImage}, checking that the buffer has the right length.
 *
 * ```ts
 * const mask = grayImage(256, 256); // all zero
 * ```
 */
export function grayImage(width: number, height: number, data?: Uint8Array): GrayImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`image size must be positive integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (data && data.length !== n) throw new Error(`grey image ${width}×${height} needs ${n} bytes, got ${data.length}`);
  return { width, height, data: data ?? new Uint8Array(n), channels: 1 };
}

/** Number of channels of an {@link RgbImage} or {@link GrayImage} (by buffer length, so plain RgbImage objects work). */
export function imageChannels(image: RgbImage | GrayImage): 1 | 3 {
  const n = image.width * image.height;
  if (image.data.length === n) return 1;
  if (image.data.length === 3 * n) return 3;
  throw new Error(`image ${image.width}×${image.height} has ${image.data.length} bytes: neither grey nor RGB`);
}
