/**
 * Training-data measurements (AFLW-21 pseudo-labels):
 *   node --import tsx bench/trainData.ts speed [--images N] [--labels runs/labels-aflw21-v2]
 *                                                                 batch assembly ms/sample, S = 128 and 256 (all images by default), the
 *                                                                 same faces twice (a run's first epoch, then later ones); --labels: teacher-fitted
 *   node --import tsx bench/trainData.ts fit   [--images 3000]   pose-fit error by yaw bin + pseudo-label error on validation
 *   node --import tsx bench/trainData.ts cv    [--images 600]    leave-one-point-out error, rigid vs deformable fits
 *   node --import tsx bench/trainData.ts aflw2000 [--correspondence start]
 *                                                                 pseudo-label 68 landmarks and pose (fitted to the 21 pt2d) vs AFLW2000-3D pt3d_68 and Pose_Para;
 *                                                                 `start`: the 68-landmark correspondence the refinement began from (docs/training-data.md §1)
 * Reads ../shared (datasets/aflw21, prnet-data/uv-data); decoding caches under runs/cache.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { fitAflw21Poses, loadAflw21TrainingData } from '../src/node/train/trainingData.js';
import { readNpy, npyToFloat64 } from '../src/io/npy.js';
import { readdir, readFile } from 'node:fs/promises';
import { readMatFile } from '../src/node/files/readMatFile.js';
import { aflw2000GroundTruth } from '../src/eval/aflw2000GroundTruth.js';
import { landmarkNme } from '../src/eval/landmarkNme.js';
import { rotationToAflwPose } from '../src/eval/aflwPose.js';
import { POSE_ANGLE_LIMIT } from '../src/eval/evaluateAflw2000.js';
import { POSITION_MAP_SIZE } from '../src/model/resfcn.js';
import { matNumericVariable } from '../src/io/matValues.js';
import { AFLW21_DEFORMATION_REGULARIZATION, AFLW21_DEFORMATION_SHAPES } from '../src/labels/aflwMeanFace/aflw21Deformation.js';
import type { DeformationShape } from '../src/labels/aflwMeanFace/deformationBasis.js';
import { AFLW21_POINT_COUNT, aflw21ModelPoints } from '../src/labels/aflwMeanFace/aflw21Correspondence.js';
import { canonicalPositionMap } from '../src/labels/aflwMeanFace/canonicalPositionMap.js';
import { aflw21Deformation } from '../src/labels/aflwMeanFace/aflw21Deformation.js';
import { fitPose } from '../src/labels/aflwMeanFace/fitPose.js';
import { landmarkError } from '../src/train/data/landmarkError.js';
import { createTrainRandom, shuffledIndices } from '../src/train/loop/trainRandom.js';
import { pointsBounds } from '../src/geometry/pointsBounds.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '../shared');
const dataDir = path.join(shared, 'datasets/aflw21');
const uvDataDir = path.join(shared, 'prnet-data/uv-data');
const mode = process.argv[2] ?? 'speed';
const argImages = process.argv.indexOf('--images');
const images = argImages > 0 ? Number(process.argv[argImages + 1]) : undefined;
const argShapes = process.argv.indexOf('--shapes');
/** Deformation shapes to evaluate (cv, aflw2000), e.g. `--shapes width,lowerFace`. */
const shapes = (argShapes > 0 ? process.argv[argShapes + 1]!.split(',') : [...AFLW21_DEFORMATION_SHAPES]) as DeformationShape[];

const argCorrespondence = process.argv.indexOf('--correspondence');
const correspondence = argCorrespondence > 0 ? process.argv[argCorrespondence + 1]! : 'refined';

/**
 * The 21 AFLW points by the 68-landmark scheme (brows 17/19/21, 22/24/26; eye corners
 * 36/39, 42/45, eye centres the mean of each eye's six; nose 31/30/35; mouth 48, ½(62+66),
 * 54; chin 8), ears as in the refined table: where docs/training-data.md §1 started.
 * Reads any per-pixel UV map (`offset` selects one of several stacked maps); `refined`
 * gives the ear rows.
 */
function aflw21StartPoints(map: Float64Array, offset: number, keypointIndices: ArrayLike<number>, refined: Float64Array): Float64Array {
  const groups: (number[] | null)[] = [
    [17], [19], [21], [22], [24], [26],
    [36], [36, 37, 38, 39, 40, 41], [39], [42], [42, 43, 44, 45, 46, 47], [45],
    null, [31], [30], [35], null,
    [48], [62, 66], [54], [8],
  ];
  const out = new Float64Array(refined);
  groups.forEach((g, j) => {
    if (!g) return;
    for (let c = 0; c < 3; c++) out[j * 3 + c] = g.reduce((a, k) => a + map[offset + keypointIndices[k]! * 3 + c]!, 0) / g.length;
  });
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

async function loadPoints(count?: number) {
  const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(dataDir, 'pts21.npy')))));
  const yaw = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(dataDir, 'yaw.npy')))));
  const total = yaw.length;
  const n = Math.min(total, count ?? total);
  // A seeded random subset, so small runs still cover all poses.
  const pick = shuffledIndices(total, createTrainRandom(123)).slice(0, n);
  const points = new Float32Array(n * 42);
  const yaws = new Float64Array(n);
  pick.forEach((i, k) => { points.set(pts.subarray(i * 42, i * 42 + 42), k * 42); yaws[k] = yaw[i]!; });
  return { points, yaws, n };
}

const YAW_BINS = [0, 30, 60, 90, 181];
function yawBin(y: number) {
  const a = Math.abs(y);
  for (let b = 0; b < YAW_BINS.length - 1; b++) if (a < YAW_BINS[b + 1]!) return b;
  return YAW_BINS.length - 2;
}

async function speed() {
  const argLabels = process.argv.indexOf('--labels');
  const labels = argLabels > 0 ? process.argv[argLabels + 1] : undefined;
  for (const inputSize of [128, 256]) {
    const data = await loadAflw21TrainingData({ dataDir, uvDataDir, inputSize, valCount: 1000, seed: 1, limit: images, cacheDir: path.join(root, 'runs/cache'), labels });
    const rng = createTrainRandom(1);
    for (const augment of [false, true]) {
      // Each face's first batch in a run costs more than its later ones (per-face work is
      // kept, e.g. the depth floor of teacher-label targets): the same faces twice.
      const batches = Array.from({ length: 8 }, () => Array.from({ length: 16 }, () => Math.floor(rng() * data.trainCount)));
      for (const pass of ['first', 'again']) {
        const times: number[] = [];
        for (const idx of batches) {
          const t0 = performance.now();
          await data.batch(idx, rng, augment);
          times.push((performance.now() - t0) / 16);
        }
        console.log(`${labels ? 'teacher-fitted labels' : 'mean-face labels'}, S=${inputSize} augment=${augment}, ${pass === 'first' ? 'faces new to the run' : 'the same faces again'}: median ${median(times).toFixed(2)} ms/sample (batches of 16)`);
      }
    }
  }
}

async function fit() {
  const assets = await loadUvAssets({ dataDir: uvDataDir, download: false });
  const { points, yaws, n } = await loadPoints(images ?? 3000);
  const canon = canonicalPositionMap(assets, { sweeps: 0 });
  const model = aflw21ModelPoints(canon);
  const basis = aflw21Deformation(canon).points;
  for (const deformation of [false, true]) {
    const t0 = performance.now();
    const poses = fitAflw21Poses(points, n, assets, { canonical: canon, deformation });
    console.log(`${deformation ? 'deformable' : 'rigid'}: fitted ${n} images, ${((performance.now() - t0) / n).toFixed(2)} ms/image`);
    const px: number[][] = YAW_BINS.slice(1).map(() => []), nme: number[][] = YAW_BINS.slice(1).map(() => []);
    const perPoint = new Float64Array(21), perPointN = new Float64Array(21);
    for (let i = 0; i < n; i++) {
      const p = poses[i]!, R = p.rotation;
      const pred = new Float64Array(42), truth = new Float64Array(42), vis = new Uint8Array(21);
      let sum = 0, m = 0;
      for (let j = 0; j < 21; j++) {
        let X = model[j * 3]!, Y = model[j * 3 + 1]!, Z = model[j * 3 + 2]!;
        for (let k = 0; k < p.deformation.length; k++) {
          const o = (k * 21 + j) * 3;
          X += p.deformation[k]! * basis[o]!; Y += p.deformation[k]! * basis[o + 1]!; Z += p.deformation[k]! * basis[o + 2]!;
        }
        pred[j * 2] = p.scale * (R[0]! * X + R[1]! * Y + R[2]! * Z) + p.translation[0];
        pred[j * 2 + 1] = p.scale * (R[3]! * X + R[4]! * Y + R[5]! * Z) + p.translation[1];
        truth[j * 2] = points[i * 42 + j]!; truth[j * 2 + 1] = points[i * 42 + 21 + j]!;
        vis[j] = truth[j * 2]! >= 0 ? 1 : 0;
        if (vis[j]) {
          const d = Math.hypot(pred[j * 2]! - truth[j * 2]!, pred[j * 2 + 1]! - truth[j * 2 + 1]!);
          sum += d; m++; perPoint[j] += d; perPointN[j]++;
        }
      }
      const b = yawBin(yaws[i]!);
      px[b]!.push(sum / m);
      nme[b]!.push(landmarkError(pred, truth, vis));
    }
    console.log('  fit error over the visible points (original 450 frame), by |yaw|:');
    for (let b = 0; b < px.length; b++) {
      console.log(`    |yaw| ${YAW_BINS[b]}–${YAW_BINS[b + 1]}°: ${px[b]!.length} images, mean ${mean(px[b]!).toFixed(2)} px, NME ${(100 * mean(nme[b]!)).toFixed(2)} %`);
    }
    console.log(`    all: mean ${mean(px.flat()).toFixed(2)} px, NME ${(100 * mean(nme.flat())).toFixed(2)} %`);
    console.log('  mean px error per point:', Array.from(perPoint, (s, j) => (s / perPointN[j]!).toFixed(1)).join(' '));
    if (deformation) {
      const names = AFLW21_DEFORMATION_SHAPES;
      for (let k = 0; k < names.length; k++) {
        const v = poses.map((p) => p.deformation[k]!);
        console.log(`  deformation ${names[k]}: mean ${mean(v).toFixed(3)}, sd ${Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2))).toFixed(3)}`);
      }
    }
  }
  // Pseudo-label floor on the validation split: the same metric the trainer reports.
  for (const inputSize of [256, 128]) {
    const data = await loadAflw21TrainingData({ dataDir, uvDataDir, assets, inputSize, valCount: 1000, seed: 1, cacheDir: path.join(root, 'runs/cache') });
    const errs: number[] = [];
    for (let s = 0; s < data.valCount; s += 50) {
      const idx = Array.from({ length: Math.min(50, data.valCount - s) }, (_, k) => s + k);
      const b = await data.valBatch(idx);
      errs.push(...data.valLandmarkError(b.targets, idx).perImage);
    }
    console.log(`pseudo-label NME on the validation split (S=${inputSize}, ${errs.length} images): ${(100 * mean(errs)).toFixed(2)} %`);
  }
}

/** Leave-one-point-out: fit without point j, measure j. Rigid vs deformable with a few ridge weights. */
async function cv() {
  const assets = await loadUvAssets({ dataDir: uvDataDir, download: false });
  const { points, yaws, n } = await loadPoints(images ?? 600);
  const canon = canonicalPositionMap(assets, { sweeps: 0 });
  const model = aflw21ModelPoints(canon);
  const basis = aflw21Deformation(canon, shapes).points;
  console.log(`deformation shapes: ${shapes.join(', ')}`);
  const configs: { name: string; basis?: Float64Array; regularization?: number }[] = [
    { name: 'rigid' },
    ...[0.01, 0.1, 1].map((r) => ({ name: `deform λ=${r}`, basis, regularization: r })),
  ];
  for (const cfg of configs) {
    const byBin: number[][] = YAW_BINS.slice(1).map(() => []);
    const inSample: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const img = new Float64Array(42), vis = new Uint8Array(21);
      for (let j = 0; j < 21; j++) {
        img[j * 2] = points[i * 42 + j]!; img[j * 2 + 1] = points[i * 42 + 21 + j]!; vis[j] = img[j * 2]! >= 0 ? 1 : 0;
      }
      const [x0, y0, x1, y1] = pointsBounds(img, 2, (j) => vis[j] === 1);
      const norm = Math.sqrt((x1 - x0) * (y1 - y0));
      const full = fitPose(model, img, vis, { basis: cfg.basis, regularization: cfg.regularization });
      inSample.push(full.rmse / norm);
      let sum = 0, m = 0;
      for (let j = 0; j < 21; j++) {
        if (!vis[j]) continue;
        const v2 = vis.slice(); v2[j] = 0;
        if (v2.reduce((a, b) => a + b, 0) < 4) continue;
        const p = fitPose(model, img, v2, { basis: cfg.basis, regularization: cfg.regularization });
        let X = model[j * 3]!, Y = model[j * 3 + 1]!, Z = model[j * 3 + 2]!;
        for (let k = 0; k < p.deformation.length; k++) {
          const o = (k * 21 + j) * 3;
          X += p.deformation[k]! * basis[o]!; Y += p.deformation[k]! * basis[o + 1]!; Z += p.deformation[k]! * basis[o + 2]!;
        }
        const R = p.rotation;
        const px = p.scale * (R[0]! * X + R[1]! * Y + R[2]! * Z) + p.translation[0];
        const py = p.scale * (R[3]! * X + R[4]! * Y + R[5]! * Z) + p.translation[1];
        sum += Math.hypot(px - img[j * 2]!, py - img[j * 2 + 1]!); m++;
      }
      if (m) byBin[yawBin(yaws[i]!)]!.push(sum / m / norm);
    }
    const dt = (performance.now() - t0) / 1000;
    console.log(`${cfg.name}: held-out NME ${(100 * mean(byBin.flat())).toFixed(2)} % (by |yaw| bin: ${byBin.map((b) => (100 * mean(b)).toFixed(2)).join(' / ')}), in-sample RMSE/norm ${(100 * mean(inSample)).toFixed(2)} %, ${dt.toFixed(0)} s`);
  }
}

/** How good is a pseudo-label? Fit the 21 AFLW points of the AFLW2000-3D sample and compare the 68 landmarks with the 3DMM ground truth. */
async function aflw2000() {
  const assets = await loadUvAssets({ dataDir: uvDataDir, download: false });
  const dir = path.join(shared, 'fixtures/aflw2000-sample');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.mat')).sort();
  const canon = canonicalPositionMap(assets, { sweeps: 0 });
  const deform = aflw21Deformation(canon, shapes);
  let model = aflw21ModelPoints(canon);
  if (correspondence === 'start') {
    // The basis is linear in position, so a group's mean basis value is the basis at its mean point.
    const points = new Float64Array(deform.points.length);
    const mapStride = POSITION_MAP_SIZE * POSITION_MAP_SIZE * 3, pointStride = AFLW21_POINT_COUNT * 3;
    for (let k = 0; k < shapes.length; k++) {
      const refined = deform.points.subarray(k * pointStride, (k + 1) * pointStride);
      points.set(aflw21StartPoints(deform.map, k * mapStride, assets.keypointIndices, refined), k * pointStride);
    }
    deform.points = points;
    model = aflw21StartPoints(canon, 0, assets.keypointIndices, model);
  }
  console.log(`correspondence: ${correspondence}; deformation shapes: ${shapes.join(', ')}`);
  for (const deformation of [false, true]) {
    const n2: number[] = [], n3: number[] = [];
    // Signed pose errors (fit − Pose_Para), to tell a bias of the labels from noise.
    const poseErr: Record<'yaw' | 'pitch' | 'roll', number[]> = { yaw: [], pitch: [], roll: [] };
    for (const f of files) {
      const mat = await readMatFile(path.join(dir, f));
      const gt = aflw2000GroundTruth(mat, f);
      const pt2d = matNumericVariable(mat, 'pt2d', [2, 21], f).data;
      const img = new Float64Array(42), vis = new Uint8Array(21);
      for (let j = 0; j < 21; j++) { img[j * 2] = pt2d[j]!; img[j * 2 + 1] = pt2d[21 + j]!; vis[j] = pt2d[j]! >= 0 ? 1 : 0; }
      const p = fitPose(model, img, vis, deformation ? { basis: deform.points, regularization: AFLW21_DEFORMATION_REGULARIZATION } : {});
      const pred = new Float64Array(68 * 3), R = p.rotation;
      for (let j = 0; j < 68; j++) {
        const q = assets.keypointIndices[j]! * 3;
        let X = canon[q]!, Y = canon[q + 1]!, Z = canon[q + 2]!;
        for (let k = 0; k < p.deformation.length; k++) {
          const o = k * 65536 * 3 + q;
          X += p.deformation[k]! * deform.map[o]!; Y += p.deformation[k]! * deform.map[o + 1]!; Z += p.deformation[k]! * deform.map[o + 2]!;
        }
        pred[j * 3] = p.scale * (R[0]! * X + R[1]! * Y + R[2]! * Z) + p.translation[0];
        pred[j * 3 + 1] = p.scale * (R[3]! * X + R[4]! * Y + R[5]! * Z) + p.translation[1];
        pred[j * 3 + 2] = p.scale * (R[6]! * X + R[7]! * Y + R[8]! * Z);
      }
      n2.push(landmarkNme(pred, gt.landmarks, 2)); n3.push(landmarkNme(pred, gt.landmarks, 3));
      const angles = rotationToAflwPose(p.rotation);
      if (Math.max(Math.abs(gt.pose.yaw), Math.abs(gt.pose.pitch), Math.abs(gt.pose.roll)) <= POSE_ANGLE_LIMIT) {
        for (const k of ['yaw', 'pitch', 'roll'] as const) poseErr[k].push(angles[k] - gt.pose[k]);
      }
    }
    const poseLine = (['yaw', 'pitch', 'roll'] as const)
      .map((k) => `${k} ${mean(poseErr[k]).toFixed(1)}° signed / ${mean(poseErr[k].map(Math.abs)).toFixed(1)}° abs`)
      .join(', ');
    console.log(`${deformation ? 'deformable' : 'rigid'} fit to pt2d (${files.length} AFLW2000-3D images): 68-landmark NME 2D ${(100 * mean(n2)).toFixed(2)} %, 3D ${(100 * mean(n3)).toFixed(2)} % (bbox-normalised, as in the paper); pose error ${poseLine}`);
  }
}

if (mode === 'speed') await speed();
else if (mode === 'aflw2000') await aflw2000();
else if (mode === 'fit') await fit();
else if (mode === 'cv') await cv();
else throw new Error(`unknown mode ${mode}: speed | fit | cv | aflw2000`);
