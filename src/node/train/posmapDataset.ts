import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { parseNpy } from '../../io/npy.js';
import { POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { createTrainRandom } from '../../train/loop/trainRandom.js';
import { createPosmapTrainingData, POSMAP_TRAINING_DATA_DEFAULTS, type PosmapTrainingData, type PosmapTrainingDataOptions } from '../../train/data/posmapTrainingData.js';
import { encodeNpy } from '../../io/encodeNpy.js';
import type { MorphableModel } from '../../labels/posmap300wlp/morphableModel.js';
import { parameters300wlp } from '../../labels/posmap300wlp/parameters300wlp.js';
import { posmap300wlp } from '../../labels/posmap300wlp/posmap300wlp.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { decodeImage } from '../inference/decodeImage.js';
import { encodeImage } from '../inference/encodeImage.js';
import { readMatFile } from '../files/readMatFile.js';
import { withDefaults } from '../../io/withDefaults.js';
import { makeFolders } from '../files/makeFolders.js';

export type { PosmapTrainingData } from '../../train/data/posmapTrainingData.js';

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
  await makeFolders(o.outDir);
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

/** Options of {@link loadPosmapTrainingData}: the folder, and those of `createPosmapTrainingData`. */
export interface LoadPosmapTrainingDataOptions extends PosmapTrainingDataOptions {
  /** The data-set folder (`index.json`, crops, maps). */
  dir: string;
}

/** Defaults of {@link loadPosmapTrainingData}. */
export const LOAD_POSMAP_TRAINING_DATA_DEFAULTS = POSMAP_TRAINING_DATA_DEFAULTS;

/**
 * The {@link PosmapTrainingData} of a folder written by {@link generatePosmapDataset}, so
 * the same trainer can train on 300W-LP: reads `index.json`, then hands a file reader
 * (sharp for the crops, `.npy` for the maps) to the isomorphic `createPosmapTrainingData`.
 *
 * ```ts
 * const data = await loadPosmapTrainingData({ dir: 'data/300wlp', inputSize: 256, valCount: 500, seed: 1 });
 * const { inputs, targets } = await data.batch([0, 1], createTrainRandom(3), true);
 * ```
 */
export async function loadPosmapTrainingData(options: Partial<LoadPosmapTrainingDataOptions> & { dir: string }): Promise<PosmapTrainingData> {
  const N = POSITION_MAP_SIZE;
  const indexPath = path.join(options.dir, POSMAP_DATASET_INDEX);
  const index = await readPosmapIndex(indexPath);
  if (index.size !== N) throw new Error(`${indexPath}: samples are ${index.size}×${index.size}, training needs ${N}×${N}`);
  const count = index.samples.length;
  const valCount = options.valCount ?? POSMAP_TRAINING_DATA_DEFAULTS.valCount;
  if (!(Number.isInteger(valCount) && valCount >= 0 && valCount < count)) throw new Error(`valCount must be in [0, ${count}) (samples in ${indexPath}), got ${valCount}`);
  const readSample = async (k: number): Promise<{ image: Uint8Array; map: Float32Array }> => {
    const s = index.samples[k]!;
    const imageFile = path.join(options.dir, s.image), mapFile = path.join(options.dir, s.positionMap);
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

  const { dir: _dir, ...rest } = options;
  return createPosmapTrainingData({ count, keypointUv: index.keypointUv, read: readSample }, rest);
}
