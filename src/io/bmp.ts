/**
 * Windows bitmaps (`.bmp`) to an {@link RgbImage}. libvips, and so sharp, reads no BMP, and
 * the npm decoders measured (fast-bmp 4) return palette indices for 8-bit files and refuse
 * 16-bit and bit-field 32-bit ones, which are what ffmpeg and Windows tools write. Isomorphic.
 *
 * Covered: the core (OS/2 1.x), 40-byte and V2–V5 headers; 1, 2, 4 and 8 bits through a
 * palette; 16 and 32 bits as BI_RGB (5-5-5, x-8-8-8) or BI_BITFIELDS / BI_ALPHABITFIELDS with
 * any contiguous masks; 24 bits; bottom-up and top-down rows. Alpha is dropped (viewers show
 * most 32-bit BMPs opaque whatever their fourth byte holds). RLE-compressed and embedded
 * JPEG/PNG bitmaps are refused with the reason.
 */
import type { RgbImage } from './rgbImage.js';

/** `BI_*` compression values. */
const BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_JPEG = 4, BI_PNG = 5, BI_ALPHABITFIELDS = 6;

/** Options of {@link decodeBmp}. */
export interface DecodeBmpOptions {
  /** Largest `width · height` accepted, checked from the header before any pixel is read. */
  maxPixels?: number;
}

/** True when the bytes start like a BMP file (`BM` and a plausible header size). */
export function isBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 18 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) return false;
  const headerSize = bytes[14]! | (bytes[15]! << 8) | (bytes[16]! << 16) | (bytes[17]! << 24);
  return [12, 16, 40, 52, 56, 64, 108, 124].includes(headerSize);
}

/** Shift and width of a contiguous bit mask (0 width for an empty mask). */
function maskShape(mask: number): { shift: number; bits: number } {
  if (mask === 0) return { shift: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  return { shift, bits };
}

/**
 * Decodes a BMP file into 8-bit RGB, rows top to bottom. Throws one line saying what is
 * wrong or unsupported.
 *
 * ```ts
 * const image = decodeBmp(new Uint8Array(await readFile('scan.bmp')));
 * ```
 */
export function decodeBmp(bytes: Uint8Array, options: DecodeBmpOptions = {}): RgbImage {
  if (!isBmp(bytes)) throw new Error('not a BMP file (no "BM" signature and bitmap header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number, what: string): void => {
    if (end > bytes.length) throw new Error(`truncated BMP file: ${what} needs ${end} bytes, the file has ${bytes.length}`);
  };
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  need(14 + headerSize, 'the bitmap header');
  const core = headerSize === 12;
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true);
  const bitCount = view.getUint16(core ? 24 : 28, true);
  const compression = core ? BI_RGB : view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (!(width > 0 && height > 0)) throw new Error(`BMP file has no pixels (${width}×${rawHeight})`);
  if (options.maxPixels !== undefined && width * height > options.maxPixels) {
    throw new Error(`${width}×${height} = ${width * height} pixels is over the limit of ${options.maxPixels}`);
  }
  if (compression === BI_RLE8 || compression === BI_RLE4) throw new Error('run-length-encoded BMP (RLE4/RLE8) is not supported: save it uncompressed');
  if (compression === BI_JPEG || compression === BI_PNG) throw new Error('a BMP wrapping a JPEG or PNG is not supported: save the JPEG or PNG itself');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) throw new Error(`BMP compression ${compression} is not supported`);
  if (![1, 2, 4, 8, 16, 24, 32].includes(bitCount)) throw new Error(`BMP with ${bitCount} bits per pixel is not supported`);

  // Palette: after the header (and after the three masks a 40-byte BI_BITFIELDS header carries).
  let palette: Uint8Array | undefined;
  if (bitCount <= 8) {
    const entrySize = core ? 3 : 4;
    const used = core ? 0 : view.getUint32(46, true);
    const count = used > 0 && used <= 1 << bitCount ? used : 1 << bitCount;
    const start = 14 + headerSize;
    // A palette cut short by the pixel offset holds what fits (some writers trim it).
    const fits = Math.max(0, Math.min(count, Math.floor(((pixelOffset > start ? pixelOffset : bytes.length) - start) / entrySize)));
    need(start + fits * entrySize, 'the palette');
    palette = new Uint8Array(3 << bitCount); // indices past the palette read black
    for (let i = 0; i < fits; i++) {
      const p = start + i * entrySize;
      palette[3 * i] = bytes[p + 2]!;
      palette[3 * i + 1] = bytes[p + 1]!;
      palette[3 * i + 2] = bytes[p]!;
    }
  }

  // Channel masks for 16 and 32 bits: the defaults of BI_RGB, or the header's (or the three
  // DWORDs after a 40-byte header).
  let masks = bitCount === 16 ? [0x7c00, 0x03e0, 0x001f] : [0x00ff0000, 0x0000ff00, 0x000000ff];
  if ((bitCount === 16 || bitCount === 32) && compression !== BI_RGB) {
    const at = 54;
    need(at + 12, 'the colour masks');
    masks = [view.getUint32(at, true), view.getUint32(at + 4, true), view.getUint32(at + 8, true)];
  }
  const shapes = masks.map(maskShape);
  // Rows are padded to 4 bytes.
  const stride = Math.ceil((width * bitCount) / 32) * 4;
  need(pixelOffset + stride * (height - 1) + Math.ceil((width * bitCount) / 8), 'the pixels');
  const out = new Uint8Array(width * height * 3);
  /** Scales an n-bit channel value to 0–255. */
  const scale = (v: number, bits: number): number => (bits === 0 ? 0 : bits >= 8 ? v >>> (bits - 8) : Math.round((v * 255) / ((1 << bits) - 1)));
  for (let row = 0; row < height; row++) {
    const src = pixelOffset + (topDown ? row : height - 1 - row) * stride;
    let o = row * width * 3;
    if (bitCount === 24) {
      for (let x = 0; x < width; x++, o += 3) {
        const p = src + 3 * x;
        out[o] = bytes[p + 2]!; out[o + 1] = bytes[p + 1]!; out[o + 2] = bytes[p]!;
      }
    } else if (bitCount <= 8) {
      const perByte = 8 / bitCount, valueMask = (1 << bitCount) - 1;
      for (let x = 0; x < width; x++, o += 3) {
        const byte = bytes[src + Math.floor(x / perByte)]!;
        const index = (byte >>> (8 - bitCount * (1 + (x % perByte)))) & valueMask;
        out[o] = palette![3 * index]!; out[o + 1] = palette![3 * index + 1]!; out[o + 2] = palette![3 * index + 2]!;
      }
    } else {
      for (let x = 0; x < width; x++, o += 3) {
        const v = bitCount === 16 ? view.getUint16(src + 2 * x, true) : view.getUint32(src + 4 * x, true);
        for (let c = 0; c < 3; c++) out[o + c] = scale((v & masks[c]!) >>> shapes[c]!.shift, shapes[c]!.bits);
      }
    }
  }
  return { width, height, data: out };
}
