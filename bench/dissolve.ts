/**
 * Cross-dissolve detection (`dissolveSpan`, used by `faceTracker`): how often it fires on
 * synthetic 40-frame sequences made from helen-afw68 training photos (not the benchmark).
 * A 192-pixel window of each 256-pixel photo, with a little sensor noise on every frame:
 *
 * - dissolves to another photo over 8, 16 and 32 frames (and a fade to black over 16);
 * - one shot: still, a pan of ±24 px over 32 frames, a fast pan of 3 px a frame, hand-held
 *   shake (±6 px a frame), a zoom to 0.7 over 32 frames, light rising 50 % over 32 frames,
 *   and the light ramp during the pan.
 *
 * A sequence counts once if any of its frames fires. Prints the rates of a grid of
 * thresholds, the defaults marked.
 *
 * Run: `npm run bench -- dissolve` (env `PRNET_BENCH_LIMIT=<n>` photos, default 300).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { frameSignature, type FrameSignature } from '../src/video/frameSignature.js';
import { DISSOLVE_DEFAULTS, dissolveHistoryLength, dissolveSpan } from '../src/video/dissolve.js';
import type { RgbImage } from '../src/io/rgbImage.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = path.join(root, '../shared/datasets/helen-afw68/images');
const limit = Number(process.env['PRNET_BENCH_LIMIT'] ?? 300);
const SIDE = 256, WINDOW = 192, FRAMES = 40;

let seed = 7;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
/** Sensor noise: a table of Gaussian values (σ 2 grey levels), read from a random place for each frame. */
const NOISE = Float32Array.from({ length: 1 << 16 }, () => 2 * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd()));

/** A window of a 256² photo: centre shifted by (dx, dy), scaled by `zoom` (< 1 zooms in), light × gain, noise σ 2. */
function view(photo: Uint8Array, dx: number, dy: number, zoom = 1, gain = 1): Uint8Array {
  const out = new Uint8ClampedArray(WINDOW * WINDOW * 3);
  let noise = Math.floor(rnd() * NOISE.length);
  for (let y = 0; y < WINDOW; y++) {
    const sy = Math.min(SIDE - 1, Math.max(0, Math.round(SIDE / 2 + dy + (y - WINDOW / 2) * zoom)));
    for (let x = 0; x < WINDOW; x++) {
      const sx = Math.min(SIDE - 1, Math.max(0, Math.round(SIDE / 2 + dx + (x - WINDOW / 2) * zoom)));
      const o = (y * WINDOW + x) * 3, i = (sy * SIDE + sx) * 3;
      // A Uint8ClampedArray clamps to 0…255 and rounds.
      for (let c = 0; c < 3; c++) out[o + c] = photo[i + c]! * gain + NOISE[noise++ & 0xffff]!;
    }
  }
  return new Uint8Array(out.buffer);
}
const image = (data: Uint8Array): RgbImage => ({ width: WINDOW, height: WINDOW, data });
const blend = (a: Uint8Array, b: Uint8Array, t: number): Uint8Array => {
  const out = new Uint8ClampedArray(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i]! + t * b[i]!;
  return new Uint8Array(out.buffer);
};
const clamp01 = (t: number): number => Math.min(1, Math.max(0, t));

const names = (await readdir(dir)).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort().slice(0, limit);
const photos: Uint8Array[] = [];
for (const name of names) {
  const raw = await sharp(path.join(dir, name)).removeAlpha().resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer();
  photos.push(new Uint8Array(raw.buffer, raw.byteOffset, raw.length));
}

type Sequence = FrameSignature[];
const sets: Record<string, Sequence[]> = {};
const add = (set: string, frames: Uint8Array[]): void => { (sets[set] ??= []).push(frames.map((f) => frameSignature(image(f)))); };
const black = new Uint8Array(WINDOW * WINDOW * 3);
for (let i = 0; i < photos.length; i++) {
  const p = photos[i]!, q = photos[(i + 1 + Math.floor(rnd() * (photos.length - 1))) % photos.length]!;
  const a = view(p, 0, 0);
  for (const span of [8, 16, 32]) {
    add(`dissolve over ${span} frames`, Array.from({ length: FRAMES }, (_, k) => blend(view(p, 0, 0), view(q, 0, 0), clamp01((k - 4) / span))));
  }
  add('fade to black over 16 frames', Array.from({ length: FRAMES }, (_, k) => blend(a, black, clamp01((k - 4) / 16))));
  add('one shot: still', Array.from({ length: FRAMES }, () => view(p, 0, 0)));
  add('one shot: pan ±24 px over 32 frames', Array.from({ length: FRAMES }, (_, k) => view(p, -24 + 48 * clamp01(k / 32), 4 * Math.sin(k / 6))));
  add('one shot: pan 3 px a frame', Array.from({ length: FRAMES }, (_, k) => view(p, -30 + 1.5 * k, 0)));
  add('one shot: shake ±6 px', Array.from({ length: FRAMES }, () => view(p, Math.round((rnd() * 2 - 1) * 6), Math.round((rnd() * 2 - 1) * 6))));
  add('one shot: zoom to 0.7 over 32 frames', Array.from({ length: FRAMES }, (_, k) => view(p, 0, 0, 1 - 0.3 * clamp01(k / 32))));
  add('one shot: light +50 % over 32 frames', Array.from({ length: FRAMES }, (_, k) => view(p, 0, 0, 1, 1 + 0.5 * clamp01(k / 32))));
  add('one shot: light +50 % during the pan', Array.from({ length: FRAMES }, (_, k) => view(p, -24 + 48 * clamp01(k / 32), 0, 1, 1 + 0.5 * clamp01(k / 32))));
}

/** Share of sequences in which some frame fires (the history restarts after a firing, as in the tracker). */
function rate(sequences: Sequence[], options: Parameters<typeof dissolveSpan>[1]): number {
  const keep = dissolveHistoryLength(options);
  let fired = 0;
  for (const frames of sequences) {
    const history: FrameSignature[] = [];
    for (const f of frames) {
      history.push(f);
      if (history.length > keep) history.shift();
      if (dissolveSpan(history, options) > 0) { fired++; break; }
    }
  }
  return fired / sequences.length;
}

console.log(`${photos.length} helen-afw68 photos, ${WINDOW}-pixel windows, ${FRAMES}-frame sequences, spans ${DISSOLVE_DEFAULTS.spans.join(', ')}`);
console.log(`\n| max residual | max correlation | ${Object.keys(sets).join(' | ')} |\n| --- | --- |${Object.keys(sets).map(() => ' --- |').join('')}`);
for (const maxResidual of [0.08, 0.12, 0.16, 0.2]) {
  for (const maxCorrelation of [0.6, 0.8, 0.9]) {
    const mark = maxResidual === DISSOLVE_DEFAULTS.maxResidual && maxCorrelation === DISSOLVE_DEFAULTS.maxCorrelation ? ' (default)' : '';
    const rates = Object.values(sets).map((s) => `${(100 * rate(s, { maxResidual, maxCorrelation })).toFixed(1)} %`);
    console.log(`| ${maxResidual}${mark} | ${maxCorrelation} | ${rates.join(' | ')} |`);
  }
}

// Cost per frame: dissolveSpan on a full history (the comparison of thumbnails only).
const history = sets['one shot: pan 3 px a frame']![0]!.slice(0, dissolveHistoryLength());
const times: number[] = [];
for (let r = 0; r < 200; r++) {
  const t0 = performance.now();
  dissolveSpan(history);
  times.push(performance.now() - t0);
}
times.sort((x, y) => x - y);
console.log(`\ndissolveSpan on ${history.length} signatures: median ${times[100]!.toFixed(4)} ms`);
