/**
 * The reconstruction service behind `prnet serve` and `prnet worker`: the library's own
 * pipeline (`decodeImage`, then `facePipeline`'s prepare → predict → finish halves), with
 * the network on a {@link networkPool} of worker threads and each stage timed. Bad input
 * becomes an `ApiError` with a stable code; nothing here knows about HTTP or queues.
 */
import { exifFovY } from '../node/inference/exifFovY.js';
import os from 'node:os';
import type { RgbImage } from '../io/rgbImage.js';
import type { FaceJsonModel } from '../io/faceJson.js';
import { PRNet, resolveModelSource } from '../node/inference/prnet.js';
import { decodeImage, DECODE_IMAGE_DEFAULTS } from '../node/inference/decodeImage.js';
import { assertPrnetModel } from '../model/assertPrnetModel.js';
import type { FaceOutputs, FaceResult } from '../reconstruct/faceResult.js';
import { apiError } from '../service/apiError.js';
import { classifyImageError } from '../service/classifyImageError.js';
import { networkPool, type NetworkPool } from './networkPool.js';
import { modelRecord } from './modelRecord.js';
import { withDefaults } from '../io/withDefaults.js';

/** The timed stages of one image. */
export const FACE_SERVICE_STAGES = ['decode', 'detect', 'network', 'restore'] as const;
/** One of {@link FACE_SERVICE_STAGES}. */
export type FaceServiceStage = (typeof FACE_SERVICE_STAGES)[number];

/** Options of {@link faceService}. */
export interface FaceServiceOptions {
  /** ONNX model file (default: `resolveModelSource`: `$PRNET_MODEL`, the downloaded official model, the shipped one). */
  model?: string;
  /** Run a model without prnet metadata. */
  force: boolean;
  /** Network worker threads, each with its own ONNX Runtime session. */
  workers: number;
  /** ONNX Runtime threads per worker (default: the cores left after one for the main thread, shared among the workers, at least 1). */
  threads?: number;
  /** Largest image accepted, in pixels (checked before decoding). */
  maxPixels: number;
  /** What refusals call the pixel limit (`--max-pixels`). */
  limitName: string;
  /** Folder with the official uv-data files (default: the shipped pack). */
  dataDir?: string;
  /** Test-time flip averaging (2× network time). */
  flipAverage: boolean;
}

/** Defaults of {@link faceService}. */
export const FACE_SERVICE_DEFAULTS: Omit<FaceServiceOptions, 'model' | 'threads' | 'dataDir'> = {
  force: false,
  workers: 1,
  maxPixels: DECODE_IMAGE_DEFAULTS.maxPixels,
  limitName: '--max-pixels',
  flipAverage: false,
};

/** One image's faces. */
export interface FaceServiceResult {
  image: RgbImage;
  faces: FaceResult[];
}

/** A loaded service (see {@link faceService}). */
export interface FaceService {
  /** The model record (name, variant, weights, sha256). */
  readonly model: FaceJsonModel & { sha256: string };
  /** The model's metadata. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The pool's state. */
  readonly pool: Pick<NetworkPool, 'waiting' | 'busy' | 'size'>;
  /** The loaded pipeline (UV assets, detector). */
  readonly prnet: PRNet;
  /**
   * Reconstructs the faces of an encoded image (bytes or a file path). Throws an `ApiError`
   * (`empty_body`, `not_an_image`, `corrupt_image`, `too_many_pixels`, `no_face`) for bad
   * input, a plain error for anything else. `onStage` gets each stage's seconds.
   */
  reconstruct(input: Uint8Array | string, options: { maxFaces?: number; outputs?: Partial<FaceOutputs>; uprightMinRoll?: number; mapSmoothing?: number }, onStage?: (stage: FaceServiceStage, seconds: number) => void): Promise<FaceServiceResult>;
  /** Frees the workers and the detector. */
  dispose(): Promise<void>;
}

/** The reason an image without a face gets (API `no_face`, job failure, JSON `reason`). */
export const NO_FACE_REASON = 'no face found';

/**
 * Loads the model into the worker pool, the UV assets and the detector.
 *
 * ```ts
 * const service = await faceService({ workers: 2 });
 * const { faces } = await service.reconstruct(bytes, { maxFaces: 1 });
 * ```
 */
export async function faceService(options: Partial<FaceServiceOptions> = {}): Promise<FaceService> {
  const o = withDefaults(FACE_SERVICE_DEFAULTS, options) as FaceServiceOptions;
  const source = await resolveModelSource(o.model);
  const threads = o.threads ?? Math.max(1, Math.floor((os.availableParallelism() - 1) / o.workers));
  const pool = await networkPool(source, { workers: o.workers, threads });
  let prn: PRNet;
  let model: FaceJsonModel & { sha256: string };
  try {
    if (!o.force) assertPrnetModel(pool.metadata, typeof source === 'string' ? source : 'the model');
    model = await modelRecord(source, pool.metadata);
    prn = await PRNet.load({ model: pool, dataDir: o.dataDir, flipAverage: o.flipAverage });
    await prn.detector();
  } catch (err) {
    await pool.dispose();
    throw err;
  }
  const now = () => performance.now() / 1000;
  return {
    model,
    metadata: pool.metadata,
    pool,
    prnet: prn,
    async reconstruct(input, request, onStage) {
      let t = now();
      const lap = (stage: FaceServiceStage): void => {
        const t1 = now();
        onStage?.(stage, t1 - t);
        t = t1;
      };
      let image: RgbImage;
      try {
        image = await decodeImage(input, { maxPixels: o.maxPixels, limitName: o.limitName });
      } catch (err) {
        throw classifyImageError(err) ?? err;
      }
      lap('decode');
      const upright = request.uprightMinRoll === undefined ? {} : { uprightMinRoll: request.uprightMinRoll };
      const prepared = await prn.pipeline.prepareFaces(image, { maxFaces: request.maxFaces, ...upright });
      // Cropping counts with the network stage, as the stages have always been cut.
      const detect = prepared.timings.detect / 1000;
      onStage?.('detect', detect);
      t += detect;
      if (prepared.faces.length === 0) throw apiError('no_face', NO_FACE_REASON);
      const { batch, maps } = await prn.pipeline.predictFaces([prepared], upright);
      lap('network');
      // The lens the photo's EXIF records, unless the request names the camera.
      const fovY = request.outputs?.pose !== false && request.outputs?.cameraFovY === undefined ? await exifFovY(input, image.width, image.height) : undefined;
      const outputs = fovY === undefined ? request.outputs : { ...request.outputs, cameraFovY: fovY };
      const faces = prn.pipeline.finishFaces(batch[0]!, maps, { outputs, ...(request.mapSmoothing === undefined ? {} : { mapSmoothing: request.mapSmoothing }) });
      lap('restore');
      return { image, faces };
    },
    async dispose() {
      await prn.dispose();
      await pool.dispose();
    },
  };
}
