import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { parseNpy } from '../../io/npy.js';
import { POSITION_MAP_SCALE, POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { applyOcclusion, NO_AUGMENTATION, sampleAugmentation, type AugmentationOptions } from '../../train/data/augmentation.js';
import { cropMatrix, type CropSquare } from '../../train/data/cropSquare.js';
import { affineInvert } from '../../geometry/affine2d.js';
import { landmarkError } from '../../train/data/landmarkError.js';
import type { TrainingBatch, TrainingData } from '../../train/data/trainingData.js';
import { warpCropImage } from '../../train/data/warpCropImage.js';
import { createTrainRandom, shuffledIndices } from '../../train/loop/trainRandom.js';
import { encodeNpy } from '../../labels/posmap300wlp/encodeNpy.js';
import { POSMAP_CROP_FACTOR } from '../../labels/posmap300wlp/keypointCrop.js';
import type { MorphableModel } from '../../labels/posmap300wlp/morphableModel.js';
import { parameters300wlp } from '../../labels/posmap300wlp/parameters300wlp.js';
import { posmap300wlp } from '../../labels/posmap300wlp/posmap300wlp.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { decodeImage } from '../inference/decodeImage.js';
import { encodeImage } from '../inference/encodeImage.js';
import { readMatFile } from '../files/readMatFile.js';
import { samplePositionMap } from '../../train/data/samplePositionMap.js';
import { withDefaults } from '../../io/withDefaults.js';

/** `format` of a position-map data set's `index.json`. */
export const POSMAP_DATASET_FORMAT = 'prnet-posmap-dataset';
/** Version of that format. */
export const POSMAP_DATASET_VERSION = 1;
/** Name of the index file in the data-set folder. */
export const POSMAP_DATASET_INDEX = 'index.json';

/** One sample of a position-map data set. */
export interface PosmapDatasetSample {
  /** Unique sample name (file stem). */
  name: string;
  /** The crop, relative to the folder (`<name>.jpg`). */
  image: string;
  /** The position map, relative to the folder (`<name>_posmap.npy`, `size × size × 3` float32, crop pixels). */
  positionMap: string;
  /** The source photo as given. */
  source: string;
  /** Crop square in the source photo: centre x, y and side. */
  crop: [number, number, number];
}

/** `index.json` of a position-map data set (see docs/300wlp.md). */
export interface PosmapDatasetIndex {
  format: typeof POSMAP_DATASET_FORMAT;
  version: number;
  /** Side of the crops and of the position maps. */
  size: number;
  /** The 68 landmarks' UV pixels `[u, v]` (UV of the model's `kpt_ind` vertices, rounded). */
  keypointUv: [number, number][];
  /** How the samples were made. */
  generator: { seed: number; jitter: boolean; borderFill: boolean };
  samples: PosmapDatasetSample[];
}

/** Options of {@link generatePosmapDataset}. */
export interface GeneratePosmapDatasetOptions {
  /** Output folder (created). */
  outDir: string;
  /** Side of crops and maps (must equal the model's `uvSize`). */
  size: number;
  /** Random crop jitter as face3d (seeded per sample). */
  jitter: boolean;
  /** Seed of the jitter; each sample draws from its own stream (seed + name), so `limit`, skipped samples or other inputs change nothing else. */
  seed: number;
  /** Process only the first `limit` photos (after sorting). */
  limit?: number;
  /** face3d's border rule (see `uvPositionMap`). */
  borderFill: boolean;
  /** JPEG quality of the crops. */
  quality: number;
  /** Called after each photo (`error` set when it was skipped). */
  onSample?: (source: string, error?: string) => void;
}

/** Defaults of {@link generatePosmapDataset}. */
export const GENERATE_POSMAP_DATASET_DEFAULTS = { size: 256, jitter: true, seed: 0, borderFill: true, quality: 95 };

/** What {@link generatePosmapDataset} did. */
export interface GeneratePosmapDatasetResult {
  written: number;
  skipped: { source: string; error: string }[];
  /** Samples listed in `index.json` (earlier runs' included). */
  total: number;
  seconds: number;
}

/** A photo to process and the sample name it gets. */
export interface PosmapSource {
  image: string;
  name: string;
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/**
 * The photos of 300W-LP inputs: every `.jpg`/`.jpeg`/`.png` under a folder (recursively,
 * named by their path relative to it with `/` → `_`, since 300W-LP's `*_Flip` folders repeat
 * file names), a photo given directly, or a `.txt` list of photos (one per line, relative to
 * the list; both named by their stem). Sorted by name; duplicate names are an error.
 *
 * ```ts
 * const sources = await listPosmapSources(['/data/300W_LP']);
 * ```
 */
export async function listPosmapSources(inputs: readonly string[]): Promise<PosmapSource[]> {
  const out: PosmapSource[] = [];
  const walk = async (root: string, dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(root, full);
      else if (IMAGE_EXT.test(e.name)) out.push({ image: full, name: path.relative(root, full).replace(IMAGE_EXT, '').split(path.sep).join('_') });
    }
  };
  for (const input of inputs) {
    let s;
    try {
      s = await stat(input);
    } catch {
      throw new Error(`cannot read ${input}: no such file or folder`);
    }
    if (s.isDirectory()) await walk(input, input);
    else if (/\.txt$/i.test(input)) {
      // A list file: one photo per line, relative to the list's folder.
      const lines = (await readFile(input, 'utf8')).split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      for (const line of lines) {
        const image = path.resolve(path.dirname(input), line);
        if (!IMAGE_EXT.test(image)) throw new Error(`${input}: '${line}' is not a .jpg/.jpeg/.png photo`);
        out.push({ image, name: path.basename(image).replace(IMAGE_EXT, '') });
      }
    } else if (IMAGE_EXT.test(input)) out.push({ image: input, name: path.basename(input).replace(IMAGE_EXT, '') });
    else throw new Error(`${input}: not a folder, a .txt list or a .jpg/.jpeg/.png photo`);
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.name === out[i - 1]!.name) throw new Error(`two photos would both be named '${out[i]!.name}': ${out[i - 1]!.image} and ${out[i]!.image}`);
  }
  return out;
}

/**
 * Generates a position-map data set from 300W-LP photos (each with its `.mat` of fitted
 * parameters beside it) and a morphable model: `<out>/<name>.jpg`, `<out>/<name>_posmap.npy`
 * and `<out>/index.json`. Every file is written atomically; a bad sample (missing or bad
 * `.mat`, corrupt photo) is reported through `onSample` and skipped. Samples already in an
 * existing `index.json` of the folder are kept (same name: replaced).
 *
 * ```ts
 * const r = await generatePosmapDataset(await listPosmapSources(['300W_LP']), model, { outDir: 'data/300wlp' });
 * ```
 */
export async function generatePosmapDataset(
  sources: readonly PosmapSource[],
  model: MorphableModel,
  options: Partial<GeneratePosmapDatasetOptions> & { outDir: string },
): Promise<GeneratePosmapDatasetResult> {
  const o = withDefaults(GENERATE_POSMAP_DATASET_DEFAULTS, options);
  const t0 = performance.now();
  if (model.uvSize !== o.size) throw new Error(`the model's UV coordinates are for ${model.uvSize}×${model.uvSize} maps, but --size is ${o.size}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error(`seed must be a non-negative integer, got ${o.seed}`);
  await mkdir(o.outDir, { recursive: true });
  const indexPath = path.join(o.outDir, POSMAP_DATASET_INDEX);
  const keypointUv = Array.from(model.keypointIndices, (k): [number, number] => [Math.round(model.uvCoords[k * 3]!), Math.round(model.uvCoords[k * 3 + 1]!)]);
  const samples = new Map<string, PosmapDatasetSample>();
  const previous = await readIndexIfAny(indexPath);
  if (previous) {
    if (previous.size !== o.size) throw new Error(`${indexPath} holds ${previous.size}×${previous.size} samples, not ${o.size}: use another output folder`);
    for (const s of previous.samples) samples.set(s.name, s);
  }
  const todo = sources.slice(0, o.limit ?? sources.length);
  const skipped: { source: string; error: string }[] = [];
  let written = 0;
  for (let i = 0; i < todo.length; i++) {
    const src = todo[i]!;
    try {
      const matPath = src.image.replace(IMAGE_EXT, '.mat');
      const [photo, mat] = await Promise.all([decodeImage(src.image), readMatFile(matPath)]);
      const params = parameters300wlp(mat, model.shapeCount, model.expressionCount, matPath);
      // Per-sample stream: the jitter of a photo depends only on the seed and its name.
      const rng = o.jitter ? createTrainRandom(sampleSeed(o.seed, src.name)) : null;
      const sample = posmap300wlp(photo, params, model, { size: o.size, rng, borderFill: o.borderFill });
      const image = `${src.name}.jpg`, positionMap = `${src.name}_posmap.npy`;
      await writeFileAtomic(path.join(o.outDir, image), await encodeImage(sample.crop, { format: 'jpeg', quality: o.quality }));
      await writeFileAtomic(path.join(o.outDir, positionMap), encodeNpy(sample.positionMap, [o.size, o.size, 3]));
      samples.set(src.name, { name: src.name, image, positionMap, source: src.image, crop: [sample.square.center[0], sample.square.center[1], sample.square.size] });
      written++;
      o.onSample?.(src.image);
    } catch (err) {
      const error = (err as Error).message;
      skipped.push({ source: src.image, error });
      o.onSample?.(src.image, error);
    }
  }
  const index: PosmapDatasetIndex = {
    format: POSMAP_DATASET_FORMAT, version: POSMAP_DATASET_VERSION, size: o.size, keypointUv,
    generator: { seed: o.seed, jitter: o.jitter, borderFill: o.borderFill },
    samples: [...samples.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  await writeFileAtomic(indexPath, formatIndex(index));
  return { written, skipped, total: index.samples.length, seconds: (performance.now() - t0) / 1000 };
}

/** FNV-1a of the name mixed with the seed: the sample's jitter stream. */
function sampleSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** index.json with one sample per line (readable, diff-friendly, compact for 122k samples). */
function formatIndex(index: PosmapDatasetIndex): string {
  const { samples, ...head } = index;
  const top = JSON.stringify(head).slice(0, -1);
  return `${top},\n"samples":[\n${samples.map((s) => JSON.stringify(s)).join(',\n')}\n]}\n`;
}

async function readIndexIfAny(file: string): Promise<PosmapDatasetIndex | null> {
  try {
    await stat(file);
  } catch {
    return null;
  }
  return readPosmapIndex(file);
}

/**
 * Reads and checks a data set's `index.json`.
 *
 * ```ts
 * const index = await readPosmapIndex('data/300wlp/index.json');
 * ```
 */
export async function readPosmapIndex(file: string): Promise<PosmapDatasetIndex> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read ${file}: ${e.code === 'ENOENT' ? 'file not found (not a position-map data set folder?)' : e.message}`);
  }
  let index: PosmapDatasetIndex;
  try {
    index = JSON.parse(text) as PosmapDatasetIndex;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (index?.format !== POSMAP_DATASET_FORMAT) throw new Error(`${file}: not a position-map data set index (format '${String(index?.format)}')`);
  if (index.version !== POSMAP_DATASET_VERSION) throw new Error(`${file}: format version ${index.version}, this prnet reads ${POSMAP_DATASET_VERSION}`);
  if (!Array.isArray(index.samples) || !Array.isArray(index.keypointUv) || index.keypointUv.length !== 68) throw new Error(`${file}: samples or keypointUv (68 pairs) missing`);
  const inMap = (c: unknown) => Number.isInteger(c) && (c as number) >= 0 && (c as number) < index.size;
  if (!index.keypointUv.every((q) => Array.isArray(q) && inMap(q[0]) && inMap(q[1]))) throw new Error(`${file}: keypointUv must be 68 integer [u, v] pairs inside the ${index.size}×${index.size} map`);
  return index;
}

/** Options of {@link loadPosmapTrainingData}. */
export interface LoadPosmapTrainingDataOptions {
  /** The data-set folder (`index.json`, crops, maps). */
  dir: string;
  /** S: 256 (official network) or 128 (light network). */
  inputSize: number;
  /** Held-out validation samples. */
  valCount: number;
  /** Seed of the train/validation split. */
  seed: number;
  /** Augmentation ranges (applied in the stored crop's frame). */
  augmentation?: Partial<AugmentationOptions>;
  /**
   * Loss weights over the 256 UV map (e.g. the official `uv_weight_mask`, when the model's
   * UV layout is PRNet's). Default: 1 on pixels the first sample's map covers, 0 elsewhere.
   */
  weightMask?: Float32Array;
}

/** Defaults of {@link loadPosmapTrainingData}. */
export const LOAD_POSMAP_TRAINING_DATA_DEFAULTS = { inputSize: 256, valCount: 0, seed: 1 };

/** The {@link TrainingData} of a position-map folder, with its loss weights. */
export interface PosmapTrainingData extends TrainingData {
  /** S×S loss weights (2×2 means for S = 128). */
  weightMask: Float32Array;
  /** Sample index in `index.json` of each training sample. */
  trainSamples: Uint32Array;
  /** Sample index in `index.json` of each validation sample. */
  valSamples: Uint32Array;
}

/**
 * A {@link TrainingData} over a folder written by {@link generatePosmapDataset}, so the same
 * trainer can train on 300W-LP. Batches are read from disk on demand (300W-LP's 122k maps do
 * not fit in memory). Targets follow the AFLW pipeline's convention: positions in the
 * 256-crop frame ÷ {@link POSITION_MAP_SCALE}, 2×2 means for S = 128; augmentation (the
 * shared `sampleAugmentation`: rotation, shift, scale, flip with the u → 255 − u
 * permutation, colour, occlusion) moves the crop inside the stored crop, whose keypoint box
 * is taken as 255 / 1.5 px. Validation error: the 68 keypoints (`keypointUv`) of predicted
 * vs stored maps, normalised by √(w·h) of the true keypoints' box.
 *
 * ```ts
 * const data = await loadPosmapTrainingData({ dir: 'data/300wlp', inputSize: 256, valCount: 500, seed: 1 });
 * const { inputs, targets } = await data.batch([0, 1], createTrainRandom(3), true);
 * ```
 */
export async function loadPosmapTrainingData(options: Partial<LoadPosmapTrainingDataOptions> & { dir: string }): Promise<PosmapTrainingData> {
  const o = withDefaults(LOAD_POSMAP_TRAINING_DATA_DEFAULTS, options);
  const N = POSITION_MAP_SIZE, S = o.inputSize;
  if (S !== N && S !== N / 2) throw new Error(`training inputSize must be ${N} or ${N / 2}, got ${S}`);
  const indexPath = path.join(o.dir, POSMAP_DATASET_INDEX);
  const index = await readPosmapIndex(indexPath);
  if (index.size !== N) throw new Error(`${indexPath}: samples are ${index.size}×${index.size}, training needs ${N}×${N}`);
  const count = index.samples.length;
  if (!(Number.isInteger(o.valCount) && o.valCount >= 0 && o.valCount < count)) throw new Error(`valCount must be in [0, ${count}) (samples in ${indexPath}), got ${o.valCount}`);
  const order = shuffledIndices(count, createTrainRandom(o.seed));
  const valSamples = Uint32Array.from(order.slice(0, o.valCount)).sort();
  const trainSamples = Uint32Array.from(order.slice(o.valCount)).sort();

  const readSample = async (k: number): Promise<{ image: Uint8Array; map: Float32Array }> => {
    const s = index.samples[k]!;
    const imageFile = path.join(o.dir, s.image), mapFile = path.join(o.dir, s.positionMap);
    let image: Uint8Array;
    try {
      const { data, info } = await sharp(imageFile).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      if (info.width !== N || info.height !== N || info.channels !== 3) throw new Error(`expected ${N}×${N} RGB, got ${info.width}×${info.height}×${info.channels}`);
      image = new Uint8Array(data.buffer, data.byteOffset, data.length);
    } catch (err) {
      throw new Error(`cannot decode ${imageFile}: ${(err as Error).message}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(mapFile));
    } catch (err) {
      throw new Error(`cannot read ${mapFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message}`);
    }
    const npy = parseNpy(bytes, mapFile);
    if (npy.dtype !== 'float32' || npy.fortranOrder || npy.shape.join() !== `${N},${N},3`) {
      throw new Error(`${mapFile}: expected a C-order float32 ${N}×${N}×3 array, got ${npy.dtype} ${npy.shape.join('×')}`);
    }
    return { image, map: npy.data as Float32Array };
  };

  // Default weights: the UV pixels the mesh covers (any non-zero component).
  let w256 = o.weightMask;
  if (w256 && w256.length !== N * N) throw new Error(`weightMask must have ${N}×${N} values, got ${w256.length}`);
  if (!w256) {
    const { map } = await readSample(0);
    w256 = new Float32Array(N * N);
    for (let p = 0; p < N * N; p++) w256[p] = map[p * 3] || map[p * 3 + 1] || map[p * 3 + 2] ? 1 : 0;
  }
  const weightMask = S === N ? w256 : halfMean(w256, N, 1);

  const assemble = async (samples: Uint32Array, indices: number[], rng: (() => number) | null): Promise<TrainingBatch> => {
    const n = indices.length;
    const inputs = new Float32Array(n * S * S * 3);
    const targets = new Float32Array(n * S * S * 3);
    for (const idx of indices) {
      if (!(Number.isInteger(idx) && idx >= 0 && idx < samples.length)) throw new Error(`sample index ${idx} out of range [0, ${samples.length})`);
    }
    // Random draws first, in order, so the batch does not depend on file-reading timing.
    const augs = indices.map(() => (rng ? sampleAugmentation(rng, o.augmentation) : NO_AUGMENTATION));
    const loaded = await Promise.all(indices.map((idx) => readSample(samples[idx]!)));
    for (let b = 0; b < n; b++) {
      const aug = augs[b]!, { image, map } = loaded[b]!;
      const square = storedCropSquare(aug);
      warpCropImage(image, N, N, affineInvert(cropMatrix(square, S)), { side: S, colorScale: aug.colorScale, out: inputs, offset: b * S * S * 3 });
      if (aug.occlusion && rng) applyOcclusion(inputs, b * S * S * 3, S, aug.occlusion, rng);
      const t = augmentedTarget(map, square);
      targets.set(S === N ? t : halfMean(t, N, 3), b * S * S * 3);
    }
    return { size: n, inputs, targets };
  };

  // Validation ground truth: the 68 keypoints of every validation map, read once.
  const valKeypoints = new Float64Array(valSamples.length * 136);
  for (let i = 0; i < valSamples.length; i++) {
    const { map } = await readSample(valSamples[i]!);
    index.keypointUv.forEach(([u, v], j) => {
      valKeypoints[i * 136 + j * 2] = map[(v * N + u) * 3]!;
      valKeypoints[i * 136 + j * 2 + 1] = map[(v * N + u) * 3 + 1]!;
    });
  }

  return {
    inputSize: S,
    trainCount: trainSamples.length,
    valCount: valSamples.length,
    weightMask,
    trainSamples,
    valSamples,
    batch: (indices, rng, augment) => assemble(trainSamples, indices, augment ? rng : null),
    valBatch: (indices) => assemble(valSamples, indices, null),
    valLandmarkError(predictions, indices) {
      const n = indices.length;
      if (predictions.length !== n * S * S * 3) throw new Error(`valLandmarkError: ${n} predictions need ${n * S * S * 3} floats, got ${predictions.length}`);
      const perImage = new Float64Array(n);
      const pred = new Float64Array(136);
      const visible = new Uint8Array(68).fill(1);
      indices.forEach((idx, b) => {
        if (!(Number.isInteger(idx) && idx >= 0 && idx < valSamples.length)) throw new Error(`validation index ${idx} out of range [0, ${valSamples.length})`);
        index.keypointUv.forEach(([u, v], j) => {
          // S = 128 maps are 2×2 means: 256 pixel u sits at 128 coordinate (u − 0.5) / 2.
          const [x, y] = S === N ? [u, v] : [(u - 0.5) / 2, (v - 0.5) / 2];
          const [px, py] = samplePositionMap(predictions, b * S * S * 3, S, x, y);
          pred[j * 2] = px * POSITION_MAP_SCALE;
          pred[j * 2 + 1] = py * POSITION_MAP_SCALE;
        });
        perImage[b] = landmarkError(pred, valKeypoints.subarray(idx * 136, idx * 136 + 136), visible);
      });
      let sum = 0;
      for (const e of perImage) sum += e;
      return { nme: n ? sum / n : 0, perImage };
    },
  };
}

/**
 * The augmentation's crop square inside the stored 256 crop: identity for no augmentation
 * (centre 127.5, side 255); shifts are fractions of the keypoint box, 255 / 1.5 px there.
 */
function storedCropSquare(aug: typeof NO_AUGMENTATION): CropSquare {
  const N = POSITION_MAP_SIZE, box = (N - 1) / POSMAP_CROP_FACTOR, mid = (N - 1) / 2;
  return { center: [mid + aug.shift[0] * box, mid + aug.shift[1] * box], size: (N - 1) * aug.scale, angle: aug.angle, flip: aug.flip };
}

/** A stored map moved into the augmented crop (x, y through the crop, z scaled), ÷ POSITION_MAP_SCALE; empty pixels stay 0. */
function augmentedTarget(map: Float32Array, square: CropSquare): Float32Array {
  const N = POSITION_MAP_SIZE;
  const A = cropMatrix(square, N), k = (N - 1) / square.size, inv = 1 / POSITION_MAP_SCALE;
  const out = new Float32Array(N * N * 3);
  for (let v = 0; v < N; v++) {
    for (let u = 0; u < N; u++) {
      // Mirrored crop: UV pixel (u, v) now shows the vertex that was at (N − 1 − u, v).
      const p = (v * N + (square.flip ? N - 1 - u : u)) * 3, q = (v * N + u) * 3;
      const x = map[p]!, y = map[p + 1]!, z = map[p + 2]!;
      if (x === 0 && y === 0 && z === 0) continue;
      out[q] = (A[0]! * x + A[1]! * y + A[2]!) * inv;
      out[q + 1] = (A[3]! * x + A[4]! * y + A[5]!) * inv;
      out[q + 2] = k * z * inv;
    }
  }
  return out;
}

/** 2×2 means of a `side × side × channels` map. */
function halfMean(src: Float32Array, side: number, channels: number): Float32Array {
  const H = side / 2;
  const out = new Float32Array(H * H * channels);
  for (let v = 0; v < H; v++) for (let u = 0; u < H; u++) {
    const a = (2 * v * side + 2 * u) * channels, b = a + side * channels;
    for (let c = 0; c < channels; c++) {
      out[(v * H + u) * channels + c] = 0.25 * (src[a + c]! + src[a + channels + c]! + src[b + c]! + src[b + channels + c]!);
    }
  }
  return out;
}

