import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { npyToFloat64, readNpy } from '../../../src/io/npy.js';
import os from 'node:os';
import path from 'node:path';
import { POSITION_MAP_SCALE } from '../../../src/model/resfcn.js';
import { loadAflw21TrainingData } from '../../../src/node/train/trainingData.js';
import { aflw21ModelPoints, AFLW21_UV } from '../../../src/labels/aflwMeanFace/aflw21Correspondence.js';
import { canonicalPositionMap } from '../../../src/labels/aflwMeanFace/canonicalPositionMap.js';
import { cropMatrix } from '../../../src/train/data/cropSquare.js';
import { affineInvert } from '../../../src/geometry/affine2d.js';
import { NO_AUGMENTATION } from '../../../src/train/data/augmentation.js';
import { landmarkError } from '../../../src/train/data/landmarkError.js';
import { createTrainingData, type Aflw21Source } from '../../../src/train/data/trainingData.js';
import { trainingCrop } from '../../../src/train/data/trainingCrop.js';
import type { FittedPose } from '../../../src/labels/aflwMeanFace/fitPose.js';
import { createTrainRandom } from '../../../src/train/loop/trainRandom.js';
import { aflwDir, eulerRotation, testAssets } from './support.js';

const LIMIT = 48;
let cached: ReturnType<typeof loadAflw21TrainingData> | undefined;
const realData = async () => {
  cached ??= loadAflw21TrainingData({ dataDir: aflwDir, assets: await testAssets(), inputSize: 256, valCount: 12, seed: 3, cacheDir: null, limit: LIMIT });
  return cached;
};

test('real AFLW images: the pose fit error is below the measured level', async () => {
  const data = await realData();
  // Measured (bench/trainData.ts fit): 5.5 px / NME 3.4 % on 3,000 images; on these 48: mean RMSE 6.3 px, max 12.4.
  let sum = 0;
  for (let i = 0; i < LIMIT; i++) {
    const pose = data.poses[i]!;
    assert.ok(pose.rmse >= 0 && pose.rmse < 25, `image ${i}: rmse ${pose.rmse} px`);
    sum += pose.rmse;
  }
  const meanRmse = sum / LIMIT;
  assert.ok(meanRmse < 8, `mean fit RMSE ${meanRmse.toFixed(2)} px`);
  // The pseudo-labels on the validation split, scored like a network's prediction.
  const idx = Array.from({ length: data.valCount }, (_, i) => i);
  const { nme, perImage } = data.valLandmarkError((await data.valBatch(idx)).targets, idx);
  // Measured: 3.5 % on these 12 (3.4 % on the full 1,000-image split).
  assert.ok(nme > 0.005 && nme < 0.045, `pseudo-label NME ${nme}`);
  assert.equal(perImage.length, data.valCount);
});

test('the map\'s landmark pixels reproject onto the fitted 2D landmarks', async () => {
  const assets = await testAssets();
  const data = await realData();
  const idx = [0, 1, 2, 3, 4];
  const { targets } = await data.valBatch(idx);
  for (const b of idx) {
    const image = data.valImages[b]!;
    const fitted = data.fittedLandmarks(image);
    const back = affineInvert(cropMatrix(trainingCrop(fitted, NO_AUGMENTATION), 256));
    for (let j = 0; j < 68; j++) {
      const o = b * 256 * 256 * 3 + assets.keypointIndices[j]! * 3;
      const x = targets[o]! * POSITION_MAP_SCALE, y = targets[o + 1]! * POSITION_MAP_SCALE;
      const ox = back[0]! * x + back[1]! * y + back[2]!, oy = back[3]! * x + back[4]! * y + back[5]!;
      assert.ok(Math.hypot(ox - fitted[j * 2]!, oy - fitted[j * 2 + 1]!) < 0.01, `image ${image} landmark ${j}`);
    }
  }
});

test('valLandmarkError: equals an independent computation and grows with a perturbed prediction', async () => {
  const data = await realData();
  const idx = [0, 1, 2];
  const { targets } = await data.valBatch(idx);
  const base = data.valLandmarkError(targets, idx);
  // Independent: the human annotations from pts21.npy into the 256 crop, the map read at the 21 UV pixels.
  const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(aflwDir, 'pts21.npy')))));
  for (const b of idx) {
    const image = data.valImages[b]!;
    const A = cropMatrix(trainingCrop(data.fittedLandmarks(image), NO_AUGMENTATION), 256);
    let sum = 0, m = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let j = 0; j < 21; j++) {
      const x = pts[image * 42 + j]!, y = pts[image * 42 + 21 + j]!;
      if (x < 0) continue;
      const tx = A[0]! * x + A[1]! * y + A[2]!, ty = A[3]! * x + A[4]! * y + A[5]!;
      const [u, v] = AFLW21_UV[j]!;
      const o = b * 256 * 256 * 3 + (v * 256 + u) * 3;
      sum += Math.hypot(targets[o]! * POSITION_MAP_SCALE - tx, targets[o + 1]! * POSITION_MAP_SCALE - ty);
      m++;
      x0 = Math.min(x0, tx); x1 = Math.max(x1, tx); y0 = Math.min(y0, ty); y1 = Math.max(y1, ty);
    }
    const want = sum / m / Math.sqrt((x1 - x0) * (y1 - y0));
    assert.ok(Math.abs(base.perImage[b]! - want) < 1e-6, `image ${image}: ${base.perImage[b]} vs ${want}`);
  }
  // Independent: annotations into the crop with a hand-built transform, map read at the UV pixels.
  const shifted = targets.slice();
  for (let i = 0; i < shifted.length; i += 3) shifted[i] += 3 / POSITION_MAP_SCALE; // 3 px to the right
  const worse = data.valLandmarkError(shifted, idx);
  for (let b = 0; b < 3; b++) assert.ok(worse.perImage[b]! > base.perImage[b]!, `image ${b}`);
  assert.ok(Math.abs(base.nme - (base.perImage[0]! + base.perImage[1]! + base.perImage[2]!) / 3) < 1e-12);
  // landmarkError by hand: two points, box 10 × 40 → norm 20; errors 2 and 0 → mean 1 → 0.05.
  assert.ok(Math.abs(landmarkError([2, 0, 10, 40, 99, 99], [0, 0, 10, 40, 5, 5], [1, 1, 0]) - 0.05) < 1e-12);
  assert.throws(() => data.valLandmarkError(new Float32Array(5), [0]), /need/);
  assert.throws(() => data.valLandmarkError(targets, [0, 1, 99]), /out of range|need/);
});

test('batches are deterministic for a seed and differ across seeds', async () => {
  const data = await realData();
  const idx = [0, 5, 7, 2];
  const a = await data.batch(idx, createTrainRandom(42), true);
  const b = await data.batch(idx, createTrainRandom(42), true);
  const c = await data.batch(idx, createTrainRandom(43), true);
  assert.deepEqual(a.inputs, b.inputs);
  assert.deepEqual(a.targets, b.targets);
  assert.notDeepEqual(a.targets, c.targets);
  const plain = await data.batch(idx, createTrainRandom(1), false);
  const plain2 = await data.batch(idx, createTrainRandom(2), false);
  assert.deepEqual(plain.targets, plain2.targets); // no augmentation: rng unused
  assert.equal(a.size, 4);
  assert.equal(a.inputs.length, 4 * 256 * 256 * 3);
  for (const v of a.inputs) if (!(v >= 0 && v <= 1)) assert.fail(`input value ${v} outside [0, 1]`);
});

test('flip: u → 255 − u mirrors the canonical face onto itself and the 68 landmarks onto their partners', async () => {
  const assets = await testAssets();
  const N = 256;
  const index = new Int32Array(N * N).fill(-1);
  assets.faceIndices.forEach((p, i) => { index[p] = i; });
  const C = assets.canonicalVertices;
  // Mirror axis of the mean face (it is not exactly at x = 0).
  let cx = 0, m = 0;
  const pairs: [number, number][] = [];
  assets.faceIndices.forEach((p, i) => {
    const x = p % N, y = (p - x) / N;
    const j = index[y * N + (N - 1 - x)]!;
    if (j >= 0) { pairs.push([i, j]); cx += (C[i * 3]! + C[j * 3]!) / 2; m++; }
  });
  cx /= m;
  assert.ok(pairs.length > 0.999 * assets.faceIndices.length, `${pairs.length} mirrored face pixels`);
  const errs = pairs.map(([i, j]) => Math.max(Math.abs(C[j * 3]! - (2 * cx - C[i * 3]!)), Math.abs(C[j * 3 + 1]! - C[i * 3 + 1]!), Math.abs(C[j * 3 + 2]! - C[i * 3 + 2]!))).sort((a, b) => a - b);
  // Face ≈ 212 units wide: 99.9 % of the pixels mirror within 1.5 units (0.7 %).
  assert.ok(errs[Math.floor(errs.length * 0.999)]! < 1.5, `99.9th percentile ${errs[Math.floor(errs.length * 0.999)]}`);
  const partner = [...Array.from({ length: 17 }, (_, i) => 16 - i), ...Array.from({ length: 10 }, (_, i) => 26 - i), 27, 28, 29, 30, 35, 34, 33, 32, 31,
    45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40, 54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, 64, 63, 62, 61, 60, 67, 66, 65];
  for (let j = 0; j < 68; j++) {
    const p = assets.keypointIndices[j]!, q = assets.keypointIndices[partner[j]!]!;
    const [pu, pv, qu, qv] = [p % N, Math.floor(p / N), q % N, Math.floor(q / N)];
    assert.ok(Math.abs(N - 1 - pu - qu) <= 1 && Math.abs(pv - qv) <= 1, `landmark ${j} (${pu},${pv}) vs partner ${partner[j]} (${qu},${qv})`);
  }
});

/** A synthetic data set: one face pose, a black 120×120 file with a bright dot at one landmark. */
async function dotData(landmark: number, inputSize: number) {
  const assets = await testAssets();
  const canon = canonicalPositionMap(assets, { sweeps: 0 });
  const R = eulerRotation(20, -10, 8), s = 0.9, t: [number, number] = [240, 20]; // canonical y ≈ 150…360
  const pose: FittedPose = { rotation: R, scale: s, translation: t, deformation: new Float64Array(0), rmse: 0 };
  const p = assets.keypointIndices[landmark]! * 3;
  const ox = s * (R[0]! * canon[p]! + R[1]! * canon[p + 1]! + R[2]! * canon[p + 2]!) + t[0];
  const oy = s * (R[3]! * canon[p]! + R[4]! * canon[p + 1]! + R[5]! * canon[p + 2]!) + t[1];
  const roi = [60, 70, 420, 430];
  const size = 120;
  const img = new Uint8Array(size * size * 3);
  const fx = ((ox - roi[0]!) * size) / (roi[2]! - roi[0]!), fy = ((oy - roi[1]!) * size) / (roi[3]! - roi[1]!);
  // A small Gaussian blob (smooth, so the centroid after resampling is its centre).
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const v = Math.round(255 * Math.exp(-((x - fx) ** 2 + (y - fy) ** 2) / (2 * 1.2 ** 2)));
    img.fill(v, (y * size + x) * 3, (y * size + x) * 3 + 3);
  }
  const model = aflw21ModelPoints(canon);
  const points = new Float32Array(42);
  for (let j = 0; j < 21; j++) {
    points[j] = s * (R[0]! * model[j * 3]! + R[1]! * model[j * 3 + 1]! + R[2]! * model[j * 3 + 2]!) + t[0];
    points[21 + j] = s * (R[3]! * model[j * 3]! + R[4]! * model[j * 3 + 1]! + R[5]! * model[j * 3 + 2]!) + t[1];
  }
  // Two copies: index 0 validation, index 1 training.
  const source: Aflw21Source = {
    count: 2, imageSize: size, images: new Uint8Array([...img, ...img]),
    points: new Float32Array([...points, ...points]), roiBoxes: new Float32Array([...roi, ...roi]),
  };
  return createTrainingData(source, [pose, pose], assets, { inputSize, valCount: 1, seed: 1, augmentation: { occlusionProbability: 0, colorRange: [1, 1] } });
}

test('images with an implausible fit are left out of both splits', async () => {
  const assets = await testAssets();
  const base = await dotData(36, 128);
  const pose = base.poses[0]!;
  const src = { count: 5, imageSize: 120, images: new Uint8Array(5 * 120 * 120 * 3), points: new Float32Array(5 * 42), roiBoxes: new Float32Array(5 * 4) };
  for (let i = 0; i < 5; i++) {
    // Two visible points 100 px apart in x and y: normaliser √(100·100) = 100.
    src.points.fill(-1, i * 42, i * 42 + 42);
    src.points[i * 42] = 100; src.points[i * 42 + 21] = 100; src.points[i * 42 + 1] = 200; src.points[i * 42 + 22] = 200;
    src.roiBoxes.set([0, 0, 450, 450], i * 4);
  }
  const poses = [0, 1, 2, 3, 4].map((i) => ({ ...pose, rmse: i === 2 ? 16 : 14 })); // limit 0.15 · 100 = 15 px
  const data = createTrainingData(src, poses, assets, { inputSize: 128, valCount: 1, seed: 1 });
  assert.deepEqual(Array.from(data.excludedImages), [2]);
  assert.equal(data.trainCount + data.valCount, 4);
  assert.ok(![...data.trainImages, ...data.valImages].includes(2));
  assert.throws(() => createTrainingData(src, poses, assets, { inputSize: 128, valCount: 4, seed: 1 }), /valCount must be in \[0, 4\)/);
});

/** Intensity-weighted centroid of the bright pixels of crop `b`. */
function brightCentroid(inputs: Float32Array, side: number): [number, number] {
  let sx = 0, sy = 0, sw = 0, max = 0;
  for (let i = 0; i < side * side; i++) max = Math.max(max, inputs[i * 3]!);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const v = inputs[(y * side + x) * 3]!;
    if (v > 0.2 * max) { sx += v * x; sy += v * y; sw += v; }
  }
  return [sx / sw, sy / sw];
}

for (const inputSize of [256, 128]) {
  test(`augmentation keeps image and map consistent: a dot at a landmark stays under the map's landmark (S = ${inputSize}, with flips)`, async () => {
    const assets = await testAssets();
    const L = 36; // left eye outer corner: off the midline, so a flip must swap it with 45
    const data = await dotData(L, inputSize);
    const rng = createTrainRandom(77);
    let flips = 0;
    for (let trial = 0; trial < 12; trial++) {
      const state = rng.state;
      const b = await data.batch([0], rng, true);
      // Re-draw the same augmentation to know whether it flipped.
      const probe = createTrainRandom(0); probe.state = state;
      const { sampleAugmentation } = await import('../../../src/train/data/augmentation.js');
      const flip = sampleAugmentation(probe, { occlusionProbability: 0, colorRange: [1, 1] }).flip;
      if (flip) flips++;
      const [dx, dy] = brightCentroid(b.inputs, inputSize);
      // After a flip the dot is on the other side of the picture: landmark 45's UV pixel now holds it.
      const kp = assets.keypointIndices[flip ? 45 : L]!;
      let mx: number, my: number;
      if (inputSize === 256) {
        mx = b.targets[kp * 3]! * POSITION_MAP_SCALE; my = b.targets[kp * 3 + 1]! * POSITION_MAP_SCALE;
      } else {
        // 128 target: the 2×2 block holding the landmark pixel ≈ its value; 256 frame → 128 crop pixels.
        const u = Math.floor((kp % 256) / 2), v = Math.floor(kp / 256 / 2);
        mx = (b.targets[(v * 128 + u) * 3]! * POSITION_MAP_SCALE * 127) / 255;
        my = (b.targets[(v * 128 + u) * 3 + 1]! * POSITION_MAP_SCALE * 127) / 255;
      }
      // Measured: ≤ 0.07 px at 256; ≈ 0.3 px at 128 (the 2×2 block is read without interpolation).
      const tol = inputSize === 256 ? 0.5 : 1;
      assert.ok(Math.hypot(mx - dx, my - dy) < tol, `trial ${trial} (flip ${flip}): dot (${dx.toFixed(1)}, ${dy.toFixed(1)}) vs map (${mx.toFixed(1)}, ${my.toFixed(1)})`);
    }
    assert.ok(flips > 0 && flips < 12, `flips ${flips}`);
  });
}

test('loadAflw21TrainingData caches decoded images and fits, and reports a missing data set clearly', async () => {
  const assets = await testAssets();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-train-data-'));
  try {
    const opts = { dataDir: aflwDir, assets, inputSize: 128, valCount: 4, seed: 9, cacheDir: dir, limit: 16 };
    const a = await loadAflw21TrainingData(opts);
    const files = await readdir(dir);
    assert.equal(files.filter((f) => f.endsWith('.u8')).length, 1);
    assert.equal(files.filter((f) => f.endsWith('.f64')).length, 1);
    assert.equal(files.filter((f) => f.endsWith('.tmp')).length, 0);
    const b = await loadAflw21TrainingData(opts);
    const ba = await a.batch([0, 3], createTrainRandom(5), true);
    const bb = await b.batch([0, 3], createTrainRandom(5), true);
    assert.deepEqual(ba.inputs, bb.inputs);
    assert.deepEqual(ba.targets, bb.targets);
    assert.equal(ba.inputs.length, 2 * 128 * 128 * 3);
    // S = 128: the same validation images, error read bilinearly from the 2×2-mean map ≈ the 256 one.
    const full = await loadAflw21TrainingData({ ...opts, inputSize: 256 });
    const vi = [0, 1, 2, 3];
    const e128 = a.valLandmarkError((await a.valBatch(vi)).targets, vi).perImage;
    const e256 = full.valLandmarkError((await full.valBatch(vi)).targets, vi).perImage;
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(e128[i]! - e256[i]!) < 0.004, `image ${i}: ${e128[i]} vs ${e256[i]}`);
    // A truncated cache file is ignored, not trusted.
    const u8 = files.find((f) => f.endsWith('.u8'))!;
    await writeFile(path.join(dir, u8), new Uint8Array(10));
    const c = await loadAflw21TrainingData(opts);
    assert.deepEqual((await c.batch([0, 3], createTrainRandom(5), true)).inputs, ba.inputs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await assert.rejects(loadAflw21TrainingData({ dataDir: path.join(os.tmpdir(), 'no-such-aflw'), assets, inputSize: 256, cacheDir: null }), /cannot read .*images\.txt/);
  assert.equal(AFLW21_UV.length, 21);
});
