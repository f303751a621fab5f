import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePts } from '../../io/pts.js';
import type { PtsSample } from '../../eval/evaluatePts.js';
import { LANDMARK_COUNT } from '../../uv/parseKeypointIndices.js';
import { decodeImage } from '../inference/decodeImage.js';

/** Image extensions a `.pts` benchmark folder is searched for (300-W has .jpg and .png). */
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'];

/**
 * The image/annotation pairs under a folder of a 68-point benchmark in iBUG's layout
 * (300-W: `afw/`, `helen/testset/`, `ibug/`, `lfpw/testset/`…, each `NAME.jpg|png` beside
 * `NAME.pts`), searched through every sub-folder. Names are paths below `dir` without the
 * extension, sorted. Every `.pts` file is a sample (one without its image fails to load,
 * with that message); images without one are not. Each loads lazily.
 *
 * ```ts
 * const samples = await listPtsSamples('300W/01_Indoor');
 * ```
 */
export async function listPtsSamples(dir: string): Promise<PtsSample[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read the benchmark folder ${dir}: ${e.code === 'ENOENT' ? 'not found' : e.code === 'ENOTDIR' ? 'not a directory' : e.message}`);
  }
  const images = new Map<string, string>();
  const annotations = new Set<string>();
  for (const f of entries) {
    const ext = path.extname(f).toLowerCase();
    const base = f.slice(0, f.length - ext.length).split(path.sep).join('/');
    if (ext === '.pts') annotations.add(base);
    else if (IMAGE_EXTENSIONS.includes(ext) && !images.has(base)) images.set(base, f);
  }
  const names = [...annotations].sort();
  if (names.length === 0 && images.size > 0) throw new Error(`${dir}: ${images.size} image(s) but no .pts annotation files (iBUG format: NAME.pts beside NAME.jpg)`);
  return names.map((name) => ({
    name,
    async load(withImage: boolean) {
      const ptsFile = path.join(dir, `${name}.pts`);
      const points = parsePts(await readFile(ptsFile, 'utf8'), ptsFile);
      if (points.length !== 2 * LANDMARK_COUNT) throw new Error(`${ptsFile}: ${points.length / 2} points; the evaluation needs the 68 of 300-W`);
      const landmarks = new Float64Array(3 * LANDMARK_COUNT);
      for (let k = 0; k < LANDMARK_COUNT; k++) { landmarks[3 * k] = points[2 * k]!; landmarks[3 * k + 1] = points[2 * k + 1]!; }
      const groundTruth = { landmarks };
      if (!withImage) return { groundTruth };
      const img = images.get(name);
      if (!img) throw new Error(`${name}: no image beside ${name}.pts (${IMAGE_EXTENSIONS.join(', ')})`);
      return { groundTruth, image: await decodeImage(path.join(dir, img)) };
    },
  }));
}
