/**
 * The AFLW-21 faces `prnet train` holds out (its seeded 1,000-face split), as the validation
 * benchmarks use them: each 120×120 crop decoded, its teacher-fitted 68 landmarks mapped into
 * the crop's pixels (x y pairs), and its |yaw| bin (0–30°, 30–60°, 60–90°) from the label's
 * pose. Shared by `bench/refineCrop.ts` and `bench/flipAverage.ts`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { npyToFloat64, readNpy } from '../../src/io/npy.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import type { UvAssets } from '../../src/uv/uvAssets.js';

/** One held-out face. */
export interface AflwValidationFace {
  /** Index in the dataset's arrays. */
  index: number;
  image: RgbImage;
  /** The 68 label landmarks as x y pairs in the crop's pixels. */
  reference: Float64Array;
  /** |yaw| bin: 0 (0–30°), 1 (30–60°), 2 (60–90°). */
  bin: 0 | 1 | 2;
}

/** Yields the first `limit` held-out faces of `dataDir` under the label set `labels` (seed 1, as `prnet train`). */
export async function* aflwValidationFaces(o: { dataDir: string; labels: string; assets: UvAssets; cacheDir: string; limit: number }): AsyncGenerator<AflwValidationFace> {
  const { loadAflw21TrainingData } = await import('../../src/node/train/trainingData.js');
  const aflw = await loadAflw21TrainingData({ dataDir: o.dataDir, assets: o.assets, inputSize: 128, valCount: 1000, seed: 1, cacheDir: o.cacheDir, labels: o.labels, log: () => {} });
  const names = (await readFile(path.join(o.dataDir, 'images.txt'), 'utf8')).split('\n').filter(Boolean);
  const rois = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(o.dataDir, 'roi_box.npy')))));
  for (const index of aflw.valImages.slice(0, o.limit)) {
    const [rx0, ry0, rx1] = [rois[4 * index]!, rois[4 * index + 1]!, rois[4 * index + 2]!];
    const k = 120 / (rx1 - rx0);
    const reference = Float64Array.from(aflw.fittedLandmarks(index), (v, j) => (j % 2 === 0 ? (v - rx0) * k : (v - ry0) * k));
    const R = aflw.poses[index]!.rotation;
    const yaw = (Math.asin(Math.min(1, Math.abs(R[6]!))) * 180) / Math.PI;
    const image = await decodeImage(await readFile(path.join(o.dataDir, 'images', names[index]!)));
    yield { index, image, reference, bin: yaw < 30 ? 0 : yaw < 60 ? 1 : 2 };
  }
}
