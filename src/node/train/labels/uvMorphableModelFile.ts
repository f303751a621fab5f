import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { BFM_PIECE_FILES, loadBfmPieces } from './bfmPieces.js';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import { uvMorphableModel, UV_MORPHABLE_MODEL_DEFAULTS, type UvMorphableModel, type UvMorphableModelOptions, type UvMorphableModelReport } from '../../../labels/uvMorphableModel.js';
import type { BfmPieces } from '../../../uv/bfmPieces.js';
import { withDefaults } from '../../../io/withDefaults.js';

/** Bump when the construction changes: cached models are then rebuilt. */
export const UV_MORPHABLE_MODEL_VERSION = 1;

const MAGIC = 'PRNETUVM';

/**
 * Encodes a UV morphable model: an 8-byte magic, a u32 JSON header length, the JSON header
 * (size, counts, landmark pixels), then the mean (float64) and the basis (float32).
 *
 * ```ts
 * await writeFile('uv-model.bin', encodeUvMorphableModel(model));
 * ```
 */
export function encodeUvMorphableModel(model: UvMorphableModel): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({
    version: UV_MORPHABLE_MODEL_VERSION, size: model.size, shapeCount: model.shapeCount, expressionCount: model.expressionCount,
    landmarkPixels: Array.from(model.landmarkPixels),
  }));
  const pad = (8 - ((12 + header.length) % 8)) % 8;
  const start = 12 + header.length + pad;
  const out = new Uint8Array(start + model.mean.length * 8 + model.basis.length * 4);
  out.set(new TextEncoder().encode(MAGIC));
  new DataView(out.buffer).setUint32(8, header.length + pad, true);
  out.set(header, 12);
  out.fill(0x20, 12 + header.length, start);
  new Float64Array(out.buffer, start, model.mean.length).set(model.mean);
  new Float32Array(out.buffer, start + model.mean.length * 8, model.basis.length).set(model.basis);
  return out;
}

/**
 * Decodes {@link encodeUvMorphableModel}'s bytes; a wrong file or version is an error naming `name`.
 *
 * ```ts
 * const model = decodeUvMorphableModel(await readFile('labels/uv-model.bin'), 'labels/uv-model.bin');
 * ```
 */
export function decodeUvMorphableModel(bytes: Uint8Array, name = 'UV morphable model'): UvMorphableModel {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new Error(`${name}: not a prnet UV morphable model file`);
  const hlen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as { version: number; size: number; shapeCount: number; expressionCount: number; landmarkPixels: number[] };
  if (h.version !== UV_MORPHABLE_MODEL_VERSION) throw new Error(`${name}: model version ${h.version}, this prnet reads ${UV_MORPHABLE_MODEL_VERSION} (make the labels again)`);
  const P = h.size * h.size, K = h.shapeCount + h.expressionCount;
  const start = 12 + hlen;
  if (bytes.length !== start + P * 3 * 8 + K * P * 3 * 4) throw new Error(`${name}: truncated (${bytes.length} bytes)`);
  const copy = bytes.slice(start);
  return {
    size: h.size, shapeCount: h.shapeCount, expressionCount: h.expressionCount, landmarkPixels: Uint32Array.from(h.landmarkPixels),
    mean: new Float64Array(copy.buffer, 0, P * 3),
    basis: Float64Array.from(new Float32Array(copy.buffer, P * 3 * 8, K * P * 3)),
  };
}

/** Options of {@link loadUvMorphableModel}. */
export interface LoadUvMorphableModelOptions {
  /** Where built models are cached (`null`: never). */
  cacheDir: string | null;
  /** Construction settings. */
  build: Partial<UvMorphableModelOptions>;
  /** Progress lines. */
  log: (line: string) => void;
}

/** Defaults of {@link loadUvMorphableModel}. */
export const LOAD_UV_MORPHABLE_MODEL_DEFAULTS: LoadUvMorphableModelOptions = { cacheDir: 'runs/cache', build: {}, log: () => {} };

/**
 * The UV morphable model of a 3DDFA_V2 BFM folder: read from the cache when the folder's
 * files and the settings are unchanged, else built (about a minute and a half on two
 * cores) and cached. Returns the BFM pieces too.
 *
 * ```ts
 * const { model, pieces } = await loadUvMorphableModel('../shared/3ddfa');
 * ```
 */
export async function loadUvMorphableModel(bfmDir: string, options: Partial<LoadUvMorphableModelOptions> = {}): Promise<{ model: UvMorphableModel; pieces: BfmPieces; report: UvMorphableModelReport | null; file: string | null }> {
  const o = withDefaults(LOAD_UV_MORPHABLE_MODEL_DEFAULTS, options);
  const pieces = await loadBfmPieces(bfmDir);
  const build = withDefaults(UV_MORPHABLE_MODEL_DEFAULTS, o.build);
  let file: string | null = null;
  if (o.cacheDir) {
    const hash = createHash('sha256').update(JSON.stringify({ v: UV_MORPHABLE_MODEL_VERSION, build }));
    for (const [name] of Object.values(BFM_PIECE_FILES)) hash.update(await readFile(path.join(bfmDir, name)));
    file = path.join(o.cacheDir, `uv-bfm-${hash.digest('hex').slice(0, 16)}.bin`);
    try {
      const model = decodeUvMorphableModel(new Uint8Array(await readFile(file)), file);
      o.log(`read the UV morphable model from ${file}`);
      return { model, pieces, report: null, file };
    } catch {
      // Not cached yet (or unreadable): build it.
    }
  }
  o.log('building the UV morphable model from the BFM pieces (about 1–2 minutes, once)…');
  const t0 = Date.now();
  const { model, report } = uvMorphableModel(pieces, build);
  o.log(`built it in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${report.samplesUsed} shape sample points used`);
  if (file) {
    await mkdir(path.dirname(file), { recursive: true });
    // Keep one cached model per folder of caches: remove older builds.
    for (const f of await readdir(path.dirname(file))) if (f.startsWith('uv-bfm-') && path.join(path.dirname(file), f) !== file) await rm(path.join(path.dirname(file), f), { force: true });
    await writeFileAtomic(file, encodeUvMorphableModel(model));
  }
  return { model, pieces, report, file };
}
