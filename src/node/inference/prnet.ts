/**
 * The Node library entry: `PRNet.load()` loads the ONNX model, the UV assets and (lazily)
 * the BlazeFace detector into the one {@link facePipeline}; `reconstruct()` adds decoding
 * (a path, bytes or a decoded image) and returns what the browser's `WebPRNet` returns.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../../io/rgbImage.js';
import type { PositionMapModel } from '../../model/session.js';
import type { UvAssets } from '../../uv/uvAssets.js';
import type { FaceDetector } from '../../face/faceDetector.js';
import { facePipeline, type FacePipeline, type ReconstructOptions, type ReconstructResult } from '../../reconstruct/facePipeline.js';
import { loadOnnxModel } from './onnxModel.js';
import { loadUvAssets } from './uvAssets.js';
import { loadDetector, type LoadDetectorOptions } from './detector.js';
import { exifFovY } from './exifFovY.js';
import { decodeImage } from './decodeImage.js';
import { prnetHome } from '../weights/prnetHome.js';

/** Options of {@link PRNet.load}. */
export interface PRNetLoadOptions {
  /** ONNX model file, its bytes, or a loaded model. Default: {@link resolveModelSource} (`$PRNET_MODEL`, the downloaded official model, the shipped one). */
  model?: string | Uint8Array | PositionMapModel;
  /** Folder with the official `uv-data` files (default: `$PRNET_DATA`, else the copy shipped in the package). */
  dataDir?: string;
  /** Download missing UV assets into the cache when the shipped copy is absent (default true, as `loadUvAssets`). */
  download?: boolean;
  /** ONNX Runtime intra-op threads (0 = one per core). */
  threads?: number;
  /** A face detector to use instead of BlazeFace (loaded lazily, on first need). */
  detector?: FaceDetector;
  /** Options of the BlazeFace detector when it is loaded (see `loadDetector`), e.g. `{ worker: true }`. */
  detectorOptions?: Partial<LoadDetectorOptions>;
  /** Largest image accepted, in pixels (decoding guard). */
  maxPixels?: number;
  /**
   * Test-time flip augmentation by default (`ReconstructOptions.flipAverage`): average each
   * face's map with the mirrored map of its mirror image. Twice the network time; more accurate.
   */
  flipAverage?: boolean;
}

/** The official model as `prnet weights download` converts it: `$PRNET_HOME/models/resfcn256.onnx`. */
export function defaultModelPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(prnetHome(env), 'models', 'resfcn256.onnx');
}

/** The model shipped inside the package (our own training; see the README). */
export const SHIPPED_MODEL_PATH = fileURLToPath(new URL('../../../models/default.onnx', import.meta.url));

export interface ResolveModelSourceOptions {
  /** Environment to read `PRNET_MODEL` and `PRNET_HOME` from. */
  env?: NodeJS.ProcessEnv;
  /** The shipped model's path (tests point it elsewhere). */
  shippedModel?: string;
}

const exists = (file: string) => access(file).then(() => true, () => false);

/**
 * The model to load: the given path or bytes; else `$PRNET_MODEL`; else the official
 * model if `prnet weights download` has converted it ({@link defaultModelPath}); else the
 * model shipped with the package. Throws an error telling the user how to get a model
 * when none of them exists.
 *
 * ```ts
 * const source = await resolveModelSource(cliOptions.model); // path or bytes
 * ```
 */
export async function resolveModelSource(model?: string | Uint8Array, options: ResolveModelSourceOptions = {}): Promise<string | Uint8Array> {
  if (model !== undefined) return model;
  const env = options.env ?? process.env;
  if (env.PRNET_MODEL) {
    if (!(await exists(env.PRNET_MODEL))) throw new Error(`PRNET_MODEL=${env.PRNET_MODEL}: no such model file`);
    return env.PRNET_MODEL;
  }
  const official = defaultModelPath(env);
  if (await exists(official)) return official;
  const shipped = options.shippedModel ?? SHIPPED_MODEL_PATH;
  if (await exists(shipped)) return shipped;
  throw new Error(`no model found (looked at ${official} and ${shipped}): run \`prnet weights download\` or pass a model (--model <file.onnx>)`);
}

/**
 * A ready PRNet: model, UV assets and (lazily) a face detector.
 *
 * ```ts
 * const prn = await PRNet.load(); // default model, shipped UV assets: no network needed
 * const { faces, timings } = await prn.reconstruct('photo.jpg', { outputs: { texture: true } });
 * console.log(faces.length, faces[0]?.pose?.yaw, timings.network);
 * await prn.dispose();
 * ```
 */
export class PRNet {
  private detectorPromise: Promise<FaceDetector> | undefined;
  /** The pipeline itself (its halves serve the CLI batch and the service). */
  readonly pipeline: FacePipeline;

  private constructor(
    /** The position-map network (flip averaging, when asked for, is the pipeline's option). */
    readonly model: PositionMapModel,
    /** The UV assets (topology, canonical face, masks). */
    readonly assets: UvAssets,
    private readonly ownsModel: boolean,
    private readonly maxPixels: number | undefined,
    detector: FaceDetector | undefined,
    flipAverage: boolean,
    private readonly detectorOptions: Partial<LoadDetectorOptions> = {},
  ) {
    if (detector) this.detectorPromise = Promise.resolve(detector);
    this.pipeline = facePipeline({ model, assets, detector: () => this.detector() }, { flipAverage });
  }

  /** Loads the model and the UV assets. Throws a clear error when no model is found. */
  static async load(options: PRNetLoadOptions = {}): Promise<PRNet> {
    const assetsPromise = loadUvAssets({ dataDir: options.dataDir, download: options.download });
    let model: PositionMapModel;
    let owns = true;
    if (options.model && typeof options.model === 'object' && !(options.model instanceof Uint8Array)) {
      model = options.model;
      owns = false;
    } else {
      const source = await resolveModelSource(options.model as string | Uint8Array | undefined);
      // Only pass what is set: an explicit undefined would override the loader's defaults.
      model = await loadOnnxModel(source, options.threads === undefined ? {} : { threads: options.threads });
    }
    let assets: UvAssets;
    try {
      assets = await assetsPromise;
    } catch (err) {
      if (owns) await model.dispose();
      throw err;
    }
    return new PRNet(model, assets, owns, options.maxPixels, options.detector, options.flipAverage ?? false, options.detectorOptions);
  }

  /** The face detector, loaded on first use. */
  detector(): Promise<FaceDetector> {
    this.detectorPromise ??= loadDetector(this.detectorOptions);
    return this.detectorPromise;
  }

  /**
   * Reconstructs the faces of an image (file path, encoded bytes, or decoded RGB);
   * `faces` is empty when none is found. For a file or bytes whose EXIF records the lens
   * (a 35 mm-equivalent focal length), `face.camera` uses that camera's field of view
   * unless `outputs.cameraFovY` names one.
   */
  async reconstruct(image: string | Uint8Array | RgbImage, options: Partial<ReconstructOptions> = {}): Promise<ReconstructResult> {
    const t0 = performance.now();
    const encoded = typeof image === 'string' || image instanceof Uint8Array;
    const rgb = encoded ? await decodeImage(image, { maxPixels: this.maxPixels }) : image;
    // The EXIF lens only matters for the pose's camera (the pose is on by default).
    const fovY = encoded && options.outputs?.pose !== false && options.outputs?.cameraFovY === undefined ? await exifFovY(image, rgb.width, rgb.height) : undefined;
    const decode = encoded ? performance.now() - t0 : 0;
    const result = await this.pipeline.reconstruct(rgb, fovY === undefined ? options : { ...options, outputs: { ...options.outputs, cameraFovY: fovY } });
    return { faces: result.faces, timings: { ...result.timings, decode } };
  }

  /** Frees the model (if this instance loaded it) and the detector. */
  async dispose(): Promise<void> {
    if (this.detectorPromise) (await this.detectorPromise.catch(() => undefined))?.dispose();
    this.detectorPromise = undefined;
    if (this.ownsModel) await this.model.dispose();
  }
}
