/**
 * Browser-side pixel decoding: files, blobs, `<img>`, `<video>` frames and canvases go
 * through `createImageBitmap` and a 2D canvas into RGBA {@link DecodedPixels}.
 */
import type { DecodedPixels } from '../uv/uvMasks.js';
import { withDefaults } from '../io/withDefaults.js';

/** Anything the browser can draw: an encoded file, an element, or a bitmap. */
export type WebImageSource = Blob | ImageBitmap | HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | ImageData;

/** Options of {@link decodeImagePixels} and `decodeImage`. */
export interface DecodeWebImageOptions {
  /** Largest image accepted, in pixels (a guard against huge uploads). */
  maxPixels?: number;
  /** Name used in error messages. */
  name?: string;
}

export const DECODE_WEB_IMAGE_DEFAULTS = { maxPixels: 64e6, name: 'image' };

/** Width and height of a source, before decoding. */
function sourceSize(source: Exclude<WebImageSource, Blob>): [number, number] {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) return [source.videoWidth, source.videoHeight];
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) return [source.naturalWidth, source.naturalHeight];
  return [source.width, source.height];
}

/**
 * The pixels of an image source as RGBA {@link DecodedPixels}, decoded without colour-space
 * conversion or premultiplication so the bytes match the file (UV masks, photos).
 *
 * ```ts
 * const pixels = await decodeImagePixels(new Blob([pngBytes], { type: 'image/png' }));
 * ```
 */
export async function decodeImagePixels(source: WebImageSource, options: DecodeWebImageOptions = {}): Promise<DecodedPixels> {
  const { maxPixels, name } = withDefaults(DECODE_WEB_IMAGE_DEFAULTS, options);
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) {
    return { width: source.width, height: source.height, channels: 4, data: new Uint8Array(source.data.buffer, source.data.byteOffset, source.data.byteLength) };
  }
  let bitmap: ImageBitmap | undefined;
  let drawable: CanvasImageSource;
  let width: number, height: number;
  if (source instanceof Blob) {
    try {
      bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
    } catch (err) {
      throw new Error(`${name}: cannot decode (${source.type || 'unknown type'}): ${(err as Error).message}`);
    }
    drawable = bitmap;
    width = bitmap.width;
    height = bitmap.height;
  } else {
    drawable = source as CanvasImageSource;
    [width, height] = sourceSize(source);
  }
  try {
    if (!(width > 0 && height > 0)) throw new Error(`${name}: image has no pixels (${width}×${height})`);
    if (width * height > maxPixels) throw new Error(`${name}: ${width}×${height} is larger than the ${maxPixels}-pixel limit`);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error(`${name}: no 2D canvas available`);
    ctx.drawImage(drawable, 0, 0);
    const data = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
    return { width, height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } finally {
    bitmap?.close();
  }
}
