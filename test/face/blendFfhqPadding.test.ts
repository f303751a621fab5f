/**
 * FFHQ's padding blend (`blendFfhqPadding`, `alignFace`'s `padding: 'blur'`), checked against
 * a naive float64 transcription of the recipe (`ffhqReference.ts`: integer reflect pads in
 * the photo, a true Gaussian, numpy's median), on a real photo cut so that the face's square
 * reaches past its edges and on random noise.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { alignFace } from '../../src/face/alignFace.js';
import { alignedFaceTransform } from '../../src/face/alignedFaceTransform.js';
import { blendFfhqPadding } from '../../src/face/blendFfhqPadding.js';
import { ffhqPadding } from '../../src/face/ffhqPadding.js';
import { affineInvert } from '../../src/geometry/affine2d.js';
import { warpRgb } from '../../src/geometry/warpRgb.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { parseMatAsync } from '../../src/io/matAsync.js';
import { aflw2000GroundTruth } from '../../src/eval/aflw2000GroundTruth.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { rng } from '../geometry/reference.js';
import { landmarksWithFive as fivePointLandmarks } from '../support/landmarksWithFive.js';
import { ffhqNumbers, ffhqReferencePicture } from './ffhqReference.js';

const fixtures = fileURLToPath(new URL('../../../shared/fixtures/aflw2000-sample/', import.meta.url));
const r = rng(47);

/** An AFLW2000-3D sample photo and its ground-truth 68 landmarks (x, y, z). */
async function aflwFace(name: string): Promise<{ image: RgbImage; landmarks: Float64Array }> {
  const image = await decodeImage(`${fixtures}${name}.jpg`);
  const gt = aflw2000GroundTruth(await parseMatAsync(new Uint8Array(await readFile(`${fixtures}${name}.mat`))), name);
  return { image, landmarks: gt.landmarks };
}

/** `image` cut to `[x0, x1) × [y0, y1)`, and the landmarks moved with it. */
function cut(image: RgbImage, landmarks: Float64Array, x0: number, y0: number, x1: number, y1: number): { image: RgbImage; landmarks: Float64Array } {
  const w = x1 - x0, h = y1 - y0, data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(image.data.subarray(((y0 + y) * image.width + x0) * 3, ((y0 + y) * image.width + x1) * 3), y * w * 3);
  return { image: { width: w, height: h, data }, landmarks: landmarks.map((v, i) => (i % 3 === 0 ? v - x0 : i % 3 === 1 ? v - y0 : v)) };
}

const landmarksWithFive = (five: ArrayLike<number>) => fivePointLandmarks(five, r, { spread: 4, range: 100 });

/** A symmetric face (eye gap 2·s) centred at (cx, cy), turned by `deg` degrees. */
function faceAt(cx: number, cy: number, s: number, deg: number): Float64Array {
  const th = (deg * Math.PI) / 180, cs = Math.cos(th), sn = Math.sin(th);
  const local = [-1, 0, 1, 0, 0, 0.8, -0.75, 1.6, 0.75, 1.6];
  const five: number[] = [];
  for (let i = 0; i < 5; i++) five.push(cx + s * (cs * local[2 * i]! - sn * local[2 * i + 1]!), cy + s * (sn * local[2 * i]! + cs * local[2 * i + 1]!));
  return landmarksWithFive(five);
}

function noise(width: number, height: number): RgbImage {
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(r() * 256)) };
}

/**
 * alignFace's FFHQ picture against the reference, by zone of the reference's mask at each
 * pixel's source position: inside (no blend), the band (blur blend only), the padding.
 */
function compare(image: RgbImage, landmarks: Float64Array, size: number) {
  const got = alignFace(image, landmarks, { template: 'ffhq', size });
  const sourceFromOut = affineInvert(got.transform);
  const ref = ffhqReferencePicture(image, sourceFromOut, size);
  const p = ref.padded;
  const [a, b, tx, c, d, ty] = Array.from(sourceFromOut);
  const zones = { inside: { sum: 0, n: 0, max: 0 }, band: { sum: 0, n: 0, max: 0 }, padding: { sum: 0, n: 0, max: 0 } };
  let sum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = Math.round(a! * x + b! * y + tx! + p.offsetX), py = Math.round(c! * x + d! * y + ty! + p.offsetY);
      const m = p.mask[Math.min(p.height - 1, Math.max(0, py)) * p.width + Math.min(p.width - 1, Math.max(0, px))]!;
      // Inside: no blend within 2 px of the pixel (the reference interpolates its blended pixels' bytes).
      const zone = m <= -1 / 3 - 2 / Math.min(...p.pad) ? zones.inside : m <= 0 ? zones.band : zones.padding;
      for (let k = 0; k < 3; k++) {
        const i = (y * size + x) * 3 + k, e = Math.abs(got.image.data[i]! - ref.data[i]!);
        sum += e; zone.sum += e; zone.max = Math.max(zone.max, e); zone.n++;
      }
    }
  }
  const fmt = (z: { sum: number; n: number; max: number }) => `mean ${(z.sum / Math.max(1, z.n)).toFixed(3)}, max ${z.max} over ${z.n / 3} px`;
  return { mean: sum / (size * size * 3), zones, report: `all: mean ${(sum / (size * size * 3)).toFixed(3)}; inside ${fmt(zones.inside)}; band ${fmt(zones.band)}; padding ${fmt(zones.padding)}`, got, ref };
}

test('ffhqPadding: the recipe\'s crop and integer pads, or null where it does not pad', () => {
  let small = 0;
  for (let t = 0; t < 200; t++) {
    const width = 50 + Math.floor(r() * 400), height = 50 + Math.floor(r() * 400);
    const half = 5 + r() * 200, th = r() * 2 * Math.PI, cx = -50 + r() * (width + 100), cy = -50 + r() * (height + 100);
    const x = [half * Math.cos(th), half * Math.sin(th)], y = [-x[1]!, x[0]!];
    const quad = [[cx - x[0]! - y[0]!, cy - x[1]! - y[1]!], [cx - x[0]! + y[0]!, cy - x[1]! + y[1]!], [cx + x[0]! + y[0]!, cy + x[1]! + y[1]!], [cx + x[0]! - y[0]!, cy + x[1]! - y[1]!]];
    const want = ffhqNumbers(quad, width, height);
    const got = ffhqPadding(quad.flat(), width, height);
    if (!want.padded || want.crop[2]! <= want.crop[0]! || want.crop[3]! <= want.crop[1]!) { assert.equal(got, null, `quad ${t}`); continue; }
    assert.ok(got, `quad ${t}: pads`);
    assert.deepEqual(got.crop, want.crop, `quad ${t}: crop`);
    assert.deepEqual(got.pad, want.pad, `quad ${t}: pad`);
    assert.deepEqual(got.reach, want.reach, `quad ${t}: reach`);
    small += got.reach.every((p) => p === 0) ? 1 : 0;
  }
  assert.ok(small > 0, 'some small squares inside their photo that the recipe pads all the same');
  assert.throws(() => ffhqPadding([1, 2, 3], 10, 10), /4 corners/);
});

test('alignFace ffhq, the photo cut so the face\'s square reaches past its left and top edges: the float64 FFHQ recipe within 0.25 grey levels on average, 4 at most, at 288 and 1024 px', async () => {
  const face = await aflwFace('image00004');
  // The square (281 px a side) spans x 87…382, y 96…376 of the 450×450 photo: cut 130 px off the left, 120 off the top.
  const { image, landmarks } = cut(face.image, face.landmarks, 130, 120, 450, 450);
  // 288: the blur at full resolution (σ 5.8 px); 1024: on the 5× coarser grid (σ 20.5 px).
  for (const size of [288, 1024]) {
    const c = compare(image, landmarks, size);
    console.log(`# AFLW2000 image00004 cut, ${size} px: ${c.report}`);
    assert.ok(c.zones.padding.n > size * size * 0.15 * 3, 'a wide padding');
    // Measured: 0.069 / 0.068 over all; 0 inside; the band 0.12 / 0.12 on average, 2 / 2 at most;
    // the padding 0.23 / 0.23, 2 / 2 at most (three box passes for the Gaussian, the median taken
    // before the blur's blend, the mask evaluated at each pixel instead of interpolated between
    // the padded photo's pixels).
    assert.ok(c.mean < 0.25, c.report);
    assert.equal(c.zones.inside.max, 0, c.report);
    assert.ok(c.zones.band.sum / c.zones.band.n < 0.5 && c.zones.padding.sum / c.zones.padding.n < 0.5, c.report);
    assert.ok(c.zones.band.max <= 4 && c.zones.padding.max <= 4, c.report);
    // And the plain reflect picture is far from it (the test can fail).
    const plain = alignFace(image, landmarks, { template: 'ffhq', size, padding: 'plain' }).image.data;
    let d = 0;
    for (let i = 0; i < plain.length; i++) d += Math.abs(plain[i]! - c.ref.data[i]!);
    assert.ok(d / plain.length > 4 * c.mean, `plain reflect: mean ${(d / plain.length).toFixed(2)} from the recipe`);
  }
});

test('alignFace ffhq on random noise, the square turned and reaching past two edges: the float64 FFHQ recipe within 0.6 grey levels on average, 8 at most, at 256 and 640 px', () => {
  const image = noise(160, 120);
  const landmarks = faceAt(30, 35, 16, 20);
  // The square is 128 px a side: 256 blurs at full resolution (σ 5.1 px), 640 on a 3× coarser grid (σ 12.8 px).
  for (const size of [256, 640]) {
    const c = compare(image, landmarks, size);
    console.log(`# noise 160×120, ${size} px (the square 128 px): ${c.report}`);
    assert.ok(c.zones.padding.n > size * size * 0.2 * 3, 'a wide padding');
    // Measured: 0.31 / 0.32 over all; 0 inside; the band 0.60 / 0.60 on average, 5 / 5 at most; the padding 0.35 / 0.35, 3 / 3 at most.
    assert.ok(c.mean < 0.6, c.report);
    assert.equal(c.zones.inside.max, 0, c.report);
    assert.ok(c.zones.band.sum / c.zones.band.n < 1 && c.zones.padding.sum / c.zones.padding.n < 1, c.report);
    assert.ok(c.zones.band.max <= 8 && c.zones.padding.max <= 8, c.report);
  }
});

test('alignFace ffhq with the face\'s square inside the photo: byte for byte the plain reflect warp', async () => {
  const { image, landmarks } = await aflwFace('image00004');
  for (const size of [256, 512]) {
    const blurred = alignFace(image, landmarks, { template: 'ffhq', size });
    const plain = alignFace(image, landmarks, { template: 'ffhq', size, padding: 'plain' });
    const warp = warpRgb(image.data, image.width, image.height, affineInvert(blurred.transform), size, size, { border: 'reflect' });
    assert.deepEqual(blurred.image.data, plain.image.data, `size ${size}`);
    assert.deepEqual(blurred.image.data, warp, `size ${size}: the warp itself`);
  }
  // Faces in the middle of noise, down to a square of 32 px (which the recipe pads all the same: left as it is), and ArcFace (plain by default).
  const image2 = noise(300, 300);
  for (const [face, size] of [[faceAt(150, 140, 20, -10), 200], [faceAt(150, 140, 4, 0), 256]] as const) {
    const blurred = alignFace(image2, face, { template: 'ffhq', size });
    assert.deepEqual(blurred.image.data, alignFace(image2, face, { template: 'ffhq', size, padding: 'plain' }).image.data, `size ${size}`);
    if (size === 256) assert.ok(ffhqPadding(quadOf(affineInvert(blurred.transform), size), 300, 300), 'the recipe pads the 32 px square');
  }
  const arc = alignFace(image2, faceAt(10, 20, 20, 0));
  assert.deepEqual(arc.image.data, warpRgb(image2.data, 300, 300, affineInvert(arc.transform), 112, 112, { border: 'black' }), 'ArcFace: black, no blend');
});

test('alignFace ffhq past the photo: the padding is smoothed (little high-frequency energy left) and fades toward the median far out', () => {
  // Red ramps left to right, green top to bottom, blue is noise; the face near the top-left corner.
  const width = 200, height = 200;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), Math.floor(r() * 256)], (y * width + x) * 3);
  const image = { width, height, data };
  const landmarks = faceAt(20, 20, 25, 0);
  const size = 256;
  const blurred = alignFace(image, landmarks, { template: 'ffhq', size });
  const plain = alignFace(image, landmarks, { template: 'ffhq', size, padding: 'plain' });
  const inv = affineInvert(blurred.transform);
  const box = ffhqPadding(quadOf(inv, size), width, height);
  assert.ok(box, 'FFHQ pads here');
  const median = ffhqReferencePicture(image, inv, size).padded.median;
  const [a, b, tx, c, d, ty] = Array.from(inv);
  const [cx0, cy0, cx1, cy1] = box.crop, [pl, pt, pr, pb] = box.pad;
  // High-frequency energy: squared differences of horizontal neighbours past the photo (by 2 px or more).
  let eBlur = 0, ePlain = 0, n = 0;
  // Far out (mask ≥ 0.5): the distance to the median, which the blend scales by 1 − mask; in two bands of the mask.
  let farBlur = 0, farPlain = 0, nFar = 0;
  const bands = [{ sum: 0, n: 0 }, { sum: 0, n: 0 }];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size - 1; x++) {
      const sx = a! * x + b! * y + tx!, sy = c! * x + d! * y + ty!;
      const u = sx - cx0, v = sy - cy0;
      const mask = Math.max(-u / pl, (u - (cx1 - cx0 - 1)) / pr, -v / pt, (v - (cy1 - cy0 - 1)) / pb);
      const p = (y * size + x) * 3;
      if (sx < -2 || sy < -2) {
        for (let k = 0; k < 3; k++) { eBlur += (blurred.image.data[p + k]! - blurred.image.data[p + 3 + k]!) ** 2; ePlain += (plain.image.data[p + k]! - plain.image.data[p + 3 + k]!) ** 2; }
        n++;
      }
      if (mask >= 0.5) {
        for (let k = 0; k < 3; k++) {
          const e = Math.abs(blurred.image.data[p + k]! - median[k]!);
          farBlur += e; farPlain += Math.abs(plain.image.data[p + k]! - median[k]!);
          const band = bands[mask < 0.65 ? 0 : 1]!;
          band.sum += e; band.n++;
        }
        nFar++;
      }
    }
  }
  const msg = `past the photo (${n} px): neighbour energy ${(eBlur / n / 3).toFixed(2)} blurred vs ${(ePlain / n / 3).toFixed(0)} plain; mask ≥ 0.5 (${nFar} px): mean |v − median| ${(farBlur / nFar / 3).toFixed(2)} blurred vs ${(farPlain / nFar / 3).toFixed(2)} plain; ${(bands[0]!.sum / bands[0]!.n).toFixed(2)} at mask 0.5…0.65 (${bands[0]!.n / 3} px), ${(bands[1]!.sum / bands[1]!.n).toFixed(2)} beyond (${bands[1]!.n / 3} px)`;
  console.log(`# ${msg}`);
  assert.ok(n > size * 40 && nFar > size * 10, msg);
  assert.ok(eBlur < ePlain / 100, msg);
  assert.ok(farBlur < farPlain / 3, msg);
  assert.ok(bands[1]!.n > 3 * size * 5 && bands[1]!.sum / bands[1]!.n < 0.7 * (bands[0]!.sum / bands[0]!.n), msg);
});

/** The picture's corners (pixel edges) in the photo. */
function quadOf(sourceFromOut: ArrayLike<number>, size: number): number[] {
  const [a, b, tx, c, d, ty] = Array.from(sourceFromOut);
  const e = size - 0.5;
  return [[-0.5, -0.5], [-0.5, e], [e, e], [e, -0.5]].flatMap(([x, y]) => [a! * x! + b! * y! + tx!, c! * x! + d! * y! + ty!]);
}

test('blendFfhqPadding and alignFace refuse what they cannot use', () => {
  const image = noise(40, 40), landmarks = faceAt(20, 20, 5, 0);
  assert.throws(() => alignFace(image, landmarks, { template: 'ffhq', padding: 'smear' as never }), /padding must be one of plain, blur/);
  assert.throws(() => blendFfhqPadding(image, [1, 0, 0, 0, 1, 0], new Uint8Array(10), 8), /needs 192 bytes/);
  assert.throws(() => blendFfhqPadding(image, [1, 0, 0, 0, 1, 0], new Uint8Array(192), 8, { blur: -1 }), /blur must be/);
  // ArcFace with padding 'blur': FFHQ's blend over insightface's black.
  const arc = alignFace(image, faceAt(4, 4, 8, 0), { padding: 'blur' });
  assert.notDeepEqual(arc.image.data, alignFace(image, faceAt(4, 4, 8, 0)).image.data);
});
