/**
 * BMP and Netpbm decoding: files written here byte by byte from a random picture (every
 * header, depth, mask and row order), and files ffmpeg writes, against ffmpeg's own decoding.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeBmp, isBmp } from '../../src/io/bmp.js';
import { decodePnm, isPnm } from '../../src/io/pnm.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { rng } from '../geometry/reference.js';

const r = rng(41);
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo4.jpg', import.meta.url));
const hasFfmpeg = !spawnSync('ffmpeg', ['-version']).error;

/** A random w×h RGB picture. */
const picture = (w: number, h: number) => Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256));

interface BmpSpec {
  headerSize: 12 | 40 | 108 | 124;
  bitCount: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** BI_BITFIELDS masks (16 and 32 bits). */
  masks?: [number, number, number];
}

/**
 * Writes a BMP naively, pixel by pixel: palette depths take indices (`values[p]`), the others
 * RGB (`values[3p…]`) packed by the masks or as BGR.
 */
function encodeBmp(w: number, h: number, values: Uint8Array, palette: Uint8Array | undefined, spec: BmpSpec): Uint8Array {
  const { headerSize, bitCount } = spec;
  const core = headerSize === 12;
  const masks = spec.masks;
  const paletteBytes = palette ? (palette.length / 3) * (core ? 3 : 4) : 0;
  const maskBytes = masks && headerSize === 40 ? 12 : 0;
  const stride = Math.ceil((w * bitCount) / 32) * 4;
  const offset = 14 + headerSize + maskBytes + paletteBytes;
  const out = new Uint8Array(offset + stride * h);
  const v = new DataView(out.buffer);
  out[0] = 0x42; out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, headerSize, true);
  if (core) {
    v.setUint16(18, w, true); v.setInt16(20, h, true); v.setUint16(22, 1, true); v.setUint16(24, bitCount, true);
  } else {
    v.setInt32(18, w, true); v.setInt32(22, spec.topDown ? -h : h, true); v.setUint16(26, 1, true); v.setUint16(28, bitCount, true);
    v.setUint32(30, masks ? 3 : 0, true);
    if (palette) v.setUint32(46, palette.length / 3, true);
    if (masks) masks.forEach((m, i) => v.setUint32(54 + 4 * i, m, true)); // in the V4/V5 header, or the DWORDs after a 40-byte one
  }
  let p = 14 + headerSize + maskBytes;
  for (let i = 0; palette && i < palette.length / 3; i++, p += core ? 3 : 4) { out[p] = palette[3 * i + 2]!; out[p + 1] = palette[3 * i + 1]!; out[p + 2] = palette[3 * i]!; }
  for (let y = 0; y < h; y++) {
    const row = offset + (spec.topDown ? y : h - 1 - y) * stride;
    for (let x = 0; x < w; x++) {
      if (bitCount <= 8) {
        const bit = x * bitCount;
        out[row + (bit >> 3)]! |= values[y * w + x]! << (8 - bitCount - (bit & 7));
      } else if (bitCount === 24) {
        const q = 3 * (y * w + x);
        out[row + 3 * x] = values[q + 2]!; out[row + 3 * x + 1] = values[q + 1]!; out[row + 3 * x + 2] = values[q]!;
      } else {
        const m = masks ?? (bitCount === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0xff00, 0xff]);
        let word = 0;
        for (let c = 0; c < 3; c++) {
          let shift = 0;
          while (((m[c]! >>> shift) & 1) === 0) shift++;
          const bits = Math.round(Math.log2((m[c]! >>> shift) + 1));
          word += Math.round((values[3 * (y * w + x) + c]! * ((1 << bits) - 1)) / 255) * 2 ** shift;
        }
        if (bitCount === 16) v.setUint16(row + 2 * x, word, true);
        else v.setUint32(row + 4 * x, word >>> 0, true);
      }
    }
  }
  return out;
}

test('decodeBmp: every header size, depth, mask layout and row order of hand-written files', () => {
  const w = 13, h = 7; // odd widths: rows padded to 4 bytes
  for (const headerSize of [12, 40, 108, 124] as const) {
    for (const bitCount of [1, 4, 8] as const) {
      const colours = 1 << bitCount;
      const palette = picture(colours, 1);
      const indices = Uint8Array.from({ length: w * h }, () => Math.floor(r() * colours));
      for (const topDown of headerSize === 12 ? [false] : [false, true]) {
        const img = decodeBmp(encodeBmp(w, h, indices, palette, { headerSize, bitCount, topDown }));
        assert.deepEqual([img.width, img.height], [w, h]);
        for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) assert.equal(img.data[3 * p + c], palette[3 * indices[p]! + c], `${headerSize}/${bitCount}/${topDown} pixel ${p}`);
      }
    }
    if (headerSize === 12) continue;
    const rgb = picture(w, h);
    for (const [bitCount, masks, levels] of [[24, undefined, 8], [32, undefined, 8], [16, undefined, 5], [16, [0xf800, 0x07e0, 0x001f], 5], [32, [0x000000ff, 0x0000ff00, 0x00ff0000], 8], [32, [0x3ff00000, 0x000ffc00, 0x000003ff], 8]] as const) {
      for (const topDown of [false, true]) {
        const spec: BmpSpec = { headerSize, bitCount, topDown, ...(masks ? { masks: [...masks] as [number, number, number] } : {}) };
        const img = decodeBmp(encodeBmp(w, h, rgb, undefined, spec));
        // n-bit channels hold the picture to within half a step of n bits (10-bit channels: to the byte).
        const tolerance = levels >= 8 ? 0 : Math.ceil(255 / ((1 << levels) - 1) / 2) + 1;
        let worst = 0;
        for (let i = 0; i < rgb.length; i++) worst = Math.max(worst, Math.abs(img.data[i]! - rgb[i]!));
        assert.ok(worst <= tolerance, `${headerSize}/${bitCount}/${masks ?? 'default'}/${topDown}: off by ${worst}`);
      }
    }
  }
});

test('decodeBmp refuses what it cannot read, with the reason', () => {
  const good = encodeBmp(5, 4, picture(5, 4), undefined, { headerSize: 40, bitCount: 24 });
  assert.ok(isBmp(good));
  assert.ok(!isBmp(new TextEncoder().encode('BM hello, not a bitmap')));
  assert.throws(() => decodeBmp(good.subarray(0, good.length - 10)), /truncated BMP file: the pixels need/);
  assert.throws(() => decodeBmp(good, { maxPixels: 19 }), /5×4 = 20 pixels is over the limit of 19/);
  const rle = good.slice();
  new DataView(rle.buffer).setUint32(30, 1, true);
  assert.throws(() => decodeBmp(rle), /run-length-encoded BMP/);
  const zero = good.slice();
  new DataView(zero.buffer).setInt32(18, 0, true);
  assert.throws(() => decodeBmp(zero), /no pixels/);
});

test('decodePnm: P1–P6, comments, 16-bit samples and maxval scaling', () => {
  const w = 5, h = 3;
  const rgb = picture(w, h);
  const grey = Uint8Array.from({ length: w * h }, () => Math.floor(r() * 256));
  const bits = Uint8Array.from({ length: w * h }, () => (r() < 0.5 ? 1 : 0));
  const enc = (s: string, body: Uint8Array = new Uint8Array()) => Uint8Array.from([...new TextEncoder().encode(s), ...body]);
  const expectGrey = (img: ReturnType<typeof decodePnm>, levels: ArrayLike<number>) => {
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) assert.equal(img.data[3 * p + c], levels[p], `pixel ${p}`);
  };
  expectGrey(decodePnm(enc(`P1\n# a comment\n${w} ${h}\n${[...bits].join('')}\n`)), [...bits].map((b) => (b ? 0 : 255)));
  expectGrey(decodePnm(enc(`P2 ${w} ${h} 255\n${[...grey].join(' ')}\n`)), grey);
  const p3 = decodePnm(enc(`P3\n${w} ${h}\n255\n${[...rgb].join('\n')}\n`));
  assert.deepEqual([...p3.data], [...rgb]);
  const packed = new Uint8Array(Math.ceil(w / 8) * h);
  bits.forEach((b, p) => { if (b) packed[Math.floor(p / w) * Math.ceil(w / 8) + ((p % w) >> 3)]! |= 0x80 >> (p % w % 8); });
  expectGrey(decodePnm(enc(`P4\n${w} ${h}\n`, packed)), [...bits].map((b) => (b ? 0 : 255)));
  expectGrey(decodePnm(enc(`P5\n${w} ${h}\n255\n`, grey)), grey);
  assert.deepEqual([...decodePnm(enc(`P6\n${w} ${h}\n255\n`, rgb)).data], [...rgb]);
  // maxval 15 and 16-bit big-endian samples scale to 0–255.
  const small = Uint8Array.from(grey, (g) => g >> 4);
  expectGrey(decodePnm(enc(`P5 ${w} ${h} 15\n`, small)), [...small].map((v) => Math.round((v * 255) / 15)));
  const wide = new Uint8Array(2 * w * h);
  grey.forEach((g, i) => { wide[2 * i] = g; wide[2 * i + 1] = 0x80; });
  expectGrey(decodePnm(enc(`P5 ${w} ${h} 65535\n`, wide)), [...grey].map((g) => Math.round(((g * 256 + 0x80) * 255) / 65535)));
  assert.ok(isPnm(enc('P6\n')) && !isPnm(enc('P7\n')) && !isPnm(enc('PNG')));
  assert.throws(() => decodePnm(enc(`P6\n${w} ${h}\n255\n`, rgb.subarray(1))), /truncated Netpbm file/);
  assert.throws(() => decodePnm(enc('P6\n# no size\n')), /corrupt Netpbm header: no width/);
  assert.throws(() => decodePnm(enc(`P6 ${w} ${h} 255\n`, rgb), { maxPixels: 10 }), /over the limit of 10/);
});

test('decodeImage reads the BMP and Netpbm files ffmpeg writes as ffmpeg reads them', { skip: hasFfmpeg ? false : 'ffmpeg not installed' }, async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-bmp-'));
  try {
    for (const [ext, fmt, tolerance] of [['bmp', 'bgr24', 0], ['bmp', 'bgra', 0], ['bmp', 'pal8', 0], ['bmp', 'rgb555le', 4], ['bmp', 'rgb565le', 4], ['bmp', 'gray', 0], ['bmp', 'monob', 0], ['bmp', 'rgb4_byte', 0], ['ppm', 'rgb24', 0], ['pgm', 'gray', 0], ['pgm', 'gray16be', 1], ['pbm', 'monob', 0]] as const) {
      const file = path.join(dir, `${fmt}.${ext}`);
      const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', photo, '-vf', 'scale=61:47', '-pix_fmt', fmt, file]);
      assert.equal(made.status, 0, String(made.stderr));
      const want = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']).stdout as Buffer;
      const img = await decodeImage(file);
      assert.deepEqual([img.width, img.height], [61, 47], fmt);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(img.data[i]! - want[i]!));
      assert.ok(worst <= tolerance, `${fmt}.${ext}: off by ${worst} from ffmpeg's decoding`);
    }
    const big = path.join(dir, 'big.ppm');
    spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', photo, big]);
    await assert.rejects(decodeImage(big, { maxPixels: 1000, limitName: '--max-pixels' }), /big\.ppm: 450×450 = 202500 pixels is over the limit of 1000 \(--max-pixels\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
