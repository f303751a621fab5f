/**
 * Re-measures `BLAZEFACE_CENTER_SHIFT` and `BLAZEFACE_CROP_FACTOR` (src/face/cropFromDetection.ts):
 * on the AFLW2000-3D sample (ground-truth `pt3d_68`), the crop PRNet wants is the landmark
 * box × 1.6 (`BOX_CROP_FACTOR`): centre = box centre, side = 1.6 · mean box side. For each
 * image, BlazeFace's face (the one nearest the ground truth when there are several) gives
 * a box centre c_d and size s_d = (w + h) / 2; least squares then fits
 *   centre_gt = c_d + shift · s_d   and   side_gt = factor · s_d.
 * Prints the fit, the current constants, and the residual error each leaves (as a fraction
 * of the crop side). Run: `npm run bench -- calibrateDetector`.
 *
 * The constants are fitted on training faces, not on the benchmark: with
 * `PRNET_BENCH_CALIBRATE_ON=helen` the faces are helen-afw68's training split (the faces
 * `prnet train` does not hold out; 256-pixel photos with the face in context) and the crop
 * wanted is 1.6 × the box of their teacher-fitted 68 landmarks (the convention the model
 * learnt, and AFLW2000-3D's); it needs `runs/labels-helen`. The fixtures then only report.
 *
 * It also times the detector on these 450×450 photos (decoded beforehand; median of 5 runs
 * per photo after a warm-up), on each runtime of `PRNET_BENCH_DETECTOR` (default
 * `onnx,tfjs`; the fit uses the first), and prints how far the runtimes' boxes differ.
 * For stable times on a shared machine, pause other work around it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMatAsync } from '../src/io/matAsync.js';
import { aflw2000GroundTruth } from '../src/eval/aflw2000GroundTruth.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { loadDetector } from '../src/node/inference/detector.js';
import { BOX_CROP_FACTOR } from '../src/face/cropTransform.js';
import { BLAZEFACE_CENTER_SHIFT, BLAZEFACE_CROP_FACTOR } from '../src/face/cropFromDetection.js';
import { cropFromLandmarks } from '../src/face/cropFromLandmarks.js';

const dir = fileURLToPath(new URL('../../shared/fixtures/aflw2000-sample/', import.meta.url));
const runtimes = (process.env.PRNET_BENCH_DETECTOR ?? 'onnx,tfjs').split(',') as Array<'onnx' | 'tfjs'>;
type Row = { name: string; sd: number; cd: [number, number]; cg: [number, number]; sg: number; box: number[]; score: number };
const samples: Array<{ name: string; image: Awaited<ReturnType<typeof decodeImage>>; want: ReturnType<typeof cropFromLandmarks> }> = [];
const onHelen = process.env.PRNET_BENCH_CALIBRATE_ON === 'helen';
if (onHelen) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const labels = path.join(root, 'runs/labels-helen');
  const { loadHelenAfw68TrainingData } = await import('../src/node/train/helenTrainingData.js');
  const { readLabelSet } = await import('../src/node/train/labels/labelSetFiles.js');
  const { loadUvAssets } = await import('../src/node/inference/uvAssets.js');
  const set = await readLabelSet(labels);
  // The same split as prnet train (300 held out, seed 1): calibrate on the training faces only.
  const helen = await loadHelenAfw68TrainingData({ labels, assets: await loadUvAssets(), inputSize: 128, valCount: 300, seed: 1, cacheDir: path.join(root, 'runs/cache'), log: () => {} });
  const limit = Number(process.env.PRNET_BENCH_CALIBRATE_LIMIT ?? 600);
  for (const i of helen.trainImages.slice(0, limit)) {
    const name = set.info.images[i]!;
    samples.push({ name, image: await decodeImage(path.join(set.info.dataDir, 'images', name)), want: cropFromLandmarks(helen.fittedLandmarks(i)) });
  }
}
for (const f of onHelen ? [] : (await readdir(dir)).filter((f) => f.endsWith('.mat')).sort()) {
  const name = f.slice(0, -4);
  const gt = aflw2000GroundTruth(await parseMatAsync(new Uint8Array(await readFile(path.join(dir, f))), f), f);
  const xy = new Float64Array(136);
  for (let i = 0; i < 68; i++) { xy[2 * i] = gt.landmarks[3 * i]!; xy[2 * i + 1] = gt.landmarks[3 * i + 1]!; }
  samples.push({ name, image: await decodeImage(path.join(dir, `${name}.jpg`)), want: cropFromLandmarks(xy) }); // landmark box × BOX_CROP_FACTOR
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const byRuntime = new Map<string, Row[]>();
for (const runtime of runtimes) {
  const detector = await loadDetector({ minScore: 0.3, runtime });
  for (const s of samples.slice(0, 3)) await detector.detect(s.image); // warm-up (JIT, wasm, ORT's first runs)
  const found: Row[] = [];
  const perPhoto: number[] = [];
  for (const { name, image, want } of samples) {
    const ms: number[] = [];
    let faces = await detector.detect(image);
    for (let r = 0; r < (onHelen ? 1 : 5); r++) {
      const t = performance.now();
      faces = await detector.detect(image);
      ms.push(performance.now() - t);
    }
    perPhoto.push(median(ms));
    if (faces.length === 0) { console.log(`${runtime}: ${name}: no face detected (skipped)`); continue; }
    // The annotated face is the detection nearest the ground-truth centre.
    const dist = (b: number[]) => Math.hypot(b[0]! + b[2]! / 2 - want.center[0], b[1]! + b[3]! / 2 - want.center[1]);
    const best = faces.reduce((a, b) => (dist(b.box) < dist(a.box) ? b : a));
    const [x, y, w, h] = best.box;
    found.push({ name, sd: (w + h) / 2, cd: [x + w / 2, y + h / 2], cg: want.center, sg: want.size, box: best.box, score: best.score });
  }
  detector.dispose();
  const sorted = [...perPhoto].sort((a, b) => a - b);
  console.log(`${runtime}: ${median(perPhoto).toFixed(2)} ms per photo (median of ${perPhoto.length} 450×450 photos; fastest ${sorted[0]!.toFixed(2)}, slowest ${sorted[sorted.length - 1]!.toFixed(2)}); a face in ${found.length} of ${samples.length}, ${found.filter((r) => r.score >= 0.5).length} above the default score 0.5`);
  byRuntime.set(runtime, found);
}
const rows = byRuntime.get(runtimes[0]!)!;
if (runtimes.length > 1) {
  const other = byRuntime.get(runtimes[1]!)!;
  let box = 0, score = 0;
  for (const r of rows) {
    const o = other.find((q) => q.name === r.name);
    if (!o) continue;
    for (let q = 0; q < 4; q++) box = Math.max(box, Math.abs(r.box[q]! - o.box[q]!));
    score = Math.max(score, Math.abs(r.score - o.score));
  }
  console.log(`${runtimes[0]} vs ${runtimes[1]}: boxes differ by at most ${box.toExponential(2)} px, scores by ${score.toExponential(2)}`);
}

let ss = 0, ax = 0, ay = 0, as = 0;
for (const r of rows) {
  ss += r.sd * r.sd;
  ax += r.sd * (r.cg[0] - r.cd[0]);
  ay += r.sd * (r.cg[1] - r.cd[1]);
  as += r.sd * r.sg;
}
const fit = { shiftX: ax / ss, shiftY: ay / ss, factor: as / ss };

function residuals(shiftY: number, factor: number, shiftX = 0): { center: number; size: number } {
  let c = 0, s = 0;
  for (const r of rows) {
    c += (Math.hypot(r.cd[0] + shiftX * r.sd - r.cg[0], r.cd[1] + shiftY * r.sd - r.cg[1]) / r.sg) ** 2;
    s += ((factor * r.sd - r.sg) / r.sg) ** 2;
  }
  return { center: Math.sqrt(c / rows.length), size: Math.sqrt(s / rows.length) };
}

const current = residuals(BLAZEFACE_CENTER_SHIFT, BLAZEFACE_CROP_FACTOR);
const fitted = residuals(fit.shiftY, fit.factor, fit.shiftX);
console.log(`fit on ${runtimes[0]}'s boxes, images: ${rows.length} (landmark crop = box × ${BOX_CROP_FACTOR})`);
console.log(`fitted:  centre shift x ${fit.shiftX.toFixed(4)}, y ${fit.shiftY.toFixed(4)} · size; crop factor ${fit.factor.toFixed(4)}  → rms centre error ${(100 * fitted.center).toFixed(2)} %, size error ${(100 * fitted.size).toFixed(2)} % of the crop side`);
console.log(`current: BLAZEFACE_CENTER_SHIFT ${BLAZEFACE_CENTER_SHIFT}, BLAZEFACE_CROP_FACTOR ${BLAZEFACE_CROP_FACTOR}  → rms centre error ${(100 * current.center).toFixed(2)} %, size error ${(100 * current.size).toFixed(2)} %`);
const none = residuals(0, BOX_CROP_FACTOR);
console.log(`uncalibrated (box × ${BOX_CROP_FACTOR}, no shift): rms centre error ${(100 * none.center).toFixed(2)} %, size error ${(100 * none.size).toFixed(2)} %`);
