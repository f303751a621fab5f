/**
 * Whether `flipAverage` (run each crop and its mirror image, average the two maps) pays for
 * its second network run, measured on validation faces, not the benchmark: the 300
 * helen-afw68 photos and the first AFLW-21 faces that training holds out (the seeded splits of
 * `prnet train`). Each face goes through the real path (detector crop) and through the
 * evaluation protocol's crop (1.6 × the box of the reference points), with and without the
 * mirror run. helen is scored against its human 68 points (all 68 and the inner 51, whose
 * jaw-free NME is the fairer one: 300-W's jaw follows the visible contour, the model's the 3D
 * one); AFLW-21 against its teacher-fitted 68 landmarks, by |yaw| bin. Also the time of one
 * `reconstruct` call with and without the mirror run.
 *
 * Run: `npm run bench -- flipAverage` (needs `runs/labels-helen` and, for AFLW-21,
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
import type { RgbImage } from '../src/io/rgbImage.js';
import { aflwValidationFaces } from './lib/aflwValidationFaces.js';
import { VALIDATION_SETS } from './lib/validationSets.js';

const { root, modelPath, helenLabels, aflwLabels, helenDir, aflwDir, aflwLimit } = VALIDATION_SETS;
const SEED = 1;

if (!existsSync(path.join(helenLabels, 'labels.json'))) {
  console.log(`skipped: no label set at ${helenLabels} (prnet label helen-afw68 …, see training/gpu-teacher-light/README.md)`);
  process.exit(0);
}
const assets = await loadUvAssets();
const prn = await PRNet.load({ model: modelPath, threads: 2 });

/** NME over √(w·h) of the reference points' box, for the points `from…67`. */
function nme(lm: Float32Array, ref: ArrayLike<number>, from = 0): number {
  const [x0, y0, x1, y1] = pointsBounds(ref);
  let sum = 0;
  for (let k = from; k < 68; k++) sum += Math.hypot(lm[3 * k]! - ref[2 * k]!, lm[3 * k + 1]! - ref[2 * k + 1]!);
  return sum / (68 - from) / Math.sqrt((x1 - x0) * (y1 - y0));
}

/** The detected face nearest the reference points' centre, or undefined when none is within half their width. */
async function detectorLandmarks(image: RgbImage, ref: ArrayLike<number>, flipAverage: boolean): Promise<Float32Array | undefined> {
  const det = await prn.reconstruct(image, { outputs: {}, flipAverage });
  const [x0, y0, x1, y1] = pointsBounds(ref);
  const near = det.faces.map((f) => ({ f, d: Math.hypot(f.box[0] + f.box[2] / 2 - (x0 + x1) / 2, f.box[1] + f.box[3] / 2 - (y0 + y1) / 2) })).sort((a, b) => a.d - b.d)[0];
  return near && near.d < (x1 - x0) / 2 ? near.f.landmarks : undefined;
}

type Row = { scores: number[][]; missed: number };
const ROWS = ['detector crop', 'detector crop, flip-averaged', 'reference crop', 'reference crop, flip-averaged'] as const;
const newRows = (parts: number) => new Map(ROWS.map((r) => [r, { scores: Array.from({ length: parts }, () => []), missed: 0 } as Row]));

/** Runs the four rows on one face; `put(row, landmarks)` scores them. */
async function runFace(image: RgbImage, ref: ArrayLike<number>, put: (row: (typeof ROWS)[number], lm: Float32Array | undefined) => void): Promise<void> {
  for (const flip of [false, true]) {
    put(flip ? 'detector crop, flip-averaged' : 'detector crop', await detectorLandmarks(image, ref, flip));
    put(flip ? 'reference crop, flip-averaged' : 'reference crop', (await prn.reconstruct(image, { landmarks: ref, outputs: {}, flipAverage: flip })).faces[0]?.landmarks);
  }
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const t0 = Date.now();

// helen-afw68: photos with the face in context, human 68 points.
const { loadHelenAfw68TrainingData } = await import('../src/node/train/helenTrainingData.js');
const helen = await loadHelenAfw68TrainingData({ labels: helenLabels, assets, inputSize: 128, valCount: 300, seed: SEED, cacheDir: path.join(root, 'runs/cache'), log: () => {} });
const helenNames = (await readFile(path.join(helenDir, 'images.txt'), 'utf8')).split('\n').filter(Boolean);
const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(helenDir, 'pts68.npy')))));
const helenRows = newRows(2);
for (const i of helen.valImages) {
  const xy = new Float64Array(136);
  for (let k = 0; k < 68; k++) { xy[2 * k] = pts[i * 136 + k]!; xy[2 * k + 1] = pts[i * 136 + 68 + k]!; }
  const image = await decodeImage(await readFile(path.join(helenDir, 'images', helenNames[i]!)));
  await runFace(image, xy, (row, lm) => {
    const r = helenRows.get(row)!;
    if (!lm) r.missed++;
    else { r.scores[0]!.push(nme(lm, xy)); r.scores[1]!.push(nme(lm, xy, 17)); }
  });
}
console.log(`${helen.valImages.length} held-out helen-afw68 photos (human 68 points), ${((Date.now() - t0) / 1000).toFixed(0)} s; model ${path.relative(root, modelPath)}`);
console.log('| crop | faces | missed | NME 68 | NME inner 51 |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, r] of helenRows) console.log(`| ${name} | ${r.scores[0]!.length} | ${r.missed} | ${(100 * mean(r.scores[0]!)).toFixed(2)} % | ${(100 * mean(r.scores[1]!)).toFixed(2)} % |`);

// AFLW-21: 120-pixel crops of all poses, against their teacher-fitted 68 landmarks.
if (!existsSync(path.join(aflwLabels, 'labels.json'))) console.log(`\nAFLW-21 part skipped: no label set at ${aflwLabels} (prnet label aflw21)`);
else if (aflwLimit > 0) {
  const aflwRows = newRows(3);
  let faces = 0;
  for await (const { image, reference, bin } of aflwValidationFaces({ dataDir: aflwDir, labels: aflwLabels, assets, cacheDir: path.join(root, 'runs/cache'), limit: aflwLimit })) {
    faces++;
    await runFace(image, reference, (row, lm) => {
      const r = aflwRows.get(row)!;
      if (!lm) r.missed++;
      else r.scores[bin]!.push(nme(lm, reference));
    });
  }
  console.log(`\n${faces} held-out AFLW-21 faces (120×120), NME 68 against the teacher-fitted labels (faces per bin)`);
  console.log('| crop | missed | 0–30° | 30–60° | 60–90° | yaw-balanced |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, r] of aflwRows) {
    const bins = r.scores.map((s) => 100 * mean(s));
    console.log(`| ${name} | ${r.missed} | ${bins.map((b, j) => `${b.toFixed(2)} % (${r.scores[j]!.length})`).join(' | ')} | ${(bins.reduce((x, y) => x + y, 0) / 3).toFixed(2)} % |`);
  }
}

// The time a user pays: one photo through `reconstruct` (JSON outputs), medians of 15.
const photo = await decodeImage(await readFile(path.join(root, '../shared/fixtures/photos/photo4.jpg')));
for (const flipAverage of [false, true]) {
  for (let i = 0; i < 3; i++) await prn.reconstruct(photo, { flipAverage });
  const ms: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    await prn.reconstruct(photo, { flipAverage });
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`reconstruct(photo4.jpg)${flipAverage ? ', flip-averaged' : ''}: ${ms[7]!.toFixed(1)} ms median`);
}
await prn.dispose();
