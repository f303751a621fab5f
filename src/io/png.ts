import type { RgbImage } from './rgbImage.js';
import { imageChannels, type GrayImage } from './grayImage.js';

/**
 * Encodes an 8-bit RGB or grey image as PNG without Node: zlib through the
 * standard `CompressionStream('deflate')` (browsers and Node ≥ 18), rows filtered
 * with PNG's "Up" filter (cheap, and good on smooth textures and depth maps).
 * Used where sharp is absent: the browser demo and GLB textures.
 *
 * ```ts
 * const png = await encodePng(texture); // Uint8Array, a complete .png file
 * ```
 */
export async function encodePng(image: RgbImage | GrayImage): Promise<Uint8Array> {
  const { width, height, data } = image;
  const channels = imageChannels(image);
  const stride = width * channels;
  // Filtered scanlines: one filter-type byte, then the row.
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    const row = y * stride;
    if (y === 0) {
      raw[o] = 0; // None
      raw.set(data.subarray(0, stride), o + 1);
    } else {
      raw[o] = 2; // Up
      for (let i = 0; i < stride; i++) raw[o + 1 + i] = (data[row + i] - data[row - stride + i]) & 0xff;
    }
  }
  const zlib = await deflate(raw);

  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 3 ? 2 : 0; // colour type: truecolour or greyscale
  // compression, filter, interlace: 0
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', zlib), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(signature, 0);
  let o = 8;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

let CRC_TABLE: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
