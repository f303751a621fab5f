/**
 * Netpbm pictures (`.pbm`, `.pgm`, `.ppm`, `.pnm`: P1–P6) to an {@link RgbImage}: the
 * format of many research datasets and of image tools' raw output, which libvips (so sharp)
 * does not read. Isomorphic.
 */
import type { RgbImage } from './rgbImage.js';

/** Options of {@link decodePnm}. */
export interface DecodePnmOptions {
  /** Largest `width · height` accepted, checked from the header before any pixel is read. */
  maxPixels?: number;
}

/** True when the bytes start like a Netpbm file (`P1` … `P6` and whitespace). */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x50 && bytes[1]! >= 0x31 && bytes[1]! <= 0x36 && /\s/.test(String.fromCharCode(bytes[2]!));
}

/**
 * Decodes a Netpbm file (its first picture) into 8-bit RGB: bitmaps (1 = black) and grey
 * maps become grey RGB, and samples are scaled from `maxval` to 0–255 (16-bit samples,
 * big-endian as the format says, too). Throws one line saying what is wrong.
 *
 * ```ts
 * const image = decodePnm(new Uint8Array(await readFile('face.ppm')));
 * ```
 */
export function decodePnm(bytes: Uint8Array, options: DecodePnmOptions = {}): RgbImage {
  if (!isPnm(bytes)) throw new Error('not a Netpbm file (no P1–P6 signature)');
  const kind = bytes[1]! - 0x30;
  let pos = 2;
  /** The next header number, skipping whitespace and `#` comments. */
  const headerNumber = (what: string): number => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
      if (bytes[pos] !== 0x23) break;
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos]! >= 0x30 && bytes[pos]! <= 0x39) pos++;
    if (pos === start) throw new Error(`corrupt Netpbm header: no ${what}`);
    return Number(String.fromCharCode(...bytes.subarray(start, pos)));
  };
  const width = headerNumber('width');
  const height = headerNumber('height');
  const maxval = kind === 1 || kind === 4 ? 1 : headerNumber('maximum value');
  if (!(width > 0 && height > 0)) throw new Error(`Netpbm file has no pixels (${width}×${height})`);
  if (!(maxval >= 1 && maxval <= 65535)) throw new Error(`corrupt Netpbm header: maximum value ${maxval} is outside 1–65535`);
  if (options.maxPixels !== undefined && width * height > options.maxPixels) {
    throw new Error(`${width}×${height} = ${width * height} pixels is over the limit of ${options.maxPixels}`);
  }
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const n = width * height * channels;
  const samples = new Uint16Array(n);
  if (kind <= 3) {
    // Plain (ASCII) samples; P1 digits need no separators.
    for (let i = 0; i < n; i++) {
      if (kind === 1) {
        while (pos < bytes.length && bytes[pos] !== 0x30 && bytes[pos] !== 0x31) {
          if (bytes[pos] === 0x23) while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
          else pos++;
        }
        if (pos >= bytes.length) throw new Error(`truncated Netpbm file: ${i} of ${n} samples`);
        samples[i] = bytes[pos++]! - 0x30;
      } else {
        if (pos >= bytes.length) throw new Error(`truncated Netpbm file: ${i} of ${n} samples`);
        samples[i] = Math.min(maxval, headerNumber(`sample ${i}`));
      }
    }
  } else {
    // Raw samples start after exactly one whitespace byte.
    pos++;
    if (kind === 4) {
      const rowBytes = Math.ceil(width / 8);
      if (pos + rowBytes * height > bytes.length) throw new Error(`truncated Netpbm file: the bitmap needs ${pos + rowBytes * height} bytes, the file has ${bytes.length}`);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples[y * width + x] = (bytes[pos + y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
    } else {
      const size = maxval > 255 ? 2 : 1;
      if (pos + n * size > bytes.length) throw new Error(`truncated Netpbm file: the pixels need ${pos + n * size} bytes, the file has ${bytes.length}`);
      for (let i = 0; i < n; i++) samples[i] = Math.min(maxval, size === 2 ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!);
    }
  }
  const out = new Uint8Array(width * height * 3);
  // Bitmaps: 1 is black.
  const level = (v: number): number => (kind === 1 || kind === 4 ? (v ? 0 : 255) : Math.round((v * 255) / maxval));
  for (let p = 0; p < width * height; p++) {
    if (channels === 3) {
      out[3 * p] = level(samples[3 * p]!); out[3 * p + 1] = level(samples[3 * p + 1]!); out[3 * p + 2] = level(samples[3 * p + 2]!);
    } else {
      out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = level(samples[p]!);
    }
  }
  return { width, height, data: out };
}
