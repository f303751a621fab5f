/**
 * Upright crops (`uprightMinRoll`): whether turning a rolled face's crop with its eye line pays,
 * and from which roll. Measured on validation faces, not the benchmark: the 300 helen-afw68
 * photos that `prnet train` holds out, each turned about its centre by a known angle (the sign
 * alternates from photo to photo; the canvas grows to keep the whole photo), through the real
 * path (BlazeFace, crop, network), against the photo's human 68 points turned the same way.
 * Rows: the threshold in degrees (180 = never turn, the official axis-aligned crops); columns:
 * the angle the photos were turned by. A face counts as missed when no detection lies within
 * half the points' width of their centre. The second tables sweep `UPRIGHT_MIN_DETECTED_ROLL`
 * (the roll of the detector's keypoints past which the first crop is already turned) at the
 * default `uprightMinRoll`. Then the first held-out AFLW-21 faces (tight 120-pixel
 * crops of every yaw, not turned) against their teacher-fitted labels, by |yaw| bin: a profile's
 * keypoints and landmarks give the least reliable roll, so this part guards turned faces.
 *
 * Run: `npm run bench -- uprightCrops` (needs `runs/labels-helen` from `prnet label helen-afw68`,
 * which fixes the split, and `runs/labels-aflw21-v2` from `prnet label aflw21`; env
 * `PRNET_BENCH_MODEL=<onnx>`, `PRNET_BENCH_LIMIT=<n>` helen photos, `PRNET_BENCH_AFLW_LIMIT=<n>`
 * AFLW-21 faces (default 300; 0 skips them)).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRNet } from '../src/node/inference/prnet.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { npyToFloat64, readNpy } from '../src/io/npy.js';
import { pointsBounds } from '../src/geometry/pointsBounds.js';
import { UPRIGHT_MIN_DETECTED_ROLL, UPRIGHT_MIN_ROLL } from '../src/face/faceRoll.js';
import { locateFaces } from '../src/reconstruct/locateFaces.js';
import { cropFaces } from '../src/reconstruct/cropFaces.js';
import { turnImage } from '../test/support/turnImage.js';
import { aflwValidationFaces } from './lib/aflwValidationFaces.js';
import { facePipeline } from '../src/reconstruct/facePipeline.js';
import type { PositionMapModel } from '../src/model/session.js';
import type { RgbImage } from '../src/io/rgbImage.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const modelPath = path.resolve(process.env['PRNET_BENCH_MODEL'] ?? path.join(root, 'models/default.onnx'));
const helenLabels = path.join(root, 'runs/labels-helen');
const helenDir = path.join(root, '../shared/datasets/helen-afw68');
const limit = Number(process.env['PRNET_BENCH_LIMIT'] ?? 300);
const aflwLimit = Number(process.env['PRNET_BENCH_AFLW_LIMIT'] ?? 300);
const aflwLabels = path.join(root, 'runs/labels-aflw21-v2');
const aflwDir = path.join(root, '../shared/datasets/aflw21');
const ANGLES = [0, 20, 40, 60, 90, 180];
const THRESHOLDS = [...new Set([180, UPRIGHT_MIN_ROLL, 15, 0])];

if (!existsSync(path.join(helenLabels, 'labels.json'))) {
  console.log(`skipped: no label set at ${helenLabels} (prnet label helen-afw68 …, see training/gpu-teacher-light/README.md)`);
  process.exit(0);
}

/** NME over √(w·h) of the reference points' box, for the points `from…67`. */
function nme(lm: Float32Array, ref: ArrayLike<number>, from = 0): number {
  const [x0, y0, x1, y1] = pointsBounds(ref);
  let sum = 0;
  for (let k = from; k < 68; k++) sum += Math.hypot(lm[3 * k]! - ref[2 * k]!, lm[3 * k + 1]! - ref[2 * k + 1]!);
  return sum / (68 - from) / Math.sqrt((x1 - x0) * (y1 - y0));
}

const assets = await loadUvAssets();
const prn = await PRNet.load({ model: modelPath, threads: 2 });
// The network wrapped to count crops run: the upright re-crop pass costs one more run per face it re-crops.
let crops = 0;
const counted: PositionMapModel = { ...prn.model, predict: (input, batch) => { crops += batch; return prn.model.predict(input, batch); } };
const detector = await prn.detector();
const pipeline = facePipeline({ model: counted, assets: prn.assets, detector });
const DETECTED = [...new Set([30, UPRIGHT_MIN_DETECTED_ROLL, 60, 180])].sort((a, b) => a - b);
/** The pipeline's path with the detector's keypoints turning crops past `minDetectedRoll`. */
async function withDetectedRoll(image: RgbImage, minDetectedRoll: number) {
  const faces = await locateFaces(image, { detector, uprightMinRoll: minDetectedRoll });
  if (faces.length === 0) return [];
  const { input, transforms } = cropFaces(image, faces, prn.model.inputSize);
  const { batch, maps } = await pipeline.predictFaces([{ image, faces, input, transforms, timings: { detect: 0, crop: 0 } }]);
  return pipeline.finishFaces(batch[0]!, maps, { outputs: {} });
}
/** The detected face nearest the reference points' centre, if within half their width. */
function nearest<F extends { box: number[] }>(faces: F[], ref: ArrayLike<number>): F | undefined {
  const [x0, y0, x1, y1] = pointsBounds(ref);
  const near = faces.map((f) => ({ f, d: Math.hypot(f.box[0]! + f.box[2]! / 2 - (x0 + x1) / 2, f.box[1]! + f.box[3]! / 2 - (y0 + y1) / 2) })).sort((a, b) => a.d - b.d)[0];
  return near && near.d <= (x1 - x0) / 2 ? near.f : undefined;
}
const detectedCells = new Map<string, number[]>();
const DETECTED_ANGLES = [0, 60, 90];
const { loadHelenAfw68TrainingData } = await import('../src/node/train/helenTrainingData.js');
const helen = await loadHelenAfw68TrainingData({ labels: helenLabels, assets, inputSize: 128, valCount: 300, seed: 1, cacheDir: path.join(root, 'runs/cache'), log: () => {} });
const names = (await readFile(path.join(helenDir, 'images.txt'), 'utf8')).split('\n').filter(Boolean);
const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(helenDir, 'pts68.npy')))));

type Cell = { inner: number[]; all: number[]; missed: number; faces: number; crops: number };
const cells = new Map<string, Cell>();
const cell = (t: number, a: number) => cells.get(`${t}|${a}`) ?? (cells.set(`${t}|${a}`, { inner: [], all: [], missed: 0, faces: 0, crops: 0 }), cells.get(`${t}|${a}`)!);
const t0 = Date.now();
const photos = helen.valImages.slice(0, limit);
for (const [j, i] of photos.entries()) {
  const image = await decodeImage(await readFile(path.join(helenDir, 'images', names[i]!)));
  for (const angle of ANGLES) {
    const signed = j % 2 === 0 ? angle : -angle;
    const turned = turnImage(image, signed);
    const ref = new Float64Array(136);
    for (let k = 0; k < 68; k++) [ref[2 * k], ref[2 * k + 1]] = turned.map(pts[i * 136 + k]!, pts[i * 136 + 68 + k]!);
    for (const t of THRESHOLDS) {
      const before = crops;
      const { faces } = await pipeline.reconstruct(turned.image, { outputs: {}, uprightMinRoll: t });
      const near = nearest(faces, ref);
      const c = cell(t, angle);
      c.faces += faces.length;
      c.crops += crops - before;
      if (!near) c.missed++;
      else { c.all.push(nme(near.landmarks, ref)); c.inner.push(nme(near.landmarks, ref, 17)); }
    }
    if (DETECTED_ANGLES.includes(angle)) {
      for (const d of DETECTED) {
        const near = nearest(await withDetectedRoll(turned.image, d), ref);
        const key = `${d}|${angle}`;
        if (!detectedCells.has(key)) detectedCells.set(key, []);
        if (near) detectedCells.get(key)!.push(nme(near.landmarks, ref, 17));
      }
    }
  }
}
const mean = (a: number[]) => (a.length ? (100 * a.reduce((x, y) => x + y, 0)) / a.length : NaN);
console.log(`${photos.length} held-out helen-afw68 photos turned by ±angle, ${((Date.now() - t0) / 1000).toFixed(0)} s; model ${path.relative(root, modelPath)}`);
console.log('inner-51 NME (68-point NME) [missed] {faces over 10 % inner-51} network runs per detected face, by the angle the photos were turned');
console.log(`| uprightMinRoll | ${ANGLES.map((a) => `${a}°`).join(' | ')} |`);
console.log(`| --- | ${ANGLES.map(() => '---').join(' | ')} |`);
for (const t of THRESHOLDS) {
  const row = ANGLES.map((a) => { const c = cell(t, a); return `${mean(c.inner).toFixed(2)} (${mean(c.all).toFixed(2)}) [${c.missed}] {${c.inner.filter((e) => e > 0.1).length}} ${(c.crops / c.faces).toFixed(2)}×`; });
  console.log(`| ${t === 180 ? '180 (never)' : t}${t === UPRIGHT_MIN_ROLL ? ' (default)' : ''} | ${row.join(' | ')} |`);
}
console.log(`\nthe same photos at uprightMinRoll ${UPRIGHT_MIN_ROLL}, by UPRIGHT_MIN_DETECTED_ROLL: inner-51 NME {faces over 10 %}`);
console.log(`| detector keypoints turn past | ${DETECTED_ANGLES.map((a) => `${a}°`).join(' | ')} |`);
console.log(`| --- | ${DETECTED_ANGLES.map(() => '---').join(' | ')} |`);
for (const d of DETECTED) {
  console.log(`| ${d === 180 ? '180 (never)' : d}${d === UPRIGHT_MIN_DETECTED_ROLL ? ' (default)' : ''} | ${DETECTED_ANGLES.map((a) => { const c = detectedCells.get(`${d}|${a}`)!; return `${mean(c).toFixed(2)} {${c.filter((e) => e > 0.1).length}}`; }).join(' | ')} |`);
}

if (aflwLimit > 0 && existsSync(path.join(aflwLabels, 'labels.json'))) {
  const bins = new Map(THRESHOLDS.map((t) => [t, { scores: [[], [], []] as number[][], missed: 0, faces: 0, crops: 0 }]));
  const detectedBins = new Map(DETECTED.map((d) => [d, [[], [], []] as number[][]]));
  let n = 0;
  for await (const { image, reference, bin } of aflwValidationFaces({ dataDir: aflwDir, labels: aflwLabels, assets, cacheDir: path.join(root, 'runs/cache'), limit: aflwLimit })) {
    n++;
    for (const t of THRESHOLDS) {
      const before = crops;
      const { faces } = await pipeline.reconstruct(image, { outputs: {}, uprightMinRoll: t });
      const row = bins.get(t)!;
      row.faces += faces.length;
      row.crops += crops - before;
      const near = nearest(faces, reference);
      if (!near) row.missed++;
      else row.scores[bin]!.push(nme(near.landmarks, reference));
    }
    for (const d of DETECTED) {
      const near = nearest(await withDetectedRoll(image, d), reference);
      if (near) detectedBins.get(d)![bin]!.push(nme(near.landmarks, reference));
    }
  }
  console.log(`\n${n} held-out AFLW-21 faces (120×120, not turned), 68-point NME against the teacher-fitted labels by |yaw| bin (faces)`);
  console.log('| uprightMinRoll | missed | 0–30° | 30–60° | 60–90° | yaw-balanced | network runs per face |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [t, row] of bins) {
    const m = row.scores.map((b) => mean(b));
    console.log(`| ${t === 180 ? '180 (never)' : t}${t === UPRIGHT_MIN_ROLL ? ' (default)' : ''} | ${row.missed} | ${m.map((v, j) => `${v.toFixed(2)} (${row.scores[j]!.length})`).join(' | ')} | ${((m[0]! + m[1]! + m[2]!) / 3).toFixed(2)} | ${(row.crops / row.faces).toFixed(2)}× |`);
  }
  console.log(`\nthe same faces at uprightMinRoll ${UPRIGHT_MIN_ROLL}, by UPRIGHT_MIN_DETECTED_ROLL: 0–30° / 30–60° / 60–90°, yaw-balanced`);
  for (const [d, b] of detectedBins) {
    const m = b.map((v) => mean(v));
    console.log(`| ${d === 180 ? '180 (never)' : d}${d === UPRIGHT_MIN_DETECTED_ROLL ? ' (default)' : ''} | ${m.map((v) => v.toFixed(2)).join(' / ')} | ${((m[0]! + m[1]! + m[2]!) / 3).toFixed(2)} |`);
  }
}
await prn.dispose();
