import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readdir, readFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage } from '../../../src/node/inference/decodeImage.js';
import { encodeImage } from '../../../src/node/inference/encodeImage.js';
import { writeFileAtomic } from '../../../src/node/files/atomicWrite.js';
import { encodePng } from '../../../src/io/png.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomBytes = (n: number, seed: number) => { const r = rng(seed); return new Uint8Array(n).map(() => Math.floor(r() * 256)); };
const dir = await mkdtemp(join(tmpdir(), 'prnet-image-'));
test.after(() => rm(dir, { recursive: true, force: true }));

test('decodeImage: 8-bit PNG from a path and from bytes is exact', async () => {
  const px = randomBytes(13 * 7 * 3, 1);
  const png = await sharp(px, { raw: { width: 13, height: 7, channels: 3 } }).png().toBuffer();
  const file = join(dir, 'a.png');
  await writeFile(file, png);
  for (const input of [file, new Uint8Array(png)]) {
    const img = await decodeImage(input);
    assert.equal(img.width, 13);
    assert.equal(img.height, 7);
    assert.deepEqual(img.data, px);
  }
});

test('decodeImage: 16-bit PNG becomes 8-bit', async () => {
  const px = randomBytes(9 * 5 * 3, 2);
  const png16 = await sharp(px, { raw: { width: 9, height: 5, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(png16).metadata()).depth, 'ushort');
  const img = await decodeImage(png16);
  assert.equal(img.data.length, 9 * 5 * 3);
  for (let i = 0; i < px.length; i++) assert.ok(Math.abs(img.data[i] - px[i]) <= 1, `byte ${i}`);
});

test('decodeImage: greyscale becomes RGB, RGBA is composited over black', async () => {
  const g = randomBytes(6 * 4, 3);
  const gray = await sharp(g, { raw: { width: 6, height: 4, channels: 1 } }).png().toBuffer();
  const img = await decodeImage(gray);
  for (let i = 0; i < 24; i++) assert.deepEqual([...img.data.subarray(3 * i, 3 * i + 3)], [g[i], g[i], g[i]]);

  const rgba = randomBytes(5 * 5 * 4, 4);
  const png = await sharp(rgba, { raw: { width: 5, height: 5, channels: 4 } }).png().toBuffer();
  const out = await decodeImage(png);
  for (let i = 0; i < 25; i++) for (let c = 0; c < 3; c++) {
    const expected = (rgba[4 * i + c] * rgba[4 * i + 3]) / 255;
    assert.ok(Math.abs(out.data[3 * i + c] - expected) <= 1, `pixel ${i} channel ${c}: ${out.data[3 * i + c]} vs ${expected}`);
  }
});

test('decodeImage: EXIF orientation 6 turns a landscape JPEG into an upright portrait', async () => {
  // Left half red, right half blue; orientation 6 means "rotate 90° clockwise to display".
  const w = 32, h = 16, px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], 3 * (y * w + x));
  const jpg = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  const img = await decodeImage(jpg);
  assert.equal(img.width, 16);
  assert.equal(img.height, 32);
  const at = (x: number, y: number) => [...img.data.subarray(3 * (y * img.width + x), 3 * (y * img.width + x) + 3)];
  const top = at(8, 4), bottom = at(8, 27);
  assert.ok(top[0] > 200 && top[2] < 60, `top should be red, got ${top}`);
  assert.ok(bottom[2] > 200 && bottom[0] < 60, `bottom should be blue, got ${bottom}`);
});

test('decodeImage: lossless WebP is exact', async () => {
  const px = randomBytes(11 * 6 * 3, 5);
  const webp = await sharp(px, { raw: { width: 11, height: 6, channels: 3 } }).webp({ lossless: true }).toBuffer();
  assert.deepEqual((await decodeImage(webp)).data, px);
});

test('decodeImage: one clear line for missing, empty, text, truncated and oversized inputs', async () => {
  const missing = join(dir, 'nope.jpg');
  await assert.rejects(decodeImage(missing), (e: Error) => e.message === `cannot read image ${missing}: file not found`);
  await assert.rejects(decodeImage(dir), /is a directory/);
  const empty = join(dir, 'empty.jpg');
  await writeFile(empty, '');
  await assert.rejects(decodeImage(empty), new RegExp(`${empty}: the file is empty`));
  const text = join(dir, 'notes.jpg');
  await writeFile(text, 'hello, this is not a picture\n'.repeat(20));
  await assert.rejects(decodeImage(text), /notes\.jpg: not an image/);

  const px = randomBytes(64 * 64 * 3, 6);
  const jpg = await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
  const cut = join(dir, 'cut.jpg');
  await writeFile(cut, jpg.subarray(0, Math.floor(jpg.length / 2)));
  await assert.rejects(decodeImage(cut), /cut\.jpg: corrupt or truncated/);
  const png = await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
  await assert.rejects(decodeImage(new Uint8Array(png.subarray(0, png.length - 200))), /corrupt or truncated/);

  await assert.rejects(decodeImage(new Uint8Array(jpg), { maxPixels: 1000 }), /64×64 = 4096 pixels is over the limit of 1000/);

  // A PNG whose header claims 100000×100000 pixels: refused before any decoding.
  const small = await encodePng({ width: 1, height: 1, data: new Uint8Array(3) });
  const huge = new Uint8Array(small);
  const dv = new DataView(huge.buffer);
  dv.setUint32(16, 100000);
  dv.setUint32(20, 100000);
  dv.setUint32(29, crc32(huge.subarray(12, 29)));
  await assert.rejects(decodeImage(huge), /100000×100000 = 10000000000 pixels is over the limit of 50000000/);
  for (const e of await Promise.allSettled([decodeImage(text), decodeImage(cut), decodeImage(empty)])) {
    assert.equal(e.status, 'rejected');
    assert.ok(!(e as PromiseRejectedResult).reason.message.includes('\n'), 'messages are one line');
  }
});

test('encodePng (isomorphic) and encodeImage (sharp) round-trip exactly through sharp', async () => {
  for (const [w, h, ch] of [[17, 9, 3], [8, 13, 1], [1, 1, 3]] as const) {
    const data = randomBytes(w * h * ch, 7 + w);
    const image = ch === 3 ? { width: w, height: h, data } : { width: w, height: h, data, channels: 1 as const };
    for (const png of [await encodePng(image), await encodeImage(image)]) {
      assert.equal((await sharp(png).metadata()).channels, ch);
      // sharp's raw output widens grey to RGB unless asked not to.
      const reader = ch === 1 ? sharp(png).extractChannel(0) : sharp(png);
      const { data: back, info } = await reader.raw().toBuffer({ resolveWithObject: true });
      assert.equal(info.width, w);
      assert.equal(info.height, h);
      assert.deepEqual(new Uint8Array(back), data);
    }
  }
  const rgb = { width: 16, height: 16, data: randomBytes(16 * 16 * 3, 8) };
  const jpg = await encodeImage(rgb, { format: 'jpeg' });
  assert.equal((await sharp(jpg).metadata()).format, 'jpeg');
});

test('writeFileAtomic writes, replaces, and leaves nothing behind on failure', async () => {
  const file = join(dir, 'out.bin');
  await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
  assert.deepEqual(new Uint8Array(await readFile(file)), new Uint8Array([1, 2, 3]));
  await writeFileAtomic(file, 'text');
  assert.equal(await readFile(file, 'utf8'), 'text');
  await assert.rejects(writeFileAtomic(join(dir, 'missing-dir', 'x.bin'), 'a'), /missing-dir.*the directory does not exist/);
  // Renaming over a directory fails after the temporary file was written: it must be removed.
  const sub = join(dir, 'adir');
  await mkdir(sub);
  await assert.rejects(writeFileAtomic(sub, 'a'), /could not write .*adir/);
  const left = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
  assert.deepEqual(left, []);
});

test('decodeImage reads the shared fixture photos at their displayed size', async () => {
  const photos = new URL('../../../../shared/fixtures/photos/', import.meta.url);
  for (const name of ['photo1.jpg', 'photo3.jpg']) {
    const file = new URL(name, photos).pathname;
    const meta = await sharp(file).metadata();
    const img = await decodeImage(file);
    assert.equal(img.width, meta.autoOrient?.width ?? meta.width);
    assert.equal(img.height, meta.autoOrient?.height ?? meta.height);
    assert.equal(img.data.length, img.width * img.height * 3);
    const { data } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual(img.data, new Uint8Array(data));
  }
});
