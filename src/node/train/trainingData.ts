import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { npyToFloat64, readNpy } from '../../io/npy.js';
import { aflw21ModelPoints, AFLW21_CORRESPONDENCE_VERSION, AFLW21_POINT_COUNT } from '../../labels/aflwMeanFace/aflw21Correspondence.js';
import { aflw21Deformation, AFLW21_DEFORMATION_REGULARIZATION, AFLW21_DEFORMATION_SHAPES } from '../../labels/aflwMeanFace/aflw21Deformation.js';
import { canonicalPositionMap } from '../../labels/aflwMeanFace/canonicalPositionMap.js';
import { fitPose, type FittedPose } from '../../labels/aflwMeanFace/fitPose.js';
import { createTrainingData, type Aflw21Source, type Aflw21TrainingData } from '../../train/data/trainingData.js';
import type { AugmentationOptions } from '../../train/data/augmentation.js';
import type { UvAssets } from '../../uv/uvAssets.js';
import { loadUvAssets } from '../inference/uvAssets.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { LABEL_QUALITY_FLOATS, labelSetPoses, readLabelSet } from './labels/labelSetFiles.js';

/** Options of {@link loadAflw21TrainingData}. */
export interface LoadAflw21TrainingDataOptions {
  /** The `datasets/aflw21` folder (images/, images.txt, pts21.npy, roi_box.npy). */
  dataDir: string;
  /** Official `uv-data` folder (ignored when `assets` is given). */
  uvDataDir?: string;
  /** Already loaded UV assets. */
  assets?: UvAssets;
  /** S: 256 or 128. */
  inputSize: number;
  /** Held-out validation images. */
  valCount?: number;
  /** Seed of the split. */
  seed?: number;
  /** Where decoded images and fits are cached (`null`: no cache). Default `runs/cache` of the working directory. */
  cacheDir?: string | null;
  /** Use only the first `limit` images (tests, quick runs). */
  limit?: number;
  /** Augmentation ranges. */
  augmentation?: Partial<AugmentationOptions>;
  /** Leave out images with a worse normalised fit error (see `createTrainingData`). */
  maxFitError?: number;
  /**
   * A teacher-fitted label set (`prnet label aflw21`) to train on instead of the mean-face
   * pseudo-labels: its poses and coefficients, UV morphable model and correspondence.
   */
  labels?: string;
  /** Progress lines (decoding, fitting). */
  log?: (line: string) => void;
}

/** Bump when the fit or its storage changes: stale caches are then ignored. */
const FITS_VERSION = 3;
/** Floats stored per pose: rotation (9), scale, tx, ty, rmse, deformation. */
const POSE_FLOATS = 13 + AFLW21_DEFORMATION_SHAPES.length;
const DECODE_CONCURRENCY = 8;

async function exists(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

/**
 * Decodes `dir/images/<name>` for every name into one `n × size² × 3` RGB buffer. An image
 * that cannot be decoded (or has the wrong size) throws, unless `onBadImage` is given: then
 * it is reported there and left black (its label must leave it out).
 */
export async function decodeAll(dir: string, names: string[], size: number, log: (s: string) => void, onBadImage?: (index: number, why: string) => void): Promise<Uint8Array> {
  const pix = size * size * 3;
  const out = new Uint8Array(names.length * pix);
  let next = 0;
  const t0 = Date.now();
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const file = path.join(dir, 'images', names[i]!);
      let data: Buffer, info: { width: number; height: number; channels: number };
      try {
        ({ data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }));
        if (info.width !== size || info.height !== size || info.channels !== 3) {
          throw new Error(`${file}: expected ${size}×${size} RGB, got ${info.width}×${info.height}×${info.channels}`);
        }
      } catch (err) {
        const why = (err as Error).message.startsWith(file) ? (err as Error).message : `cannot decode ${file}: ${(err as Error).message}`;
        if (!onBadImage) throw new Error(why);
        onBadImage(i, why);
        continue;
      }
      out.set(data, i * pix);
      if ((i + 1) % 2000 === 0) log(`decoded ${i + 1}/${names.length} images (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  };
  await Promise.all(Array.from({ length: DECODE_CONCURRENCY }, worker));
  return out;
}

/**
 * Fits the scaled-orthographic pose of the canonical face to every image's visible AFLW
 * points (see `fitPose`, `aflw21Correspondence`).
 *
 * ```ts
 * const poses = fitAflw21Poses(points, count, assets);
 * ```
 */
export function fitAflw21Poses(
  points: Float32Array,
  count: number,
  assets: Pick<UvAssets, 'uvSize' | 'faceIndices' | 'canonicalVertices'>,
  options: { canonical?: Float64Array; deformation?: boolean } = {},
): FittedPose[] {
  const canonical = options.canonical ?? canonicalPositionMap(assets, { sweeps: 0 });
  const model = aflw21ModelPoints(canonical);
  const fit = options.deformation === false ? {} : { basis: aflw21Deformation(canonical).points, regularization: AFLW21_DEFORMATION_REGULARIZATION };
  const img = new Float64Array(AFLW21_POINT_COUNT * 2);
  const vis = new Uint8Array(AFLW21_POINT_COUNT);
  const poses: FittedPose[] = [];
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < AFLW21_POINT_COUNT; j++) {
      const x = points[i * 42 + j]!, y = points[i * 42 + 21 + j]!;
      vis[j] = x >= 0 ? 1 : 0;
      img[j * 2] = x; img[j * 2 + 1] = y;
    }
    poses.push(fitPose(model, img, vis, fit));
  }
  return poses;
}

function packPoses(poses: FittedPose[]): Float64Array {
  const out = new Float64Array(poses.length * POSE_FLOATS);
  poses.forEach((p, i) => {
    out.set(p.rotation, i * POSE_FLOATS);
    out.set([p.scale, p.translation[0], p.translation[1], p.rmse], i * POSE_FLOATS + 9);
    out.set(p.deformation, i * POSE_FLOATS + 13);
  });
  return out;
}

function unpackPoses(data: Float64Array): FittedPose[] {
  const poses: FittedPose[] = [];
  for (let i = 0; i * POSE_FLOATS < data.length; i++) {
    const o = i * POSE_FLOATS;
    poses.push({
      rotation: data.slice(o, o + 9),
      scale: data[o + 9]!,
      translation: [data[o + 10]!, data[o + 11]!],
      deformation: data.slice(o + 13, o + POSE_FLOATS),
      rmse: data[o + 12]!,
    });
  }
  return poses;
}

/**
 * Loads the AFLW-21 training set as {@link Aflw21TrainingData}: decodes the 120×120 JPEGs
 * once into one raw byte file under `cacheDir` (≈ 824 MB for 19,080 images; later loads
 * just read it), fits (and caches) every image's pose, then builds batches on demand.
 *
 * ```ts
 * const data = await loadAflw21TrainingData({ dataDir: '../shared/datasets/aflw21', uvDataDir: '../shared/prnet-data/uv-data', inputSize: 256 });
 * const batch = await data.batch([0, 1, 2, 3], createTrainRandom(1), true);
 * ```
 */
export async function loadAflw21TrainingData(options: LoadAflw21TrainingDataOptions): Promise<Aflw21TrainingData> {
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.dataDir);
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(path.join(dir, name)));
    } catch (err) {
      throw new Error(`AFLW-21 data set: cannot read ${path.join(dir, name)}: ${(err as Error).message}`);
    }
  };
  const namesText = new TextDecoder().decode(await read('images.txt'));
  let names = namesText.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const ptsNpy = readNpy(await read('pts21.npy'), path.join(dir, 'pts21.npy'));
  const roiNpy = readNpy(await read('roi_box.npy'), path.join(dir, 'roi_box.npy'));
  const total = names.length;
  if (ptsNpy.shape.join() !== `${total},2,${AFLW21_POINT_COUNT}`) throw new Error(`${path.join(dir, 'pts21.npy')}: expected shape [${total}, 2, 21], got [${ptsNpy.shape.join(', ')}]`);
  if (roiNpy.shape.join() !== `${total},4`) throw new Error(`${path.join(dir, 'roi_box.npy')}: expected shape [${total}, 4], got [${roiNpy.shape.join(', ')}]`);
  const count = Math.min(total, options.limit ?? total);
  names = names.slice(0, count);
  const points = Float32Array.from(npyToFloat64(ptsNpy).subarray(0, count * 42));
  const roiBoxes = Float32Array.from(npyToFloat64(roiNpy).subarray(0, count * 4));
  const imageSize = 120;

  const assets = options.assets ?? (await loadUvAssets({ dataDir: options.uvDataDir, download: false }));
  const cacheDir = options.cacheDir === null ? null : path.resolve(options.cacheDir ?? 'runs/cache');
  const keyOf = (n: number) => createHash('sha256').update(namesText).update(String(n)).digest('hex').slice(0, 16);
  const imagesFileOf = (n: number) => cacheDir && path.join(cacheDir, `aflw21-images-${imageSize}-${n}-${keyOf(n)}.u8`);

  // Images: the cache of this count, else a prefix of the whole data set's cache, else decode.
  let images: Uint8Array | undefined;
  const badImages = new Map<number, string>();
  const pix = imageSize * imageSize * 3;
  const imagesFile = imagesFileOf(count);
  const fullFile = imagesFileOf(total);
  if (imagesFile && (await exists(imagesFile)) === count * pix) {
    images = new Uint8Array(await readFile(imagesFile));
    log(`read ${count} decoded images from ${imagesFile}`);
  } else if (count < total && fullFile && (await exists(fullFile)) === total * pix) {
    images = new Uint8Array(count * pix);
    const fh = await open(fullFile, 'r');
    try {
      await fh.read(images, 0, images.length, 0);
    } finally {
      await fh.close();
    }
    log(`read ${count} decoded images from ${fullFile}`);
  } else {
    images = await decodeAll(dir, names, imageSize, log, options.labels ? (i, why) => badImages.set(i, why) : undefined);
    // A set with holes is not cached: a later run without labels would train on black images.
    if (imagesFile && badImages.size === 0) {
      await mkdir(path.dirname(imagesFile), { recursive: true });
      await writeFileAtomic(imagesFile, images);
      log(`cached decoded images in ${imagesFile}`);
    }
  }

  const source: Aflw21Source = { count, imageSize, images, points, roiBoxes };
  const common = {
    inputSize: options.inputSize,
    valCount: options.valCount ?? 1000,
    seed: options.seed ?? 1,
    augmentation: options.augmentation,
    maxFitError: options.maxFitError,
  };
  if (options.labels) {
    const labels = await readLabelSet(options.labels);
    if (labels.info.dataset !== 'aflw21') throw new Error(`${options.labels}: a ${labels.info.dataset} label set, not aflw21`);
    if (labels.info.count < count || labels.info.images.slice(0, count).some((n, i) => n !== names[i])) {
      throw new Error(`${options.labels}: its ${labels.info.count} faces are not the first ${count} images of ${dir} (make the labels again for this data set)`);
    }
    const { model } = labels;
    if (model.landmarkPixels.some((p, j) => p !== assets.keypointIndices[j])) throw new Error(`${options.labels}: the model's landmark pixels differ from the UV assets' uv_kpt_ind`);
    const poses = labelSetPoses(labels, count);
    for (const [i, why] of badImages) {
      if (!labels.quality[i * LABEL_QUALITY_FLOATS + 3]) throw new Error(`${why}, but ${options.labels} holds a label for it (make the labels again)`);
    }
    log(`labels: ${labels.info.summary['kept']} of ${labels.info.count} teacher-fitted faces kept (${options.labels})`);
    return createTrainingData(source, poses, assets, {
      ...common,
      shapeModel: { mean: model.mean, basis: model.basis },
      correspondence: Uint32Array.from(labels.info.correspondence.uv, ([u, v]) => v * model.size + u),
    });
  }

  // Pose fits.
  const canonical = canonicalPositionMap(assets);
  let poses: FittedPose[] | undefined;
  const ptsKey = createHash('sha256').update(points).digest('hex').slice(0, 16);
  const fitsFile = cacheDir && path.join(cacheDir, `aflw21-fits-v${FITS_VERSION}-c${AFLW21_CORRESPONDENCE_VERSION}-${count}-${ptsKey}.f64`);
  if (fitsFile && (await exists(fitsFile)) === count * POSE_FLOATS * 8) {
    const buf = await readFile(fitsFile);
    poses = unpackPoses(new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
    log(`read ${count} pose fits from ${fitsFile}`);
  } else {
    const t0 = Date.now();
    poses = fitAflw21Poses(points, count, assets, { canonical });
    log(`fitted ${count} poses in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (fitsFile) {
      await mkdir(path.dirname(fitsFile), { recursive: true });
      await writeFileAtomic(fitsFile, new Uint8Array(packPoses(poses).buffer));
    }
  }

  return createTrainingData(source, poses, assets, common);
}
