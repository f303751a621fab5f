/**
 * The batch engine behind `prnet reconstruct`: expands the inputs, then runs a small
 * pipeline so both cores stay busy — the network runs in a worker thread (see
 * `networkWorker.ts`) on batch k while the main thread decodes (sharp's thread pool),
 * detects and crops batch k+1 and post-processes batch k−1; files are written
 * asynchronously. Each image's failure is one line; the batch goes on.
 */
import { faceOutputsForKinds } from '../service/faceOutputsForKinds.js';
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RgbImage } from '../io/rgbImage.js';
import { PRNet, resolveModelSource, SHIPPED_MODEL_PATH } from '../node/inference/prnet.js';
import { MODEL_METADATA, modelKind } from '../model/modelMetadata.js';
import { assertPrnetModel } from '../model/assertPrnetModel.js';
import { loadWorkerModel } from '../node/inference/networkWorker.js';
import { decodeImage } from '../node/inference/decodeImage.js';
import { RECONSTRUCT_DEFAULTS, type PreparedFaces, type PredictedFaces } from '../reconstruct/facePipeline.js';
import type { FaceResult, TextureMode } from '../reconstruct/faceResult.js';
import { expandInputs, type InputEntry } from './expandInputs.js';
import { outputBases } from './outputBases.js';
import { ensureOutputFolder } from './ensureOutputFolder.js';
import { readStdin, STDIN_ARG } from './readStdin.js';
import type { FaceJsonModel } from '../io/faceJson.js';
import { createProgress, type Progress } from './progress.js';
import { writeOutputs, OUTPUT_KINDS, type OutputKind } from '../node/inference/writeOutputs.js';
import type { AlignFaceOptions } from '../face/alignFace.js';
import { exifFovY } from '../node/inference/exifFovY.js';
import { inputOrderLines, type InputOrderLines } from './inputOrderLines.js';
import type { FaceReliefOptions } from '../print/faceRelief.js';

export { OUTPUT_KINDS, type OutputKind };

/** Options of {@link reconstructBatch}. */
export interface ReconstructBatchOptions {
  /** Files, folders and globs (see `expandInputs`). */
  inputs: string[];
  /** `inputs` already expanded (the command does it to refuse empty globs up front); then `inputs` is not read. */
  expanded?: InputEntry[];
  /** Output folder (created once the model and assets have loaded). */
  outDir: string;
  /** Files to write per image / face. */
  outputs: OutputKind[];
  /** Send each image's JSON record here as one line instead of `<base>.json` (`-o -`: standard output), in the inputs' order; `outDir` is then not created unless other outputs need it. */
  jsonTo?: NodeJS.WritableStream;
  /** How the UV texture (texture PNG, textured OBJ, GLB) treats hidden parts of the face (default `'filled'`). */
  textureMode?: TextureMode;
  /** ONNX model file (default: see {@link resolveModelSource}). */
  model?: string;
  /** Run a model that has no prnet metadata (refused otherwise, see `assertPrnetModel`). */
  force?: boolean;
  /** A loaded PRNet to use instead of loading one (benchmarks, embedding); not disposed. */
  prnet?: PRNet;
  /** Face box for every image. */
  box?: [number, number, number, number];
  /** Landmarks (x, y pairs) for every image. */
  landmarks?: Float64Array;
  /** At most this many faces per image. */
  maxFaces?: number;
  /** Write frontalized meshes. */
  front: boolean;
  /** `stl` outputs: the printed relief's size and resolution (default 80 mm wide). */
  relief?: Partial<FaceReliefOptions>;
  /** Meshes in each face's perspective camera space, metres (`writeOutputs`' `cameraSpace`). */
  cameraSpace?: boolean;
  /** The camera's vertical field of view for the perspective pose (`camera` in the JSON), degrees; by default the lens a photo's EXIF records, else 63. */
  cameraFovY?: number;
  /** `aligned` outputs: which aligned face picture (ArcFace's 112×112 by default). */
  align?: Partial<AlignFaceOptions>;
  /** ONNX Runtime threads (default: cores − 1, one core stays with detection and writing). */
  threads?: number;
  /** Decoding pixel limit. */
  maxPixels?: number;
  /** UV data folder. */
  dataDir?: string;
  /** Images per network call. */
  batchSize: number;
  /** Test-time flip augmentation (each crop and its mirror image, maps averaged). */
  flipAverage?: boolean;
  /** Landmark refinement passes: re-crop from the previous pass's 68 landmarks and run again (0 = off; default {@link RECONSTRUCT_DEFAULTS}). */
  refinePasses?: number;
  /** Re-crop only faces turned more than this (degrees; 0 = all). */
  refineMinYaw?: number;
  /** Crop faces rolled more than this (degrees) turned upright; 180 = never (default {@link RECONSTRUCT_DEFAULTS}). */
  uprightMinRoll?: number;
  /** Position-map smoothing, texels (`ReconstructOptions.mapSmoothing`; default 1). */
  mapSmoothing?: number;
  /** Recurse into sub-folders. */
  recursive: boolean;
  /** One line per image in plain mode. */
  verbose: boolean;
  /** Where progress, errors and the summary go. */
  stream: NodeJS.WriteStream;
  /**
   * Stops the batch (Ctrl-C): no new image is started, images not yet being written are
   * discarded, files being written are completed (each image's set all or none), and the
   * summary says how far it got.
   */
  signal?: AbortSignal;
}

/** Defaults of {@link reconstructBatch}'s optional settings. */
export const RECONSTRUCT_BATCH_DEFAULTS = {
  /** Hidden texels filled from the mirror side: no black holes in textures and swaps. */
  textureMode: 'filled' as TextureMode,
};

/** What happened, for the exit code and callers. */
export interface BatchSummary {
  /** Inputs after expansion (including those that failed). */
  images: number;
  /** Faces written. */
  faces: number;
  /** Inputs that failed (each reported on one line). */
  failed: number;
  /** Wall-clock time of the whole batch. */
  seconds: number;
  /** Stopped by `signal` before every input was processed. */
  interrupted: boolean;
  /** Inputs whose files were all written. */
  done: number;
}

/** One input file with its located and cropped faces (the pipeline's first half), waiting for the network. */
interface Prepared {
  file: string;
  base: string;
  prepared: PreparedFaces;
  /** The camera's field of view from the file's EXIF, when it records the lens. */
  fovY?: number;
}

/** Drops inputs that are the same file as an earlier one (same real path); returns the rest and the count dropped. */
async function distinctFiles(entries: InputEntry[]): Promise<{ entries: InputEntry[]; duplicates: number }> {
  const seen = new Set<string>();
  const out: InputEntry[] = [];
  let duplicates = 0;
  for (const e of entries) {
    if (!e.error) {
      const key = await realpath(e.file).catch(() => path.resolve(e.file));
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
    }
    out.push(e);
  }
  return { entries: out, duplicates };
}

/**
 * One short line saying which model runs (several can be the default): where it is, its
 * variant, input size and weight type. Its accuracy figures live in one place, the model
 * card (`models/README.md` for the shipped model), not in this line.
 */
function describeModel(source: string | Uint8Array, metadata: Readonly<Record<string, string>>, inputSize: number): string {
  let where = `${source.length} bytes`;
  if (typeof source === 'string') {
    const rel = path.relative(process.cwd(), source);
    where = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : source;
  }
  const shipped = typeof source === 'string' && path.resolve(source) === SHIPPED_MODEL_PATH ? ' — the interim model shipped with prnet; accuracy: models/README.md' : '';
  return `${where} (${modelKind(metadata, inputSize)})${shipped}`;
}

/** The JSON's model record: file name, variant, weight type and the file's sha256. */
async function modelRecord(source: string | Uint8Array | undefined, metadata: Readonly<Record<string, string>>): Promise<FaceJsonModel> {
  const bytes = source === undefined ? undefined : typeof source === 'string' ? await readFile(source) : source;
  return {
    ...(typeof source === 'string' ? { name: path.basename(source) } : {}),
    ...(metadata[MODEL_METADATA.variant] ? { variant: metadata[MODEL_METADATA.variant] } : {}),
    ...(metadata[MODEL_METADATA.weightsType] ? { weights: metadata[MODEL_METADATA.weightsType] } : {}),
    ...(bytes ? { sha256: createHash('sha256').update(bytes).digest('hex') } : {}),
  };
}

function reason(err: unknown, file: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  // Decoders already name the file; the line starts with it, so drop the repeat
  // ("prnet: a.jpg: cannot decode image: …", not "…: cannot decode image a.jpg: …").
  if (msg.startsWith(`${file}: `)) return msg.slice(file.length + 2);
  // Standard input's bytes are named by their length ("cannot decode image <13 bytes>: …"); the line says "-".
  if (file === STDIN_ARG) return msg.replace(/^cannot decode image <\d+ bytes>: /, 'cannot decode image: ');
  return msg.replace(` ${file}: `, ': ');
}

/**
 * Runs the whole batch and prints a summary line; never throws for a bad input image
 * (only for setup problems such as a missing model).
 *
 * ```ts
 * const summary = await reconstructBatch({ inputs: ['photos/'], outDir: 'out', outputs: ['obj'], front: false,
 *   batchSize: 4, recursive: false, verbose: true, stream: process.stderr });
 * process.exitCode = summary.failed ? 1 : 0;
 * ```
 */
export async function reconstructBatch(options: ReconstructBatchOptions): Promise<BatchSummary> {
  const start = performance.now();
  const { stream } = options;
  const distinct = await distinctFiles(options.expanded ?? (await expandInputs(options.inputs, { recursive: options.recursive })));
  const entries = distinct.entries;
  if (distinct.duplicates > 0) stream.write(`prnet: ${distinct.duplicates} input${distinct.duplicates === 1 ? ' names a file' : 's name files'} given earlier; each file is processed once\n`);
  // The network runs in a worker thread so detection and writing go on meanwhile.
  // By default it leaves one core to the main thread, whose work overlaps the network.
  const threads = options.threads ?? Math.max(1, os.availableParallelism() - 1);
  const modelSource = options.prnet ? undefined : await resolveModelSource(options.model);
  const workerModel = modelSource === undefined ? undefined : await loadWorkerModel(modelSource, { threads });
  if (workerModel && !options.force) {
    try {
      assertPrnetModel(workerModel.metadata, typeof modelSource === 'string' ? modelSource : 'the model');
    } catch (err) {
      await workerModel.dispose();
      throw err;
    }
  }
  if (workerModel && options.verbose) stream.write(`prnet: model ${describeModel(modelSource!, workerModel.metadata, workerModel.inputSize)}\n`);
  let model: FaceJsonModel | undefined;
  let prn: PRNet;
  try {
    // The detector's network runs in a worker too: the main thread decodes, crops and writes.
    prn = options.prnet ?? (await PRNet.load({ model: workerModel, dataDir: options.dataDir, maxPixels: options.maxPixels, flipAverage: options.flipAverage, detectorOptions: { worker: true } }));
    if (options.outputs.includes('json')) model = await modelRecord(modelSource, prn.model.metadata);
  } catch (err) {
    await workerModel?.dispose();
    throw err;
  }
  try {
    if (!options.jsonTo || options.outputs.some((k) => k !== 'json')) await ensureOutputFolder(options.outDir);
  } catch (err) {
    if (!options.prnet) await prn.dispose();
    await workerModel?.dispose();
    throw err;
  }
  const progress: Progress = createProgress({ total: entries.length, stream, verbose: options.verbose });
  let failed = 0;
  let faceCount = 0;
  let doneCount = 0;
  const stopped = (): boolean => options.signal?.aborted === true;
  // With jsonTo, each image's line waits for the images before it: lines come in input order.
  let order: InputOrderLines | undefined;
  const indexOf = new Map<string, number>();
  const fail = (file: string, why: string): void => {
    order?.settle(indexOf.get(file) ?? -1);
    failed++;
    progress.log(`prnet: ${file}: ${why}`);
    progress.tick(file, 'failed', false);
  };
  // Load the detector now: failing to is a setup problem, not one image's.
  if (!options.box && !options.landmarks) await prn.detector();
  const { pipeline } = prn;
  const where = { box: options.box, landmarks: options.landmarks, maxFaces: options.maxFaces, uprightMinRoll: options.uprightMinRoll ?? RECONSTRUCT_DEFAULTS.uprightMinRoll };
  const wanted = {
    ...faceOutputsForKinds(options.outputs, options.textureMode ?? RECONSTRUCT_BATCH_DEFAULTS.textureMode, options.front),
    ...(options.cameraFovY !== undefined ? { cameraFovY: options.cameraFovY } : {}),
    ...(options.cameraSpace ? { pose: true } : {}), // camera-space meshes are placed by the pose
  };
  const good = entries.filter((e) => {
    if (e.error) fail(e.file, e.error);
    return !e.error;
  });
  const files = good.map((e) => e.file);
  const bases = outputBases(files);
  files.forEach((f, i) => indexOf.set(f, i));
  if (options.jsonTo) order = inputOrderLines(options.jsonTo, files.length);

  // Decoding runs ahead in sharp's thread pool, a few images in advance. An image piped
  // in (`-`) is read whole first; its bytes stay for the overlay of a transparent photo.
  let stdinBytes: Uint8Array | undefined;
  const PREFETCH = 3;
  const decoding: Array<Promise<RgbImage> | undefined> = [];
  const decodeAt = (i: number): Promise<RgbImage> => {
    decoding[i] ??= (files[i] === STDIN_ARG ? readStdin().then((b) => (stdinBytes = b)) : Promise.resolve(files[i]!))
      .then((source) => decodeImage(source, { maxPixels: options.maxPixels, limitName: '--max-pixels' }));
    decoding[i]!.catch(() => undefined); // handled when awaited; avoid unhandled-rejection noise
    return decoding[i]!;
  };

  async function prepare(i: number): Promise<Prepared | undefined> {
    for (let k = i + 1; k < Math.min(files.length, i + 1 + PREFETCH); k++) decodeAt(k);
    const file = files[i];
    let image: RgbImage;
    try {
      image = await decodeAt(i);
    } catch (err) {
      fail(file, reason(err, file));
      return undefined;
    } finally {
      decoding[i] = undefined; // drop the reference so the pixels can be freed
    }
    try {
      const prepared = await pipeline.prepareFaces(image, where);
      if (prepared.faces.length === 0) {
        const why = 'no face found';
        // The JSON still records the image, with no faces and the reason.
        if (options.outputs.includes('json')) {
          await writeOutputs({ outDir: options.outDir, file, model, reason: why, base: bases[i], image, faces: [], assets: prn.assets, kinds: ['json'], front: false, jsonTo: order?.slot(i) })
            .catch((err: unknown) => progress.log(`prnet: ${file}: ${reason(err, file)}`));
        }
        fail(file, why);
        return undefined;
      }
      // The lens from EXIF, unless --fov names the camera.
      const fovY = wanted.pose && options.cameraFovY === undefined ? await exifFovY(file === STDIN_ARG ? stdinBytes! : file, image.width, image.height) : undefined;
      return { file, base: bases[i], prepared, ...(fovY !== undefined ? { fovY } : {}) };
    } catch (err) {
      fail(file, reason(err, file));
      return undefined;
    }
  }

  // Images are prepared a little ahead, so that while one image's detector runs (in its
  // worker) the main thread letterboxes, crops or post-processes another.
  const PREPARE_AHEAD = 2;
  const preparing: Array<Promise<Prepared | undefined> | undefined> = [];
  const prepareAt = async (i: number): Promise<Prepared | undefined> => {
    for (let k = i; k < Math.min(files.length, i + 1 + PREPARE_AHEAD); k++) {
      if (k === i || !stopped()) preparing[k] ??= prepare(k);
    }
    try {
      return await preparing[i]!;
    } finally {
      preparing[i] = undefined;
    }
  };

  /** Starts the network on a batch; resolves with its maps (undefined when it failed). */
  async function predict(batch: Prepared[]): Promise<PredictedFaces | undefined> {
    try {
      return await pipeline.predictFaces(batch.map((p) => p.prepared), { refinePasses: options.refinePasses ?? RECONSTRUCT_DEFAULTS.refinePasses, refineMinYaw: options.refineMinYaw ?? RECONSTRUCT_DEFAULTS.refineMinYaw, uprightMinRoll: options.uprightMinRoll ?? RECONSTRUCT_DEFAULTS.uprightMinRoll });
    } catch (err) {
      for (const p of batch) fail(p.file, `network failed: ${reason(err, p.file)}`);
      return undefined;
    }
  }

  const writes = new Set<Promise<void>>();
  /** Post-processes a batch (the pipeline's second half, main thread) and starts writing its files. */
  function finish(batch: Prepared[], predicted: PredictedFaces): void {
    if (stopped()) return; // interrupted: these images are discarded, not half-written
    let offset = 0;
    batch.forEach((p, i) => {
      const prepared = predicted.batch[i]!; // as the network last saw it
      let results: FaceResult[];
      try {
        results = pipeline.finishFaces(prepared, predicted.maps, { outputs: p.fovY === undefined ? wanted : { ...wanted, cameraFovY: p.fovY }, mapSmoothing: options.mapSmoothing ?? RECONSTRUCT_DEFAULTS.mapSmoothing }, offset);
      } catch (err) {
        fail(p.file, reason(err, p.file));
        offset += prepared.faces.length;
        return;
      }
      offset += prepared.faces.length;
      const w: Promise<void> = writeOutputs({ outDir: options.outDir, file: p.file, bytes: p.file === STDIN_ARG ? stdinBytes : undefined, model, base: p.base, image: prepared.image, faces: results, assets: prn.assets, kinds: options.outputs, front: options.front, relief: options.relief, align: options.align, cameraSpace: options.cameraSpace, jsonTo: order?.slot(indexOf.get(p.file)!) })
        .then(() => {
          order?.settle(indexOf.get(p.file)!);
          faceCount += results.length;
          doneCount++;
          progress.tick(p.file, `${results.length} face${results.length === 1 ? '' : 's'}`);
        })
        .catch((err: unknown) => fail(p.file, reason(err, p.file)))
        .finally(() => writes.delete(w));
      writes.add(w);
    });
  }

  // The pipeline: the worker runs the network on batch k while the main thread prepares
  // (decode, detect, crop) batch k+1 and then post-processes and writes batch k−1. As soon
  // as batch k's maps are back the next batch goes in, so the network never waits for writing.
  let inFlight: { batch: Prepared[]; maps: Promise<PredictedFaces | undefined> } | undefined;
  const drain = async (): Promise<void> => {
    if (!inFlight) return;
    const done = inFlight;
    inFlight = undefined;
    const maps = await done.maps;
    if (maps) finish(done.batch, maps);
  };
  let batch: Prepared[] = [];
  try {
    for (let i = 0; i < files.length && !stopped(); i++) {
      const p = await prepareAt(i);
      if (stopped()) break;
      if (p) batch.push(p);
      if (batch.length >= options.batchSize || (i === files.length - 1 && batch.length > 0)) {
        const previous = inFlight;
        inFlight = undefined;
        const previousMaps = previous ? await previous.maps : undefined;
        inFlight = { batch, maps: predict(batch) };
        batch = [];
        if (previous && previousMaps) finish(previous.batch, previousMaps);
        // Bound memory: never more than a few images' results waiting to be written.
        while (writes.size > 2 * options.batchSize) await Promise.race(writes);
      }
    }
    if (!stopped()) await drain();
    await Promise.all(writes);
  } finally {
    await order?.end();
    progress.stop();
    if (!options.prnet) await prn.dispose();
    await workerModel?.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  const images = entries.length;
  const interrupted = stopped() && doneCount + failed < images;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (interrupted) {
    stream.write(`prnet: interrupted: ${doneCount} of ${plural(images, 'image')} done, ${plural(faceCount, 'face')}, ${failed} failed, ${images - doneCount - failed} not processed, ${seconds.toFixed(1)} s\n`);
  } else {
    stream.write(`prnet: ${plural(images, 'image')}, ${plural(faceCount, 'face')}, ${failed} failed, ${seconds.toFixed(1)} s (${images ? Math.round((seconds * 1000) / images) : 0} ms per image)\n`);
  }
  return { images, faces: faceCount, failed, seconds, interrupted, done: doneCount };
}
