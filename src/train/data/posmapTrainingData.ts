import { POSITION_MAP_SCALE, POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { applyOcclusion, NO_AUGMENTATION, sampleAugmentation, type AugmentationOptions } from './augmentation.js';
import { cropMatrix, type CropSquare } from './cropSquare.js';
import { affineInvert } from '../../geometry/affine2d.js';
import { landmarkError } from './landmarkError.js';
import type { TrainingBatch, TrainingData } from './trainingData.js';
import { warpCropImage } from './warpCropImage.js';
import { samplePositionMap } from './samplePositionMap.js';
import { createTrainRandom, shuffledIndices } from '../loop/trainRandom.js';
import { POSMAP_CROP_FACTOR } from '../../labels/posmap300wlp/keypointCrop.js';
import { withDefaults } from '../../io/withDefaults.js';

/** One stored sample of a position-map data set: the 256 crop (RGB) and its 256×256×3 map. */
export interface PosmapSample {
  /** `256 × 256 × 3` RGB bytes. */
  image: Uint8Array;
  /** `256 × 256 × 3` float32 positions in the crop's pixels (0 where the mesh is not). */
  map: Float32Array;
}

/** Where a position-map data set's samples come from (files in Node, anything elsewhere). */
export interface PosmapSampleSource {
  /** Number of samples. */
  count: number;
  /** UV pixels `[u, v]` of the 68 keypoints on the maps. */
  keypointUv: ReadonlyArray<readonly [number, number]>;
  /** Reads sample `k` (0 ≤ k < count). */
  read(k: number): Promise<PosmapSample>;
}

/** Options of {@link createPosmapTrainingData}. */
export interface PosmapTrainingDataOptions {
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

/** Defaults of {@link createPosmapTrainingData}. */
export const POSMAP_TRAINING_DATA_DEFAULTS = { inputSize: 256, valCount: 0, seed: 1 };

/** The {@link TrainingData} of a position-map data set, with its loss weights. */
export interface PosmapTrainingData extends TrainingData {
  /** S×S loss weights (2×2 means for S = 128). */
  weightMask: Float32Array;
  /** Sample index of each training sample. */
  trainSamples: Uint32Array;
  /** Sample index of each validation sample. */
  valSamples: Uint32Array;
}

/**
 * A {@link TrainingData} over stored position maps (300W-LP as `prnet data 300wlp` writes
 * it), isomorphic: the split, batch assembly, augmentation and validation error, over a
 * sample reader the caller injects (`loadPosmapTrainingData` reads files in Node).
 * Batches are read on demand (300W-LP's 122k maps do not fit in memory). Targets follow
 * the AFLW pipeline's convention: positions in the 256-crop frame ÷
 * {@link POSITION_MAP_SCALE}, 2×2 means for S = 128; augmentation (the shared
 * `sampleAugmentation`: rotation, shift, scale, flip with the u → 255 − u permutation,
 * colour, occlusion) moves the crop inside the stored crop, whose keypoint box is taken as
 * 255 / 1.5 px. Validation error: the 68 keypoints of predicted vs stored maps, normalised
 * by √(w·h) of the true keypoints' box.
 *
 * ```ts
 * const data = await createPosmapTrainingData({ count, keypointUv, read: async (k) => samples[k] }, { inputSize: 128, valCount: 10, seed: 1 });
 * const { inputs, targets } = await data.batch([0, 1], createTrainRandom(3), true);
 * ```
 */
export async function createPosmapTrainingData(source: PosmapSampleSource, options: Partial<PosmapTrainingDataOptions> = {}): Promise<PosmapTrainingData> {
  const o = withDefaults(POSMAP_TRAINING_DATA_DEFAULTS, options);
  const N = POSITION_MAP_SIZE, S = o.inputSize;
  if (S !== N && S !== N / 2) throw new Error(`training inputSize must be ${N} or ${N / 2}, got ${S}`);
  const count = source.count;
  if (!(Number.isInteger(o.valCount) && o.valCount >= 0 && o.valCount < count)) throw new Error(`valCount must be in [0, ${count}) (samples), got ${o.valCount}`);
  const order = shuffledIndices(count, createTrainRandom(o.seed));
  const valSamples = Uint32Array.from(order.slice(0, o.valCount)).sort();
  const trainSamples = Uint32Array.from(order.slice(o.valCount)).sort();
  const readSample = (k: number) => source.read(k);
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
    source.keypointUv.forEach(([u, v], j) => {
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
        source.keypointUv.forEach(([u, v], j) => {
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

