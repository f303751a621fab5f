/**
 * Chooses the refinement pass's crop on validation faces, not on the benchmark: the 300
 * helen-afw68 faces that training holds out (the same seeded split as `prnet train`). Each
 * photo goes through the real path (detector crop, network), then is re-cropped from the
 * predicted 68 landmarks with a side of f × the mean side of their box, for several f, and
 * run again. Scored against the human 68 points (300-W), NME over √(w·h) of their box, all
 * 68 and the inner 51 (300-W's jaw follows the visible contour, the model's the 3D one).
 * The ground-truth crop (the evaluation protocol's 1.6 × the human points' box) is the
 * reference a refinement pass tries to reach.
 *
 * AFLW-21's held-out faces are scored too (against their teacher-fitted labels, by |yaw|).
 *
 * Run: `npm run bench -- refineCrop` (needs `runs/labels-helen` and `runs/labels-aflw21-v2`
 * from `prnet label` for the splits; about 13 minutes on 2 busy cores; env
 * `PRNET_BENCH_MODEL=<onnx>`, `PRNET_BENCH_HELEN_LABELS=<dir>`, `PRNET_BENCH_AFLW_LABELS=<dir>`,
 * `PRNET_BENCH_AFLW_LIMIT=<n>`, `PRNET_BENCH_SKIP_HELEN=1`, `PRNET_BENCH_SKIP_AFLW=1`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRNet } from '../src/node/inference/prnet.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { npyToFloat64, readNpy } from '../src/io/npy.js';
import { pointsBounds } from '../src/geometry/pointsBounds.js';
import { readLabelSet } from '../src/node/train/labels/labelSetFiles.js';
import { PREDICTED_CROP_FACTOR, cropFromPrediction } from '../src/face/cropFromPrediction.js';
import { aflwValidationFaces } from './lib/aflwValidationFaces.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const labelsDir = path.resolve(process.env['PRNET_BENCH_HELEN_LABELS'] ?? path.join(root, 'runs/labels-helen'));
const modelPath = path.resolve(process.env['PRNET_BENCH_MODEL'] ?? path.join(root, 'models/default.onnx'));
const VAL_COUNT = 300, SEED = 1;
const FACTORS = [1.4, 1.45, 1.5, 1.55, 1.6, 1.7];
/** Refine only faces the first pass sees turned by more than this (degrees). */
const GATES = [30, 45, 60];

const labels = await readLabelSet(labelsDir).catch((err: Error) => {
  console.log(`skipped: ${err.message}`);
  process.exit(0);
});
// The held-out faces, exactly as training splits them.
const { loadHelenAfw68TrainingData } = await import('../src/node/train/helenTrainingData.js');
const { loadUvAssets } = await import('../src/node/inference/uvAssets.js');
const assets = await loadUvAssets();
const helen = await loadHelenAfw68TrainingData({ labels: labelsDir, assets, inputSize: 128, valCount: VAL_COUNT, seed: SEED, cacheDir: path.join(root, 'runs/cache'), log: () => {} });
const dir = labels.info.dataDir;
const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(dir, 'pts68.npy')))));
const prn = await PRNet.load({ model: modelPath, threads: 2 });

type Scores = { all: number[]; inner: number[] };
const rows = new Map<string, Scores>();
const score = (name: string, lm: Float32Array | null, human: Float64Array) => {
  const s = rows.get(name) ?? { all: [], inner: [] };
  rows.set(name, s);
  if (!lm) return;
  const [x0, y0, x1, y1] = pointsBounds(human);
  const norm = Math.sqrt((x1 - x0) * (y1 - y0));
  let all = 0, inner = 0;
  for (let k = 0; k < 68; k++) {
    const d = Math.hypot(lm[3 * k]! - human[2 * k]!, lm[3 * k + 1]! - human[2 * k + 1]!);
    all += d;
    if (k >= 17) inner += d;
  }
  s.all.push(all / 68 / norm);
  s.inner.push(inner / 51 / norm);
};
/** The box whose `cropFromBox` (1.6 × its mean side, same centre) is `cropFromPrediction(lm, f)`. */
const boxFor = (lm: Float32Array, f: number): [number, number, number, number] => {
  const { center: [cx, cy], size } = cropFromPrediction(lm, f);
  const side = size / 1.6;
  return [cx - side / 2, cy - side / 2, side, side];
};

let missed = 0;
const t0 = Date.now();
for (const i of process.env['PRNET_BENCH_SKIP_HELEN'] ? [] : helen.valImages) {
  const name = labels.info.images[i]!;
  const human = Float64Array.from(pts.subarray(i * 136, i * 136 + 136));
  // pts68.npy is N×2×68 (x row, then y row): to x y pairs.
  const xy = new Float64Array(136);
  for (let k = 0; k < 68; k++) { xy[2 * k] = human[k]!; xy[2 * k + 1] = human[68 + k]!; }
  const image = await decodeImage(await readFile(path.join(dir, 'images', name)));
  const gt = await prn.reconstruct(image, { landmarks: xy, outputs: {}, refinePasses: 0 });
  score('ground-truth crop (1.6 × human box)', gt.faces[0]?.landmarks ?? null, xy);
  const det = await prn.reconstruct(image, { outputs: {}, refinePasses: 0 });
  // The detected face nearest the human points' centre.
  const [hx0, hy0, hx1, hy1] = pointsBounds(xy);
  const near = det.faces.map((f) => ({ f, d: Math.hypot(f.box[0] + f.box[2] / 2 - (hx0 + hx1) / 2, f.box[1] + f.box[3] / 2 - (hy0 + hy1) / 2) })).sort((a, b) => a.d - b.d)[0];
  const first = near && near.d < (hx1 - hx0) / 2 ? near.f.landmarks : null;
  if (!first) missed++;
  score('detector crop, no refinement', first, xy);
  score('the pipeline with refinePasses 1 (faces past 45°, 1.7)', first ? (await prn.reconstruct(image, { outputs: {}, refinePasses: 1 })).faces.find((f) => f.box.every((v, q) => v === near!.f.box[q]))?.landmarks ?? null : null, xy);
  const firstYaw = near ? Math.abs(near.f.pose?.yaw ?? 0) : 0;
  for (const f of FACTORS) {
    const refined = first ? (await prn.reconstruct(image, { box: boxFor(first, f), outputs: {}, refinePasses: 0 })).faces[0]?.landmarks ?? null : null;
    score(`refined, ${f.toFixed(2)} × predicted box`, refined, xy);
    if (f === 1.6 || f === 1.7) for (const T of GATES) score(`refined at ${f.toFixed(2)} only when the first pass's |yaw| > ${T}°`, firstYaw > T ? refined : first, xy);
    if (f === PREDICTED_CROP_FACTOR && refined) {
      const twice = (await prn.reconstruct(image, { box: boxFor(refined, f), outputs: {}, refinePasses: 0 })).faces[0]?.landmarks ?? null;
      score(`refined twice, ${f.toFixed(2)} × predicted box`, twice, xy);
    }
  }
}

// AFLW-21's held-out faces (120×120 crops, all poses): scored against their teacher-fitted
// 68 landmarks (the human 21 points are too few for a 68-point NME), by |yaw| bin.
const aflwDir = path.resolve(process.env['PRNET_BENCH_AFLW21'] ?? path.join(root, '../shared/datasets/aflw21'));
const aflwLabels = path.resolve(process.env['PRNET_BENCH_AFLW_LABELS'] ?? path.join(root, 'runs/labels-aflw21-v2'));
const aflwRows = new Map<string, Scores & { bins: number[][] }>();
let aflwMissed = 0, aflwCount = 0;
const { existsSync } = await import('node:fs');
if (!existsSync(path.join(aflwLabels, 'labels.json'))) console.log(`AFLW-21 part skipped: no label set at ${aflwLabels} (prnet label aflw21)`);
else if (!process.env['PRNET_BENCH_SKIP_AFLW']) {
  const limit = Number(process.env['PRNET_BENCH_AFLW_LIMIT'] ?? 1000);
  const put = (name: string, lm: Float32Array | null, ref: Float64Array, bin: number) => {
    const s = aflwRows.get(name) ?? { all: [], inner: [], bins: [[], [], []] };
    aflwRows.set(name, s);
    if (!lm) return;
    const [x0, y0, x1, y1] = pointsBounds(ref);
    const norm = Math.sqrt((x1 - x0) * (y1 - y0));
    let all = 0;
    for (let k = 0; k < 68; k++) all += Math.hypot(lm[3 * k]! - ref[2 * k]!, lm[3 * k + 1]! - ref[2 * k + 1]!);
    s.all.push(all / 68 / norm);
    s.bins[bin]!.push(all / 68 / norm);
  };
  for await (const { image, reference: ref, bin } of aflwValidationFaces({ dataDir: aflwDir, labels: aflwLabels, assets, cacheDir: path.join(root, 'runs/cache'), limit })) {
    aflwCount++;
    put('label crop (1.6 × label box)', (await prn.reconstruct(image, { landmarks: ref, outputs: {}, refinePasses: 0 })).faces[0]?.landmarks ?? null, ref, bin);
    const det = await prn.reconstruct(image, { outputs: {}, refinePasses: 0 });
    const [hx0, hy0, hx1, hy1] = pointsBounds(ref);
    const near = det.faces.map((f) => ({ f, d: Math.hypot(f.box[0] + f.box[2] / 2 - (hx0 + hx1) / 2, f.box[1] + f.box[3] / 2 - (hy0 + hy1) / 2) })).sort((a, b) => a.d - b.d)[0];
    const first = near && near.d < (hx1 - hx0) / 2 ? near.f.landmarks : null;
    if (!first) aflwMissed++;
    put('detector crop, no refinement', first, ref, bin);
    put('the pipeline with refinePasses 1 (faces past 45°, 1.7)', first ? (await prn.reconstruct(image, { outputs: {}, refinePasses: 1 })).faces.find((f) => f.box.every((v, q) => v === near!.f.box[q]))?.landmarks ?? null : null, ref, bin);
    const firstYaw = near ? Math.abs(near.f.pose?.yaw ?? 0) : 0;
    for (const f of FACTORS) {
      const refined = first ? (await prn.reconstruct(image, { box: boxFor(first, f), outputs: {}, refinePasses: 0 })).faces[0]?.landmarks ?? null : null;
      put(`refined, ${f.toFixed(2)} × predicted box`, refined, ref, bin);
      if (f === 1.6 || f === 1.7) for (const T of GATES) put(`refined at ${f.toFixed(2)} only when the first pass's |yaw| > ${T}°`, firstYaw > T ? refined : first, ref, bin);
    }
  }
}
await prn.dispose();

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? NaN;
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(`${helen.valImages.length} held-out helen-afw68 faces, ${missed} missed by the detector (scored apart), ${((Date.now() - t0) / 1000).toFixed(0)} s; model ${path.relative(root, modelPath)}`);
console.log('| crop | faces | NME 68 | NME inner 51 | median inner 51 |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, s] of rows) console.log(`| ${name} | ${s.all.length} | ${(100 * mean(s.all)).toFixed(2)} % | ${(100 * mean(s.inner)).toFixed(2)} % | ${(100 * median(s.inner)).toFixed(2)} % |`);
if (aflwCount) {
  console.log(`\n${aflwCount} held-out AFLW-21 faces (120×120), ${aflwMissed} missed by the detector (scored apart); NME 68 against the teacher-fitted labels`);
  console.log('| crop | faces | NME 68 | 0–30° | 30–60° | 60–90° | yaw-balanced |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, s] of aflwRows) {
    const b = s.bins.map((x) => 100 * mean(x));
    console.log(`| ${name} | ${s.all.length} | ${(100 * mean(s.all)).toFixed(2)} % | ${b.map((x) => `${x.toFixed(2)} % (${s.bins[b.indexOf(x)]!.length})`).join(' | ')} | ${(b.reduce((x, y) => x + y, 0) / 3).toFixed(2)} % |`);
  }
}
