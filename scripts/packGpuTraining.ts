/**
 * Packs the teacher-fitted training set small enough to travel to a GPU machine (64 MiB per
 * call, no Node there) for `training/pytorch/train_resfcn.py`: label parameters plus the UV
 * morphable basis instead of position maps, images re-encoded as WebP, the same train /
 * validation split as `prnet train` (seed 1), and the network layer lists from
 * `src/model/resfcn.ts` (the one source of the architecture).
 *
 * ```sh
 * node --import tsx scripts/packGpuTraining.ts --labels runs/labels-aflw21-v2 runs/labels-helen \
 *   --data ../shared/datasets/aflw21 --uv-data ../shared/prnet-data/uv-data -o runs/gpu-pack [--reference runs/gpu-pack-ref]
 * ```
 *
 * `--reference` also writes, outside the pack, crops and targets made by the TypeScript
 * training code from the packed images, for the Python side to be checked against
 * (`training/pytorch/check_pack.py`).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { npyToFloat64, readNpy } from '../src/io/npy.js';
import { POSITION_MAP_SCALE, POSITION_MAP_SIZE, resfcnSpec, type NetworkSpec } from '../src/model/resfcn.js';
import { toFloat16Bits } from '../src/model/float16.js';
import { AUGMENTATION_DEFAULTS, NO_AUGMENTATION, sampleAugmentation, type Augmentation } from '../src/train/data/augmentation.js';
import { cropMatrix } from '../src/train/data/cropSquare.js';
import { positionMapTarget } from '../src/train/data/positionMapTarget.js';
import { trainingCrop, TRAINING_CROP_FACTOR } from '../src/train/data/trainingCrop.js';
import { warpCropImage } from '../src/train/data/warpCropImage.js';
import { mouthWeightMask } from '../src/train/data/mouthWeightMask.js';
import { expressionLossWeights } from '../src/train/data/expressionLossWeights.js';
import type { Aflw21TrainingData } from '../src/train/data/trainingData.js';
import { createTrainRandom } from '../src/train/loop/trainRandom.js';
import { affineInvert } from '../src/geometry/affine2d.js';
import { loadAflw21TrainingData } from '../src/node/train/trainingData.js';
import { loadHelenAfw68TrainingData } from '../src/node/train/helenTrainingData.js';
import { readLabelSet } from '../src/node/train/labels/labelSetFiles.js';
import { HELEN_JAW_POINTS } from '../src/node/train/labels/helenAfw68LabelSource.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { pointsBounds } from '../src/geometry/pointsBounds.js';

/** Input side of the networks the pack trains (the 120-px crops hold no more detail). */
const INPUT_SIZE = 128;
/** Floats per face row of `faces.f32` (see `FACE_COLUMNS`). */
const FACE_COLUMNS = ['set', 'val', 'roiX0', 'roiY0', 'roiX1', 'roiY1', 'boxX0', 'boxY0', 'boxX1', 'boxY1',
  'r00', 'r01', 'r02', 'r10', 'r11', 'r12', 'r20', 'r21', 'r22', 'scale', 'tx', 'ty', 'zMin'] as const;
/** Networks the pack describes (the script trains those it is asked for). */
const NETWORKS: NetworkSpec[] = [
  resfcnSpec({ variant: 'resfcn128', inputSize: INPUT_SIZE, baseChannels: 16 }),
  resfcnSpec({ variant: 'resfcn128-light', inputSize: INPUT_SIZE, baseChannels: 8 }),
];

interface SetPlan {
  name: string;
  data: Aflw21TrainingData;
  /** Image files of the data set, by data-set index. */
  files: string[];
  /** Stored side of the packed images (the source is resized to it). */
  packSide: number;
  /** `count × 4` roi boxes: the original frame's square each file shows. */
  roi: Float64Array;
  /** `count × 2 × m` human points. */
  points: Float64Array;
  m: number;
  scored: number[];
  correspondence: Uint32Array;
  quality: number;
}

const program = new Command()
  .requiredOption('--labels <dirs...>', 'the aflw21 and helen-afw68 label sets (prnet label)')
  .requiredOption('--data <dir>', 'datasets/aflw21')
  .option('--uv-data <dir>', 'official uv-data folder')
  .option('-o, --out <dir>', 'pack folder', 'runs/gpu-pack')
  .option('--reference <dir>', 'also write TypeScript-made crops and targets here (for check_pack.py)')
  .option('--cache <dir>', 'decoded-image cache', 'runs/cache')
  .parse();
const opts = program.opts<{ labels: string[]; data: string; uvData?: string; out: string; reference?: string; cache: string }>();
const log = (s: string) => process.stderr.write(`${s}\n`);

const assets = await loadUvAssets({ dataDir: opts.uvData, download: false });
const kinds = await Promise.all(opts.labels.map(async (d) => ({ dir: d, info: (await readLabelSet(d)).info })));
const aflwDir = kinds.find((k) => k.info.dataset === 'aflw21')?.dir;
const helenDir = kinds.find((k) => k.info.dataset === 'helen-afw68')?.dir;
if (!aflwDir || !helenDir) throw new Error('--labels: give one aflw21 and one helen-afw68 label set');
const aflwLabels = await readLabelSet(aflwDir), helenLabels = await readLabelSet(helenDir);
const model = aflwLabels.model;
if (helenLabels.model.mean.some((v, i) => v !== model.mean[i]) || helenLabels.model.basis.some((v, i) => v !== model.basis[i])) {
  throw new Error('the two label sets were made with different UV morphable models');
}
const K = model.shapeCount + model.expressionCount;
const N = POSITION_MAP_SIZE, H = INPUT_SIZE;

const aflw = await loadAflw21TrainingData({ dataDir: opts.data, assets, inputSize: H, valCount: 1000, seed: 1, labels: aflwDir, cacheDir: opts.cache, log });
const helen = await loadHelenAfw68TrainingData({ labels: helenDir, assets, inputSize: H, valCount: 300, seed: 1, cacheDir: opts.cache, log });
const aflwNames = aflwLabels.info.images, helenNames = helenLabels.info.images;
const readPoints = async (file: string) => npyToFloat64(readNpy(new Uint8Array(await readFile(file)), file));
const plans: SetPlan[] = [
  {
    name: 'aflw21', data: aflw, files: aflwNames.map((n) => path.join(opts.data, 'images', n)), packSide: 120,
    roi: await readPoints(path.join(opts.data, 'roi_box.npy')), points: await readPoints(path.join(opts.data, 'pts21.npy')), m: 21,
    scored: Array.from({ length: 21 }, (_, j) => j),
    correspondence: Uint32Array.from(aflwLabels.info.correspondence.uv, ([u, v]) => v * N + u), quality: 72,
  },
  {
    name: 'helen', data: helen, files: helenNames.map((n) => path.join(helenLabels.info.dataDir, 'images', n)), packSide: 160,
    roi: Float64Array.from({ length: helenNames.length * 4 }, (_, i) => (i % 4 < 2 ? 0 : 256)),
    points: await readPoints(path.join(helenLabels.info.dataDir, 'pts68.npy')), m: 68,
    scored: Array.from({ length: 68 - HELEN_JAW_POINTS }, (_, k) => k + HELEN_JAW_POINTS),
    correspondence: model.landmarkPixels, quality: 75,
  },
];

// The half-resolution model (2×2 means, as the 128 targets are made) and the minimum face z.
const meanHalf = new Float32Array(H * H * 3), basisHalf = new Float32Array(K * H * H * 3);
for (let k = -1; k < K; k++) {
  const src = k < 0 ? model.mean : model.basis.subarray(k * N * N * 3, (k + 1) * N * N * 3);
  const dst = k < 0 ? meanHalf : basisHalf.subarray(k * H * H * 3, (k + 1) * H * H * 3);
  for (let v = 0; v < H; v++) for (let u = 0; u < H; u++) for (let c = 0; c < 3; c++) {
    const a = (2 * v * N + 2 * u) * 3 + c;
    dst[(v * H + u) * 3 + c] = 0.25 * (src[a]! + src[a + 3]! + src[a + N * 3]! + src[a + N * 3 + 3]!);
  }
}
let basisMax = 0;
for (const b of basisHalf) basisMax = Math.max(basisMax, Math.abs(b));
// float16 keeps ~3 significant digits; a power-of-two scale keeps the basis well inside its range.
const basisScale = 2 ** Math.ceil(Math.log2(basisMax / 1024));
const face = assets.faceIndices;
const faceShape = new Float32Array(face.length * 3 * (K + 1));
face.forEach((p, i) => {
  for (let c = 0; c < 3; c++) {
    faceShape[i * 3 + c] = model.mean[p * 3 + c]!;
    for (let k = 0; k < K; k++) faceShape[(k + 1) * face.length * 3 + i * 3 + c] = model.basis[k * N * N * 3 + p * 3 + c]!;
  }
});
const shapeZ = new Float32Array(face.length * 3);
/** min over face pixels of s·R₂·X (the label's z before the crop scale), as positionMapTarget shifts it. */
function zMin(pose: Aflw21TrainingData['poses'][number]): number {
  shapeZ.set(faceShape.subarray(0, face.length * 3));
  for (let k = 0; k < K; k++) {
    const a = pose.deformation[k]!;
    const b = faceShape.subarray((k + 1) * face.length * 3, (k + 2) * face.length * 3);
    for (let i = 0; i < b.length; i++) shapeZ[i] += a * b[i]!;
  }
  const r0 = pose.scale * pose.rotation[6]!, r1 = pose.scale * pose.rotation[7]!, r2 = pose.scale * pose.rotation[8]!;
  let z = Infinity;
  for (let i = 0; i < face.length; i++) z = Math.min(z, r0 * shapeZ[i * 3]! + r1 * shapeZ[i * 3 + 1]! + r2 * shapeZ[i * 3 + 2]!);
  return z;
}

await rm(opts.out, { recursive: true, force: true });
await mkdir(opts.out, { recursive: true });
const rows: number[] = [];
const coefficients: number[] = [];
const valPoints: number[] = [];
const encoded: Buffer[] = [];
const setsInfo: Record<string, unknown>[] = [];
const t0 = Date.now();
for (const [si, plan] of plans.entries()) {
  const { data } = plan;
  let faces = 0;
  for (const [val, images] of [[0, data.trainImages], [1, data.valImages]] as const) {
    for (const image of images) {
      const pose = data.poses[image]!;
      const lm = data.fittedLandmarks(image);
      rows.push(si, val, ...plan.roi.subarray(image * 4, image * 4 + 4), ...pointsBounds(lm), ...pose.rotation, pose.scale, pose.translation[0], pose.translation[1], zMin(pose));
      coefficients.push(...pose.deformation);
      if (val) for (let j = 0; j < 2 * plan.m; j++) valPoints.push(plan.points[image * 2 * plan.m + j]!);
      encoded.push(await sharp(plan.files[image]!).removeAlpha().resize(plan.packSide, plan.packSide).webp({ quality: plan.quality }).toBuffer());
      if (++faces % 2000 === 0) log(`${plan.name}: packed ${faces} faces (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  setsInfo.push({
    name: plan.name, imageSide: plan.packSide, train: data.trainImages.length, val: data.valImages.length, points: plan.m,
    scoredPoints: plan.scored, correspondence: Array.from(plan.correspondence), webpQuality: plan.quality,
  });
}
const F = encoded.length;
const offsets = new Uint32Array(F + 1);
encoded.forEach((b, i) => { offsets[i + 1] = offsets[i]! + b.length; });
const f16 = (a: Float32Array) => Buffer.from(toFloat16Bits(a).buffer);
await writeFile(path.join(opts.out, 'images.bin'), Buffer.concat(encoded));
await writeFile(path.join(opts.out, 'image-offsets.u32'), Buffer.from(offsets.buffer));
await writeFile(path.join(opts.out, 'faces.f32'), Buffer.from(Float32Array.from(rows).buffer));
// Per-component power-of-two scales: 3DDFA's shape coefficients reach 1e7, past float16's range.
const coefficientScale = Array.from({ length: K }, (_, k) => {
  let max = 0;
  for (let i = k; i < coefficients.length; i += K) max = Math.max(max, Math.abs(coefficients[i]!));
  return 2 ** Math.ceil(Math.log2(Math.max(max, 1e-30)));
});
await writeFile(path.join(opts.out, 'coefficients.f16'), f16(Float32Array.from(coefficients, (c, i) => c / coefficientScale[i % K]!)));
await writeFile(path.join(opts.out, 'val-points.f32'), Buffer.from(Float32Array.from(valPoints).buffer));
await writeFile(path.join(opts.out, 'mean128.f32'), Buffer.from(meanHalf.buffer));
await writeFile(path.join(opts.out, 'basis128.f16'), f16(basisHalf.map((b) => b / basisScale)));
await writeFile(path.join(opts.out, 'weight-mask128.f32'), Buffer.from(aflw.weightMask.buffer, aflw.weightMask.byteOffset, aflw.weightMask.byteLength));
// The lips' pixels (mouthWeightMask's region), for train_resfcn.py --mouth-weight.
const lips = mouthWeightMask(new Float32Array(H * H).fill(1), assets.keypointIndices, { factor: 2 });
await writeFile(path.join(opts.out, 'mouth-region128.u8'), Uint8Array.from(lips, (w) => (w === 2 ? 1 : 0)));
// The lips and eyes (expressionLossWeights' region), for train_resfcn.py --expression-weight.
await writeFile(path.join(opts.out, 'expression-region128.u8'), Uint8Array.from(expressionLossWeights(assets.keypointIndices, { side: H, weight: 1 })));
const pack = {
  format: 'prnet-gpu-pack-1',
  labels: [aflwDir, helenDir].map((d) => path.resolve(d)),
  faces: F, faceColumns: FACE_COLUMNS, coefficients: K, coefficientScale, basisScale,
  inputSize: H, positionMapSize: N, positionMapScale: POSITION_MAP_SCALE, trainingCropFactor: TRAINING_CROP_FACTOR,
  augmentation: AUGMENTATION_DEFAULTS, keypoints: Array.from(assets.keypointIndices), sets: setsInfo, networks: NETWORKS,
};
await writeFile(path.join(opts.out, 'pack.json'), `${JSON.stringify(pack)}\n`);
log(`packed ${F} faces into ${opts.out} (${(offsets[F]! / 1e6).toFixed(1)} MB of images) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

if (opts.reference) {
  // Crops and targets the TypeScript training code makes from the packed (decoded) images:
  // the first 4 validation faces of each set unaugmented, and 4 training faces each with a
  // seeded augmentation (occluder left out: it draws its noise per pixel).
  await mkdir(opts.reference, { recursive: true });
  const rng = createTrainRandom(5);
  const out: { face: number; aug: Augmentation }[] = [];
  let base = 0;
  for (const plan of plans) {
    const tr = plan.data.trainImages.length;
    for (let k = 0; k < 4; k++) out.push({ face: base + tr + k, aug: NO_AUGMENTATION });
    for (let k = 0; k < 4; k++) out.push({ face: base + 37 * k, aug: { ...sampleAugmentation(rng), occlusion: null } });
    base += tr + plan.data.valImages.length;
  }
  const inputs = new Float32Array(out.length * H * H * 3), targets = new Float32Array(out.length * H * H * 3);
  for (const [b, { face: f, aug }] of out.entries()) {
    const si = rows[f * FACE_COLUMNS.length]!;
    const plan = plans[si]!;
    const local = f - (si === 0 ? 0 : plans[0]!.data.trainImages.length + plans[0]!.data.valImages.length);
    const image = local < plan.data.trainImages.length ? plan.data.trainImages[local]! : plan.data.valImages[local - plan.data.trainImages.length]!;
    const { data: rgb } = await sharp(encoded[f]!).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const square = trainingCrop(plan.data.fittedLandmarks(image), aug);
    const orig = affineInvert(cropMatrix(square, H));
    const [rx0, ry0, rx1, ry1] = plan.roi.subarray(image * 4, image * 4 + 4) as unknown as number[];
    const fx = plan.packSide / (rx1! - rx0!), fy = plan.packSide / (ry1! - ry0!);
    const file = [orig[0]! * fx, orig[1]! * fx, (orig[2]! - rx0!) * fx, orig[3]! * fy, orig[4]! * fy, (orig[5]! - ry0!) * fy];
    warpCropImage(new Uint8Array(rgb), plan.packSide, plan.packSide, file, { side: H, colorScale: aug.colorScale, out: inputs, offset: b * H * H * 3 });
    positionMapTarget(model.mean, plan.data.poses[image]!, square, { side: H, faceIndices: face, basisMap: model.basis, out: targets, offset: b * H * H * 3 });
  }
  await writeFile(path.join(opts.reference, 'reference.json'), `${JSON.stringify(out)}\n`);
  await writeFile(path.join(opts.reference, 'inputs.f32'), Buffer.from(inputs.buffer));
  await writeFile(path.join(opts.reference, 'targets.f32'), Buffer.from(targets.buffer));
  log(`wrote ${out.length} reference crops to ${opts.reference}`);
}
