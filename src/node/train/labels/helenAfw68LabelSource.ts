import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tddfaRoiFromLandmarks } from '../../../face/tddfa/tddfaRoiBox.js';
import { npyToFloat64, readNpy } from '../../../io/npy.js';
import { decodeImage } from '../../inference/decodeImage.js';
import type { LabelSource } from './labelSource.js';

/** 300-W's jaw line (points 0–16) follows the visible contour, not fixed model points. */
export const HELEN_JAW_POINTS = 17;
/** Default weight of a jaw point in the label fit (docs/teacher-labels.md). */
export const HELEN_JAW_WEIGHT = 0.25;

/**
 * The helen-afw68 data set (`images/`, `images.txt`, `pts68.npy`; 256×256 crops with the
 * 300-W 68 points in crop pixels) as a {@link LabelSource}: the teacher sees 3DDFA's
 * landmark crop of the human points; the 68 points sit at the model's landmark pixels;
 * the jaw line is weighted `jawWeight` because 300-W draws it along the visible contour.
 *
 * ```ts
 * const source = await helenAfw68LabelSource('../shared/datasets/helen-afw68', landmarkPixels);
 * ```
 *
 * @param landmarkPixels the UV model's 68 landmark pixels.
 */
export async function helenAfw68LabelSource(dataDir: string, landmarkPixels: Uint32Array, jawWeight = HELEN_JAW_WEIGHT): Promise<LabelSource> {
  const dir = path.resolve(dataDir);
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(path.join(dir, name)));
    } catch (err) {
      throw new Error(`helen-afw68 data set: cannot read ${path.join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const names = new TextDecoder().decode(await read('images.txt')).split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const pts = npyToFloat64(readNpy(await read('pts68.npy'), path.join(dir, 'pts68.npy')));
  const n = names.length, m = 68;
  if (pts.length !== n * 2 * m) throw new Error(`helen-afw68 data set ${dir}: ${n} images but ${pts.length / (2 * m)} point sets`);
  const human = new Float64Array(n * m * 2), weights = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    human[(i * m + j) * 2] = pts[i * 2 * m + j]!; human[(i * m + j) * 2 + 1] = pts[i * 2 * m + m + j]!;
    weights[i * m + j] = j < HELEN_JAW_POINTS ? jawWeight : 1;
  }
  return {
    dataset: 'helen-afw68', dir, names, pointCount: m, human, weights,
    frame: 'the pixels of each 256×256 crop (pts68.npy)',
    async teacherCrop(i) {
      const image = await decodeImage(path.join(dir, 'images', names[i]!));
      const roi = tddfaRoiFromLandmarks(human.subarray(i * m * 2, (i + 1) * m * 2));
      return { image, crop: roi, frameRoi: roi };
    },
    correspondence: { start: Uint32Array.from(landmarkPixels), learn: false, how: `the model's 68 landmark pixels; jaw points 0–16 weighted ${jawWeight}` },
  };
}
