import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { aflw2000GroundTruth } from '../../eval/aflw2000GroundTruth.js';
import type { Aflw2000Sample } from '../../eval/evaluateAflw2000.js';
import { decodeImage } from '../inference/decodeImage.js';
import { readMatFile } from './readMatFile.js';

/**
 * The image/ground-truth pairs of an AFLW2000-3D folder: every `<name>.jpg|png` and
 * `<name>.mat`, by name; each loads lazily.
 *
 * ```ts
 * const samples = await listAflw2000Samples('../shared/fixtures/aflw2000-sample');
 * ```
 */
export async function listAflw2000Samples(dir: string): Promise<Aflw2000Sample[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read AFLW2000-3D folder ${dir}: ${e.code === 'ENOENT' ? 'not found' : e.code === 'ENOTDIR' ? 'not a directory' : e.message}`);
  }
  const images = new Map<string, string>();
  const mats = new Set<string>();
  for (const f of entries) {
    const ext = path.extname(f).toLowerCase();
    const base = f.slice(0, f.length - ext.length);
    if (ext === '.mat') mats.add(base);
    else if (ext === '.jpg' || ext === '.jpeg' || ext === '.png') images.set(base, f);
  }
  const names = [...new Set([...images.keys(), ...mats])].sort();
  return names.map((name) => ({
    name,
    async load(withImage: boolean) {
      if (!mats.has(name)) throw new Error(`${name}: ground truth ${name}.mat is missing`);
      const matFile = path.join(dir, `${name}.mat`);
      const groundTruth = aflw2000GroundTruth(await readMatFile(matFile), matFile);
      if (!withImage) return { groundTruth };
      const img = images.get(name);
      if (!img) throw new Error(`${name}: image ${name}.jpg is missing`);
      return { groundTruth, image: await decodeImage(path.join(dir, img)) };
    },
  }));
}
