import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { npyToFloat64, readNpy } from '../../io/npy.js';
import { createTrainingData, type Aflw21TrainingData } from '../../train/data/trainingData.js';
import type { UvAssets } from '../../uv/uvAssets.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { decodeAll } from './trainingData.js';
import { labelSetPoses, readLabelSet } from './labels/labelSetFiles.js';
import { HELEN_JAW_POINTS } from './labels/helenAfw68LabelSource.js';

/** Side of the helen-afw68 crops. */
const HELEN_CROP_SIZE = 256;

/** Options of {@link loadHelenAfw68TrainingData}. */
export interface LoadHelenAfw68TrainingDataOptions {
  /** A helen-afw68 label set (`prnet label helen-afw68`); its `labels.json` names the data folder. */
  labels: string;
  /** UV assets (landmark pixels, face indices, weight mask). */
  assets: UvAssets;
  /** S: 256 or 128. */
  inputSize: number;
  /** Held-out faces (their inner-51 error against the human points is reported each epoch). */
  valCount: number;
  /** Seed of the split. */
  seed: number;
  /** Cache of decoded images (`null`: none). */
  cacheDir: string | null;
  /** Progress lines. */
  log: (line: string) => void;
}

/**
 * The helen-afw68 faces as training data on their teacher-fitted labels: 256×256 crops,
 * poses in crop pixels, the 68 human points (validation scores the inner 51, normalised by
 * the 68-point box, as the teacher's 3.23 % is measured).
 *
 * ```ts
 * const helen = await loadHelenAfw68TrainingData({ labels: 'runs/labels-helen', assets, inputSize: 128, valCount: 300, seed: 1, cacheDir: 'runs/cache', log });
 * ```
 */
export async function loadHelenAfw68TrainingData(o: LoadHelenAfw68TrainingDataOptions): Promise<Aflw21TrainingData> {
  const labels = await readLabelSet(o.labels);
  if (labels.info.dataset !== 'helen-afw68') throw new Error(`${o.labels}: a ${labels.info.dataset} label set, not helen-afw68`);
  const { model, info } = labels;
  const dir = info.dataDir;
  const names = info.images, count = info.count;
  const pix = HELEN_CROP_SIZE * HELEN_CROP_SIZE * 3;
  const key = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
  const cacheFile = o.cacheDir && path.join(o.cacheDir, `helen-images-${HELEN_CROP_SIZE}-${count}-${key}.u8`);
  let images: Uint8Array;
  if (cacheFile && (await stat(cacheFile).then((s) => s.size, () => -1)) === count * pix) {
    images = new Uint8Array(await readFile(cacheFile));
    o.log(`read ${count} decoded helen-afw68 images from ${cacheFile}`);
  } else {
    images = await decodeAll(dir, names, HELEN_CROP_SIZE, o.log);
    if (cacheFile) await writeFileAtomic(cacheFile, images);
  }
  // Human points from the data set, in the label set's order (checked by name).
  const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(dir, 'pts68.npy'))), path.join(dir, 'pts68.npy')));
  if (pts.length < count * 136) throw new Error(`${dir}/pts68.npy holds ${pts.length / 136} faces, the labels ${count}`);
  const poses = labelSetPoses(labels);
  const roiBoxes = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) roiBoxes.set([0, 0, HELEN_CROP_SIZE, HELEN_CROP_SIZE], i * 4);
  o.log(`helen-afw68 labels: ${info.summary['kept']} of ${count} faces kept (${o.labels})`);
  return createTrainingData(
    { count, imageSize: HELEN_CROP_SIZE, images, points: Float32Array.from(pts.subarray(0, count * 136)), roiBoxes },
    poses, o.assets,
    {
      inputSize: o.inputSize, valCount: o.valCount, seed: o.seed,
      shapeModel: { mean: model.mean, basis: model.basis },
      correspondence: model.landmarkPixels,
      scoredPoints: Array.from({ length: 68 - HELEN_JAW_POINTS }, (_, k) => k + HELEN_JAW_POINTS),
    },
  );
}
