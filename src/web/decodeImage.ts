/**
 * Browser-side image decoding into the core's {@link RgbImage}: files, blobs, `<img>`,
 * `<video>` frames and canvases go through `createImageBitmap` and a 2D canvas.
 */
import type { RgbImage } from '../io/rgbImage.js';
import { rgbFromRgba } from './rgbFromRgba.js';
import { decodeImagePixels, type DecodeWebImageOptions, type WebImageSource } from './decodeImagePixels.js';

export type { WebImageSource, DecodeWebImageOptions } from './decodeImagePixels.js';

/**
 * Decodes a photo file, an `<img>`, a webcam `<video>` frame or a canvas into an
 * {@link RgbImage} for the pipeline.
 *
 * ```ts
 * const image = await decodeImage(fileInput.files[0]);
 * const frame = await decodeImage(videoElement);
 * ```
 */
export async function decodeImage(source: WebImageSource, options: DecodeWebImageOptions = {}): Promise<RgbImage> {
  const p = await decodeImagePixels(source, options);
  return rgbFromRgba(p.data, p.width, p.height);
}
