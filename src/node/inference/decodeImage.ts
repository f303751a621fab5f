import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { RgbImage } from '../../io/rgbImage.js';
import { withDefaults } from '../../io/withDefaults.js';
import { decodeBmp, isBmp } from '../../io/bmp.js';
import { decodePnm, isPnm } from '../../io/pnm.js';

/**
 * The most pixels libvips decodes (its `0x3FFF × 0x3FFF` limit, sharp's default
 * `limitInputPixels`): a larger `maxPixels` is refused, since such images would take
 * minutes and gigabytes only to fail inside the decoder.
 */
export const DECODE_MAX_PIXELS_LIMIT = 0x3fff * 0x3fff;

/** Options for {@link decodeImage}. */
export interface DecodeImageOptions {
  /** Largest accepted `width · height` (1 … {@link DECODE_MAX_PIXELS_LIMIT}); bigger images are refused before decoding (memory guard). */
  maxPixels?: number;
  /** What to call the limit in the refusal (the CLI says `--max-pixels`). */
  limitName?: string;
  /** Colour transparent pixels are composited over (black, as the network sees them; overlays use white). */
  background?: { r: number; g: number; b: number };
}

export const DECODE_IMAGE_DEFAULTS: Required<DecodeImageOptions> = {
  maxPixels: 50_000_000,
  limitName: 'maxPixels',
  background: { r: 0, g: 0, b: 0 },
};

/**
 * Decodes a photo (JPEG, PNG, WebP, or anything else libvips reads; BMP and Netpbm by
 * prnet's own decoders) into an 8-bit
 * {@link RgbImage}, the way a viewer shows it:
 * - the EXIF orientation is applied (a phone portrait comes out upright);
 * - greyscale becomes RGB, 16-bit becomes 8-bit, CMYK becomes sRGB;
 * - transparency is composited over black by default (PRNet has no notion of alpha, and
 *   black matches what the official `imread(...)[:, :, :3]` + zero padding shows), or over
 *   `background`;
 * - a truncated or corrupt file is an error, never a partly grey picture.
 *
 * Every failure is one line naming the file: missing, empty, not an image,
 * corrupt, or over `maxPixels`.
 *
 * ```ts
 * const photo = await decodeImage('face.jpg');          // from a path
 * const same = await decodeImage(await readFile('face.jpg')); // from bytes
 * ```
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage> {
  const { maxPixels, limitName, background } = withDefaults(DECODE_IMAGE_DEFAULTS, options);
  if (!Number.isInteger(maxPixels) || maxPixels < 1 || maxPixels > DECODE_MAX_PIXELS_LIMIT) {
    throw new Error(`${limitName} must be an integer from 1 to ${DECODE_MAX_PIXELS_LIMIT} (libvips' limit), got ${maxPixels}`);
  }
  const name = typeof input === 'string' ? input : `<${input.length} bytes>`;
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      const s = await stat(input);
      if (s.isDirectory()) throw new Error(`cannot read image ${input}: it is a directory`);
      bytes = await readFile(input);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new Error(`cannot read image ${input}: file not found`);
      if (err.code === 'EACCES') throw new Error(`cannot read image ${input}: permission denied`);
      if (err.message.startsWith('cannot read image')) throw err;
      throw new Error(`cannot read image ${input}: ${err.message}`);
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) throw new Error(`cannot decode image ${name}: the file is empty (0 bytes)`);
  // BMP and Netpbm, which libvips does not read: decoded here (no EXIF, no alpha to composite).
  const own = isBmp(bytes) ? decodeBmp : isPnm(bytes) ? decodePnm : undefined;
  if (own) {
    try {
      return own(bytes, { maxPixels });
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(`cannot decode image ${name}: ${msg}${/over the limit/.test(msg) ? ` (${limitName})` : ''}`);
    }
  }

  let width: number, height: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = meta.autoOrient?.width ?? meta.width ?? 0;
    height = meta.autoOrient?.height ?? meta.height ?? 0;
  } catch (e) {
    const msg = (e as Error).message;
    if (/unsupported image format/i.test(msg)) {
      throw new Error(`cannot decode image ${name}: not an image, or a format this build cannot read (JPEG, PNG, WebP, GIF, TIFF, AVIF, BMP, PPM/PGM/PBM are)`);
    }
    throw new Error(`cannot decode image ${name}: corrupt or truncated file (${oneLine(msg)})`);
  }
  if (!(width > 0 && height > 0)) throw new Error(`cannot decode image ${name}: it has no pixels (${width}×${height})`);
  if (width * height > maxPixels) {
    throw new Error(`cannot decode image ${name}: ${width}×${height} = ${width * height} pixels is over the limit of ${maxPixels} (${limitName})`);
  }

  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate() // apply EXIF orientation
      .flatten({ background })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`unexpected decoder output: ${info.channels} channels, ${data.length} bytes`);
    }
    // Copy out of Node's Buffer pool into a plain, exactly sized Uint8Array.
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
  } catch (e) {
    throw new Error(`cannot decode image ${name}: corrupt or truncated file (${oneLine((e as Error).message)})`);
  }
}

function oneLine(s: string): string {
  // libvips repeats its messages; keep each once.
  return [...new Set(s.split('\n').map((l) => l.trim()).filter(Boolean))].join('; ');
}
