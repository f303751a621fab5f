import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { npyToFloat64, readNpy } from '../../../io/npy.js';
import { AFLW21_POINT_COUNT, AFLW21_UV } from '../../../labels/aflwMeanFace/aflw21Correspondence.js';
import { decodeImage } from '../../inference/decodeImage.js';
import type { LabelSource } from './labelSource.js';

/** Side of the AFLW-21 crops. */
export const AFLW21_CROP_SIZE = 120;

/**
 * The AFLW-21 data set (`images/`, `images.txt`, `pts21.npy`, `roi_box.npy`) as a
 * {@link LabelSource}: its 120×120 crops are 3DDFA's own crops (`roi_box`), so the teacher
 * reads them as they are; points and poses are in the original 450×450 frame. The 21
 * points start at the `AFLW21_UV` table and are refined from the teacher (ears: radius 40).
 *
 * ```ts
 * const source = await aflw21LabelSource('../shared/datasets/aflw21');
 * ```
 */
export async function aflw21LabelSource(dataDir: string): Promise<LabelSource> {
  const dir = path.resolve(dataDir);
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(path.join(dir, name)));
    } catch (err) {
      throw new Error(`AFLW-21 data set: cannot read ${path.join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const names = new TextDecoder().decode(await read('images.txt')).split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const pts = npyToFloat64(readNpy(await read('pts21.npy'), path.join(dir, 'pts21.npy')));
  const roi = npyToFloat64(readNpy(await read('roi_box.npy'), path.join(dir, 'roi_box.npy')));
  const n = names.length, m = AFLW21_POINT_COUNT;
  if (pts.length !== n * 2 * m || roi.length !== n * 4) throw new Error(`AFLW-21 data set ${dir}: ${n} images but ${pts.length / (2 * m)} point sets and ${roi.length / 4} boxes`);
  const human = new Float64Array(n * m * 2), weights = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    const x = pts[i * 2 * m + j]!, y = pts[i * 2 * m + m + j]!;
    human[(i * m + j) * 2] = x; human[(i * m + j) * 2 + 1] = y;
    weights[i * m + j] = x >= 0 ? 1 : 0;
  }
  const S = AFLW21_CROP_SIZE;
  return {
    dataset: 'aflw21', dir, names, pointCount: m, human, weights,
    frame: 'the 450×450 frame of pts21.npy and roi_box.npy',
    async teacherCrop(i) {
      const image = await decodeImage(path.join(dir, 'images', names[i]!));
      if (image.width !== S || image.height !== S) throw new Error(`expected a ${S}×${S} crop, got ${image.width}×${image.height}`);
      return { image, crop: [0, 0, S, S], frameRoi: [roi[i * 4]!, roi[i * 4 + 1]!, roi[i * 4 + 2]!, roi[i * 4 + 3]!] };
    },
    correspondence: {
      start: Uint32Array.from(AFLW21_UV, ([u, v]) => v * 256 + u), learn: true, radii: { 12: 40, 16: 40 },
      how: 'learnt from the teacher (teacherCorrespondence) from the AFLW21_UV table, radius 24 UV pixels (ears 40)',
    },
  };
}
