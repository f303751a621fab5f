/**
 * Scene-cut detection (`sceneCut`, used by `faceTracker`): how often it fires on frame pairs
 * of one shot and of two. Measured on helen-afw68 training photos (not the benchmark): a
 * 192-pixel window of each 256-pixel photo against the same window moved by up to ±8 px with
 * its light scaled by up to ±5 % (ordinary camera motion between frames), by up to ±24 px and
 * ±15 % (violent motion), against another photo's window (a cut between two faces) and against
 * black (a cut to black). Prints percentiles of both differences and the firing rates of a grid
 * of thresholds, the defaults marked.
 *
 * Then the tracker's other presence check, `cropContrast`: the grey standard deviation of the
 * tracker crop (`cropFromPrediction` of the human 68 points, warped as `cropFaces` does) of
 * every helen-afw68 face, against `MIN_CROP_CONTRAST`.
 *
 * Run: `npm run bench -- sceneCut` (env `PRNET_BENCH_LIMIT=<n>` photos, default 400).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { frameSignature, type FrameSignature } from '../src/video/frameSignature.js';
import { SCENE_CUT_DEFAULTS, signatureDifferences } from '../src/video/sceneCut.js';
import { cropContrast, MIN_CROP_CONTRAST } from '../src/video/cropContrast.js';
import { cropFromPrediction } from '../src/face/cropFromPrediction.js';
import { cropFaces } from '../src/reconstruct/cropFaces.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { npyToFloat64, readNpy } from '../src/io/npy.js';
import { readFile } from 'node:fs/promises';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = path.join(root, '../shared/datasets/helen-afw68/images');
const limit = Number(process.env['PRNET_BENCH_LIMIT'] ?? 400);
const WINDOW = 192;
const OFFSET = 32;

const names = (await readdir(dir)).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort().slice(0, limit);
let seed = 1;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const window = async (file: string, dx: number, dy: number, gain: number): Promise<FrameSignature> => {
  const data = await sharp(file).removeAlpha().extract({ left: OFFSET + dx, top: OFFSET + dy, width: WINDOW, height: WINDOW }).linear(gain, 0).raw().toBuffer();
  return frameSignature({ width: WINDOW, height: WINDOW, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
};

type Pairs = { thumbnail: number[]; histogram: number[] };
const sets: Record<string, Pairs> = {};
const add = (name: string, d: { thumbnail: number; histogram: number }): void => {
  const s = (sets[name] ??= { thumbnail: [], histogram: [] });
  s.thumbnail.push(d.thumbnail);
  s.histogram.push(d.histogram);
};
const still: FrameSignature[] = [];
const black = frameSignature({ width: WINDOW, height: WINDOW, data: new Uint8Array(WINDOW * WINDOW * 3) });
for (const name of names) {
  const file = path.join(dir, name);
  const base = await window(file, 0, 0, 1);
  still.push(base);
  for (const [set, shift, light] of [['one shot, ±8 px, ±5 % light', 8, 0.05], ['one shot, ±24 px, ±15 % light', 24, 0.15]] as const) {
    const moved = await window(file, Math.round((rnd() * 2 - 1) * shift), Math.round((rnd() * 2 - 1) * shift), 1 + (rnd() * 2 - 1) * light);
    add(set, signatureDifferences(base, moved));
  }
  add('cut to black', signatureDifferences(base, black));
}
for (let i = 0; i < still.length; i++) {
  const j = (i + 1 + Math.floor(rnd() * (still.length - 1))) % still.length;
  add('cut to another face', signatureDifferences(still[i]!, still[j]!));
}

const quantile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
console.log(`${names.length} helen-afw68 photos, ${WINDOW}-pixel windows`);
console.log('\n| pairs | thumbnail p1 / p50 / p99 (grey levels) | histogram p1 / p50 / p99 |\n| --- | --- | --- |');
for (const [name, s] of Object.entries(sets)) {
  const q = (v: number[], digits: number) => [0.01, 0.5, 0.99].map((p) => quantile(v, p).toFixed(digits)).join(' / ');
  console.log(`| ${name} | ${q(s.thumbnail, 1)} | ${q(s.histogram, 3)} |`);
}
console.log(`\n| thumbnail ≥ | histogram ≥ | ${Object.keys(sets).join(' | ')} |\n| --- | --- |${Object.keys(sets).map(() => ' --- |').join('')}`);
for (const t of [30, 35, 40]) {
  for (const h of [0.15, 0.2, 0.25]) {
    const mark = t === SCENE_CUT_DEFAULTS.minThumbnailDifference && h === SCENE_CUT_DEFAULTS.minHistogramDifference ? ' (default)' : '';
    const rates = Object.values(sets).map((s) => `${((100 * s.thumbnail.filter((v, i) => v >= t && s.histogram[i]! >= h).length) / s.thumbnail.length).toFixed(1)} %`);
    console.log(`| ${t}${mark} | ${h} | ${rates.join(' | ')} |`);
  }
}

// Cost per frame: frameSignature on random frames (median of 51 calls; the comparison itself is 304 subtractions).
console.log('\n| frame | frameSignature, median ms |\n| --- | --- |');
for (const [w, h] of [[640, 480], [1280, 720], [1920, 1080]] as const) {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const times: number[] = [];
  for (let r = 0; r < 20; r++) frameSignature({ width: w, height: h, data }); // warm-up (JIT)
  for (let r = 0; r < 51; r++) {
    const t0 = performance.now();
    frameSignature({ width: w, height: h, data });
    times.push(performance.now() - t0);
  }
  console.log(`| ${w}×${h} | ${quantile(times, 0.5).toFixed(3)} |`);
}

// The crop-contrast floor against real faces: every helen-afw68 face's tracker crop.
const helen = path.join(root, '../shared/datasets/helen-afw68');
const helenNames = (await readFile(path.join(helen, 'images.txt'), 'utf8')).trim().split('\n');
const points = npyToFloat64(readNpy(await readFile(path.join(helen, 'pts68.npy')), 'pts68.npy'));
const contrasts: number[] = [];
for (let i = 0; i < helenNames.length; i++) {
  const image = await decodeImage(path.join(helen, 'images', helenNames[i]!));
  const landmarks = new Float32Array(68 * 3);
  for (let k = 0; k < 68; k++) {
    landmarks[3 * k] = points[i * 136 + k]!;
    landmarks[3 * k + 1] = points[i * 136 + 68 + k]!;
  }
  const { input } = cropFaces(image, [{ box: [0, 0, 1, 1], score: 1, crop: cropFromPrediction(landmarks) }], 128);
  contrasts.push(cropContrast(input, 0, 128));
}
const below = contrasts.filter((c) => c < MIN_CROP_CONTRAST).length;
console.log(`\ncrop contrast of ${contrasts.length} helen-afw68 faces (grey std, 128-pixel tracker crops): min ${quantile(contrasts, 0).toFixed(1)}, p1 ${quantile(contrasts, 0.01).toFixed(1)}, median ${quantile(contrasts, 0.5).toFixed(1)}; below MIN_CROP_CONTRAST (${MIN_CROP_CONTRAST}): ${below}`);
