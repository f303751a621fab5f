/**
 * Whether blurring the predicted UV position map (a Gaussian of σ texels, per channel) before
 * the mesh and landmarks are read from it pays: the interim light model's maps ripple from
 * texel to texel (its transposed convolutions), which shows on every mesh and which a blur
 * of a texel or two takes out. Measured on validation faces, not the benchmark: the 300
 * helen-afw68 photos training holds out (detector crops; human 68 points, all and inner 51)
 * and the first AFLW-21 faces it holds out (detector and reference crops; teacher-fitted 68
 * landmarks, by |yaw|). Also the ripple itself: the mean magnitude of the map's discrete
 * Laplacian over the face texels (pixels of the photo), and the blur's time. The blur is
 * the pipeline's (`smoothPositionMap` over the face mask), applied here to raw maps
 * (`mapSmoothing: 0`).
 *
 * Run: `npm run bench -- posmapSmoothing` (needs `runs/labels-helen` and
 * `runs/labels-aflw21-v2` from `prnet label`, which fix the splits; env
 * `PRNET_BENCH_MODEL=<onnx>`, `PRNET_BENCH_AFLW_LIMIT=<n>` (default 300; 0 skips AFLW-21)).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PRNet } from '../src/node/inference/prnet.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { npyToFloat64, readNpy } from '../src/io/npy.js';
import { pointsBounds } from '../src/geometry/pointsBounds.js';
import { positionMapLandmarks } from '../src/uv/positionMapLandmarks.js';
import { smoothPositionMap } from '../src/uv/smoothPositionMap.js';
import type { RgbImage } from '../src/io/rgbImage.js';
import type { FaceResult } from '../src/reconstruct/faceResult.js';
import { aflwValidationFaces } from './lib/aflwValidationFaces.js';
import { VALIDATION_SETS } from './lib/validationSets.js';

const { root, modelPath, helenLabels, aflwLabels, helenDir, aflwDir, aflwLimit } = VALIDATION_SETS;
const SIGMAS = [0, 0.5, 0.75, 1, 1.5, 2, 3];

if (!existsSync(path.join(helenLabels, 'labels.json'))) {
  console.log(`skipped: no label set at ${helenLabels} (prnet label helen-afw68 …)`);
  process.exit(0);
}
const assets = await loadUvAssets();
const prn = await PRNet.load({ model: modelPath, threads: 2 });
const S = assets.uvSize;

/** NME over √(w·h) of the reference points' box, for the points `from…67`. */
function nme(lm: Float32Array, ref: ArrayLike<number>, from = 0): number {
  const [x0, y0, x1, y1] = pointsBounds(ref);
  let sum = 0;
  for (let k = from; k < 68; k++) sum += Math.hypot(lm[3 * k]! - ref[2 * k]!, lm[3 * k + 1]! - ref[2 * k + 1]!);
  return sum / (68 - from) / Math.sqrt((x1 - x0) * (y1 - y0));
}

/** Mean |discrete Laplacian| of the map over face texels, as a fraction of the face's size (√ of its landmark box area). */
function ripple(map: Float32Array, lm: Float32Array): number {
  const [x0, y0, x1, y1] = pointsBounds(lm, 3);
  let sum = 0, n = 0;
  for (let v = 1; v < S - 1; v++) {
    for (let u = 1; u < S - 1; u++) {
      if (!assets.faceMask[v * S + u]) continue;
      const i = 3 * (v * S + u);
      for (let c = 0; c < 3; c++) sum += Math.abs(4 * map[i + c]! - map[i + c - 3]! - map[i + c + 3]! - map[i + c - 3 * S]! - map[i + c + 3 * S]!);
      n++;
    }
  }
  return sum / n / Math.sqrt((x1 - x0) * (y1 - y0));
}

/** The face nearest the reference points' centre, or undefined when none is within half their width. */
function nearest(faces: FaceResult[], ref: ArrayLike<number>): FaceResult | undefined {
  const [x0, y0, x1, y1] = pointsBounds(ref);
  const near = faces.map((f) => ({ f, d: Math.hypot(f.box[0] + f.box[2] / 2 - (x0 + x1) / 2, f.box[1] + f.box[3] / 2 - (y0 + y1) / 2) })).sort((a, b) => a.d - b.d)[0];
  return near && near.d < (x1 - x0) / 2 ? near.f : undefined;
}

type Scores = Map<number, { all: number[]; inner: number[]; bins: number[][]; ripple: number[] }>;
const newScores = (): Scores => new Map(SIGMAS.map((s) => [s, { all: [], inner: [], bins: [[], [], []], ripple: [] }]));
const blurMs: number[] = [];
function score(scores: Scores, face: FaceResult | undefined, ref: ArrayLike<number>, bin = 0): void {
  if (!face) return;
  for (const sigma of SIGMAS) {
    const t0 = performance.now();
    const map = sigma ? smoothPositionMap(face.positionMap, S, { sigma, mask: assets.faceMask }) : face.positionMap;
    if (sigma === 1) blurMs.push(performance.now() - t0);
    const lm = positionMapLandmarks(map, assets);
    const s = scores.get(sigma)!;
    s.all.push(nme(lm, ref));
    s.inner.push(nme(lm, ref, 17));
    s.bins[bin]!.push(nme(lm, ref));
    s.ripple.push(ripple(map, lm));
  }
}
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const t0 = Date.now();

const { loadHelenAfw68TrainingData } = await import('../src/node/train/helenTrainingData.js');
const helen = await loadHelenAfw68TrainingData({ labels: helenLabels, assets, inputSize: 128, valCount: 300, seed: 1, cacheDir: path.join(root, 'runs/cache'), log: () => {} });
const helenNames = (await readFile(path.join(helenDir, 'images.txt'), 'utf8')).split('\n').filter(Boolean);
const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(helenDir, 'pts68.npy')))));
const helenScores = newScores();
for (const i of helen.valImages) {
  const xy = new Float64Array(136);
  for (let k = 0; k < 68; k++) { xy[2 * k] = pts[i * 136 + k]!; xy[2 * k + 1] = pts[i * 136 + 68 + k]!; }
  const image: RgbImage = await decodeImage(await readFile(path.join(helenDir, 'images', helenNames[i]!)));
  score(helenScores, nearest((await prn.reconstruct(image, { outputs: {}, mapSmoothing: 0 })).faces, xy), xy);
}
console.log(`${helen.valImages.length} held-out helen-afw68 photos, detector crops (human 68 points), ${((Date.now() - t0) / 1000).toFixed(0)} s; model ${path.relative(root, modelPath)}`);
console.log('| σ (texels) | faces | NME 68 | NME inner 51 | ripple (% of face size) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [sigma, s] of helenScores) console.log(`| ${sigma} | ${s.all.length} | ${(100 * mean(s.all)).toFixed(3)} % | ${(100 * mean(s.inner)).toFixed(3)} % | ${(100 * mean(s.ripple)).toFixed(3)} |`);

if (existsSync(path.join(aflwLabels, 'labels.json')) && aflwLimit > 0) {
  const rows = { detector: newScores(), reference: newScores() };
  let faces = 0;
  for await (const { image, reference, bin } of aflwValidationFaces({ dataDir: aflwDir, labels: aflwLabels, assets, cacheDir: path.join(root, 'runs/cache'), limit: aflwLimit })) {
    faces++;
    score(rows.detector, nearest((await prn.reconstruct(image, { outputs: {}, mapSmoothing: 0 })).faces, reference), reference, bin);
    score(rows.reference, (await prn.reconstruct(image, { landmarks: reference, outputs: {}, mapSmoothing: 0 })).faces[0], reference, bin);
  }
  console.log(`\n${faces} held-out AFLW-21 faces (120×120), NME 68 against the teacher-fitted labels`);
  console.log('| crop | σ | 0–30° | 30–60° | 60–90° | yaw-balanced | ripple |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [crop, scores] of Object.entries(rows)) {
    for (const [sigma, s] of scores) {
      const bins = s.bins.map((b) => 100 * mean(b));
      console.log(`| ${crop} | ${sigma} | ${bins.map((b) => b.toFixed(3)).join(' % | ')} % | ${(bins.reduce((x, y) => x + y, 0) / 3).toFixed(3)} % | ${(100 * mean(s.ripple)).toFixed(3)} |`);
    }
  }
}
blurMs.sort((a, b) => a - b);
console.log(`\nsmoothPositionMap at σ = 1: ${blurMs[blurMs.length >> 1]!.toFixed(2)} ms median per face`);
await prn.dispose();
