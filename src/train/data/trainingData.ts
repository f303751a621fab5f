import { POSITION_MAP_SCALE, POSITION_MAP_SIZE } from '../../model/resfcn.js';
import type { UvAssets } from '../../uv/uvAssets.js';
import { createTrainRandom, shuffledIndices } from '../loop/trainRandom.js';
import { aflw21UvIndices, AFLW21_POINT_COUNT } from '../../labels/aflwMeanFace/aflw21Correspondence.js';
import { aflw21Deformation } from '../../labels/aflwMeanFace/aflw21Deformation.js';
import { applyOcclusion, NO_AUGMENTATION, sampleAugmentation, type AugmentationOptions } from './augmentation.js';
import { canonicalPositionMap } from '../../labels/aflwMeanFace/canonicalPositionMap.js';
import { cropMatrix } from './cropSquare.js';
import { affineInvert } from '../../geometry/affine2d.js';
import { pointsBounds } from '../../geometry/pointsBounds.js';
import type { FittedPose } from '../../labels/aflwMeanFace/fitPose.js';
import { landmarkError } from './landmarkError.js';
import { positionMapTarget } from './positionMapTarget.js';
import { trainingCrop } from './trainingCrop.js';
import { warpCropImage } from './warpCropImage.js';
import { samplePositionMap } from './samplePositionMap.js';
import { boxNormalizer, landmarkNme } from '../../eval/landmarkNme.js';
import { landmarkGap, LANDMARKS_68 } from '../../geometry/landmarks68.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Bilinear x, y, z of a map at (u, v) (`samplePositionMap` reads x, y only). */
function sampleMap3(map: Float32Array, offset: number, side: number, u: number, v: number): [number, number, number] {
  const [x, y] = samplePositionMap(map, offset, side, u, v);
  // z: the same bilinear weights on channel 2, through a shifted view.
  const [z] = samplePositionMap(map, offset + 2, side, u, v);
  return [x, y, z];
}


/** One assembled batch. */
export interface TrainingBatch {
  /** Number of samples. */
  size: number;
  /** NHWC `[n, S, S, 3]` RGB in [0, 1]. */
  inputs: Float32Array;
  /** NHWC `[n, S, S, 3]`: position map in pixels of the 256-crop frame ÷ {@link POSITION_MAP_SCALE} (mostly in [0, 1]). */
  targets: Float32Array;
}

/** What the training loop consumes. */
export interface TrainingData {
  /** S: side of the input crop and of the target map (256 or 128). */
  inputSize: number;
  /** Number of training samples (indices 0 … trainCount − 1). */
  trainCount: number;
  /** Number of validation samples (indices 0 … valCount − 1). */
  valCount: number;
  /** Training samples, augmented when `augment` (all randomness drawn from `rng`). */
  batch(indices: number[], rng: () => number, augment: boolean): Promise<TrainingBatch>;
  /** Validation samples, never augmented. */
  valBatch(indices: number[]): Promise<TrainingBatch>;
  /**
   * Landmark error of predicted maps (NHWC `[n, S, S, 3]` network outputs in [0, 1] units)
   * of validation samples against the human AFLW annotations: the 21 points read from the
   * map, mean distance over the visible points ÷ √(w·h) of their box.
   */
  valLandmarkError(predictions: Float32Array, indices: number[]): { nme: number; perImage: Float64Array };
  /**
   * Further validation figures of a batch (sums and counts, so batches can be pooled),
   * e.g. the 68-landmark NME against the labels. Optional.
   */
  valMetrics?(predictions: Float32Array, targets: Float32Array, indices: number[]): Record<string, { sum: number; count: number }>;
}

/** The decoded AFLW-21 data set. */
export interface Aflw21Source {
  /** Number of images. */
  count: number;
  /** Side of the stored crops (120). */
  imageSize: number;
  /** `count × imageSize² × 3` RGB bytes. */
  images: Uint8Array;
  /** `count × 2 × m` human points (m = the correspondence's length, 21 for AFLW): x row then y row, in the frame of `roiBoxes`, x < 0 where not annotated. */
  points: Float32Array;
  /** `count × 4`: x0, y0, x1, y1 of the square of the original frame each crop shows. */
  roiBoxes: Float32Array;
}

/** Options of {@link createTrainingData}. */
export interface CreateTrainingDataOptions {
  /** S: 256 (official network) or 128 (light network). */
  inputSize: number;
  /** Held-out validation images. */
  valCount: number;
  /** Seed of the train/validation split. */
  seed: number;
  /** Augmentation ranges. */
  augmentation?: Partial<AugmentationOptions>;
  /**
   * Leave out images whose fit RMSE exceeds this fraction of √(w·h) of their visible
   * points' box (failed fits or bad annotations: 28 of 19,080 at 0.15; median 0.037).
   */
  maxFitError: number;
  /**
   * The face model the poses' coefficients speak: mean and basis position maps
   * (`256² × 3` and `K × 256² × 3`, e.g. the UV morphable model of teacher-fitted labels).
   * Default: the canonical face with the AFLW-21 deformation basis.
   */
  shapeModel?: { mean: Float64Array; basis: Float64Array };
  /** Flat UV indices of the human points on that model (default: the 21 AFLW points, {@link aflw21UvIndices}). */
  correspondence?: Uint32Array;
  /** The human points the validation error scores (default: all). */
  scoredPoints?: readonly number[];
}

/** Defaults of {@link createTrainingData}. */
export const CREATE_TRAINING_DATA_DEFAULTS = { inputSize: 256, valCount: 1000, seed: 1, maxFitError: 0.15 };

/** The AFLW-21 {@link TrainingData}, with what tests, benches and the loss may also want. */
export interface Aflw21TrainingData extends TrainingData {
  /** Data-set image index of each training sample. */
  trainImages: Uint32Array;
  /** Data-set image index of each validation sample. */
  valImages: Uint32Array;
  /** Data-set images left out of both splits (fit error above `maxFitError`). */
  excludedImages: Uint32Array;
  /**
   * Loss weights for S×S targets: the official `uv_weight_mask` (0 … 16) on face pixels, 0
   * elsewhere (AFLW has no neck ground truth; the targets there are only a smooth fill),
   * 2×2-averaged for S = 128.
   */
  weightMask: Float32Array;
  /** The canonical face as a full UV map (face pixels + harmonic fill), float64. */
  canonicalMap: Float64Array;
  /** Fitted pose of every data-set image. */
  poses: readonly FittedPose[];
  /** Fitted 68 landmarks of a data-set image, x y pairs in the original frame. */
  fittedLandmarks(image: number): Float64Array;
}

/**
 * Builds the AFLW-21 training data from decoded images and per-image pose fits: a seeded
 * train/validation split, batch assembly (crop warp from the 120×120 files, pseudo-label
 * position maps, augmentation) and the validation landmark error.
 *
 * ```ts
 * const data = createTrainingData(source, poses, assets, { inputSize: 256, valCount: 1000, seed: 1 });
 * const { inputs, targets } = await data.batch([0, 1, 2, 3], createTrainRandom(7), true);
 * ```
 */
export function createTrainingData(
  source: Aflw21Source,
  poses: readonly FittedPose[],
  assets: Pick<UvAssets, 'uvSize' | 'faceIndices' | 'keypointIndices' | 'canonicalVertices' | 'weightMask'>,
  options: Partial<CreateTrainingDataOptions> = {},
): Aflw21TrainingData {
  const o = withDefaults(CREATE_TRAINING_DATA_DEFAULTS, options);
  const S = o.inputSize;
  const N = POSITION_MAP_SIZE;
  if (S !== N && S !== N / 2) throw new Error(`training inputSize must be ${N} or ${N / 2}, got ${S}`);
  if (assets.uvSize !== N) throw new Error(`UV assets must be ${N}×${N}, got ${assets.uvSize}`);
  const { count, imageSize } = source;
  if (source.images.length !== count * imageSize * imageSize * 3) throw new Error(`AFLW images: expected ${count}×${imageSize}×${imageSize}×3 bytes, got ${source.images.length}`);
  const corr = o.correspondence ?? aflw21UvIndices();
  const m = corr.length;
  if (source.points.length !== count * 2 * m) throw new Error(`human points: expected ${count}×2×${m} values, got ${source.points.length}`);
  if (source.roiBoxes.length !== count * 4) throw new Error(`AFLW roi boxes: expected ${count}×4 values, got ${source.roiBoxes.length}`);
  if (poses.length !== count) throw new Error(`AFLW fits: expected ${count} poses, got ${poses.length}`);

  // Keep the images whose fit is plausible, then split them with a seeded shuffle.
  const keep: number[] = [], excluded: number[] = [];
  const xy = new Float64Array(2 * m);
  for (let i = 0; i < count; i++) {
    // The human points are stored x's then y's; x < 0 marks a point not annotated.
    for (let j = 0; j < m; j++) { xy[2 * j] = source.points[i * 2 * m + j]!; xy[2 * j + 1] = source.points[i * 2 * m + m + j]!; }
    const [x0, y0, x1, y1] = pointsBounds(xy, 2, (j) => !(xy[2 * j]! < 0));
    const norm = Math.sqrt(Math.max(0, x1 - x0) * Math.max(0, y1 - y0));
    (norm > 0 && poses[i]!.rmse <= o.maxFitError * norm ? keep : excluded).push(i);
  }
  if (!(o.valCount >= 0 && o.valCount < keep.length)) throw new Error(`valCount must be in [0, ${keep.length}) (usable images), got ${o.valCount}`);
  const order = shuffledIndices(keep.length, createTrainRandom(o.seed)).map((k) => keep[k]!);
  const valImages = Uint32Array.from(order.slice(0, o.valCount)).sort();
  const trainImages = Uint32Array.from(order.slice(o.valCount)).sort();
  const canonicalMap = o.shapeModel?.mean ?? canonicalPositionMap(assets);
  const { faceIndices, keypointIndices } = assets;
  const scored = o.scoredPoints ?? Array.from({ length: m }, (_, j) => j);
  // Fits with deformation coefficients need the same basis over the whole UV map.
  const basisMap = o.shapeModel ? o.shapeModel.basis : poses.some((p) => p.deformation.length > 0) ? aflw21Deformation(canonicalMap).map : undefined;
  if (o.shapeModel && canonicalMap.length !== N * N * 3) throw new Error(`shapeModel: the mean must be ${N}×${N}×3`);

  // Loss weights: official weights on face pixels only.
  const w256 = new Float32Array(N * N);
  for (let i = 0; i < faceIndices.length; i++) w256[faceIndices[i]!] = assets.weightMask[faceIndices[i]!]!;
  let weightMask = w256;
  if (S !== N) {
    weightMask = new Float32Array(S * S);
    for (let v = 0; v < S; v++) for (let u = 0; u < S; u++) {
      const a = 2 * v * N + 2 * u;
      weightMask[v * S + u] = 0.25 * (w256[a]! + w256[a + 1]! + w256[a + N]! + w256[a + N + 1]!);
    }
  }

  const fittedLandmarks = (image: number): Float64Array => {
    const pose = poses[image]!;
    const R = pose.rotation, s = pose.scale;
    const K = pose.deformation.length;
    const out = new Float64Array(keypointIndices.length * 2);
    for (let j = 0; j < keypointIndices.length; j++) {
      const p = keypointIndices[j]! * 3;
      let X = canonicalMap[p]!, Y = canonicalMap[p + 1]!, Z = canonicalMap[p + 2]!;
      for (let k = 0; k < K; k++) {
        const b = k * N * N * 3 + p, a = pose.deformation[k]!;
        X += a * basisMap![b]!; Y += a * basisMap![b + 1]!; Z += a * basisMap![b + 2]!;
      }
      out[j * 2] = s * (R[0]! * X + R[1]! * Y + R[2]! * Z) + pose.translation[0];
      out[j * 2 + 1] = s * (R[3]! * X + R[4]! * Y + R[5]! * Z) + pose.translation[1];
    }
    return out;
  };

  const assemble = (images: Uint32Array, indices: number[], rng: (() => number) | null): TrainingBatch => {
    const n = indices.length;
    const inputs = new Float32Array(n * S * S * 3);
    const targets = new Float32Array(n * S * S * 3);
    indices.forEach((idx, b) => {
      if (!(Number.isInteger(idx) && idx >= 0 && idx < images.length)) throw new Error(`sample index ${idx} out of range [0, ${images.length})`);
      const image = images[idx]!;
      const aug = rng ? sampleAugmentation(rng, o.augmentation) : NO_AUGMENTATION;
      const square = trainingCrop(fittedLandmarks(image), aug);
      // crop pixels → original frame → stored 120×120 file pixels.
      const orig = affineInvert(cropMatrix(square, S));
      const [x0, y0, x1, y1] = source.roiBoxes.subarray(image * 4, image * 4 + 4) as unknown as number[];
      const fx = imageSize / (x1! - x0!), fy = imageSize / (y1! - y0!);
      const file = new Float64Array([orig[0]! * fx, orig[1]! * fx, (orig[2]! - x0!) * fx, orig[3]! * fy, orig[4]! * fy, (orig[5]! - y0!) * fy]);
      const pix = imageSize * imageSize * 3;
      warpCropImage(source.images.subarray(image * pix, (image + 1) * pix), imageSize, imageSize, file, {
        side: S, colorScale: aug.colorScale, out: inputs, offset: b * S * S * 3,
      });
      if (aug.occlusion && rng) applyOcclusion(inputs, b * S * S * 3, S, aug.occlusion, rng);
      positionMapTarget(canonicalMap, poses[image]!, square, {
        side: S, faceIndices, basisMap: basisMap, out: targets, offset: b * S * S * 3,
      });
    });
    return { size: n, inputs, targets };
  };

  return {
    inputSize: S,
    trainCount: trainImages.length,
    valCount: valImages.length,
    trainImages,
    valImages,
    excludedImages: Uint32Array.from(excluded),
    weightMask,
    canonicalMap,
    poses,
    fittedLandmarks,
    async batch(indices, rng, augment) {
      return assemble(trainImages, indices, augment ? rng : null);
    },
    async valBatch(indices) {
      return assemble(valImages, indices, null);
    },
    valLandmarkError(predictions, indices) {
      const n = indices.length;
      if (predictions.length !== n * S * S * 3) throw new Error(`valLandmarkError: ${n} predictions need ${n * S * S * 3} floats, got ${predictions.length}`);
      const perImage = new Float64Array(n);
      const pred = new Float64Array(m * 2);
      const truth = new Float64Array(m * 2);
      const visible = new Uint8Array(m), annotated = new Uint8Array(m);
      indices.forEach((idx, b) => {
        if (!(Number.isInteger(idx) && idx >= 0 && idx < valImages.length)) throw new Error(`validation index ${idx} out of range [0, ${valImages.length})`);
        const image = valImages[idx]!;
        const square = trainingCrop(fittedLandmarks(image), NO_AUGMENTATION);
        const A = cropMatrix(square, N); // annotations into the 256-crop frame the maps speak
        const pts = source.points.subarray(image * 2 * m, (image + 1) * 2 * m);
        visible.fill(0);
        for (let j = 0; j < m; j++) {
          const x = pts[j]!, y = pts[m + j]!;
          annotated[j] = x >= 0 ? 1 : 0;
          truth[j * 2] = A[0]! * x + A[1]! * y + A[2]!;
          truth[j * 2 + 1] = A[3]! * x + A[4]! * y + A[5]!;
        }
        for (const j of scored) {
          visible[j] = annotated[j]!;
          const uv = corr[j]!;
          const u = uv % N, v = (uv - u) / N;
          // S = 128 maps are 2×2 means: 256 pixel u sits at 128 coordinate (u − 0.5) / 2.
          const su = S === N ? u : (u - 0.5) / 2, sv = S === N ? v : (v - 0.5) / 2;
          const [px, py] = samplePositionMap(predictions, b * S * S * 3, S, su, sv);
          pred[j * 2] = px * POSITION_MAP_SCALE;
          pred[j * 2 + 1] = py * POSITION_MAP_SCALE;
        }
        perImage[b] = landmarkError(pred, truth, visible, annotated);
      });
      let sum = 0;
      for (const e of perImage) sum += e;
      return { nme: n ? sum / n : 0, perImage };
    },
    valMetrics(predictions, targets, indices) {
      // The 68 landmarks against the labels' own (read at the UV keypoints of both maps), and
      // how far open the mouth is: a network that ignores expressions still scores a fair
      // label68, but misses the inner-lip gap (bench/expression.ts).
      const n = indices.length;
      let s2 = 0, s3 = 0, sm = 0;
      const p = new Float64Array(204), t = new Float64Array(204);
      for (let b = 0; b < n; b++) {
        for (const [map, out] of [[predictions, p], [targets, t]] as const) {
          keypointIndices.forEach((uv, j) => {
            const u = uv % N, v = (uv - u) / N;
            const su = S === N ? u : (u - 0.5) / 2, sv = S === N ? v : (v - 0.5) / 2;
            const xyz = sampleMap3(map, b * S * S * 3, S, su, sv);
            for (let c = 0; c < 3; c++) out[j * 3 + c] = xyz[c]! * POSITION_MAP_SCALE;
          });
        }
        s2 += landmarkNme(p, t, 2); s3 += landmarkNme(p, t, 3);
        sm += Math.abs(landmarkGap(p, LANDMARKS_68.innerLipPairs) - landmarkGap(t, LANDMARKS_68.innerLipPairs)) / boxNormalizer(t);
      }
      return { label68_2d: { sum: s2, count: n }, label68_3d: { sum: s3, count: n }, mouth_gap: { sum: sm, count: n } };
    },
  };
}

