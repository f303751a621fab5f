/**
 * The browser's `PRNet`: the one {@link facePipeline} with browser adapters —
 * onnxruntime-web for the network, BlazeFace on tfjs-wasm (or onnxruntime-web), UV assets over HTTP, canvas
 * decoding — returning what Node's `PRNet` returns (faces and stage timings).
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { PositionMapModel } from '../model/session.js';
import type { UvAssets } from '../uv/uvAssets.js';
import type { FaceDetector } from '../face/faceDetector.js';
import { facePipeline, type FacePipeline, type ReconstructOptions, type ReconstructResult } from '../reconstruct/facePipeline.js';
import { loadOnnxWebModel } from './onnxWebModel.js';
import { loadWebUvAssets } from './loadWebUvAssets.js';
import { loadWebDetector } from './detector.js';
import { fetchBytes } from './fetchBytes.js';
import { startOrtWebWorker, type OrtWebWorker } from './startOrtWebWorker.js';
import { decodeImage, type WebImageSource } from './decodeImage.js';

/** What is loading, and how far along (0…1), for a status line. */
export type WebLoadStage = 'model' | 'UV assets' | 'face detector';

/** Options of {@link WebPRNet.load}. */
export interface WebPRNetLoadOptions {
  /** URL of the ONNX model. */
  modelUrl: string;
  /** Base URL of the UV assets (default: the official repository's raw files). */
  dataUrl?: string;
  /** Folder URL of `blazeface.json` + weights. */
  detectorUrl: string;
  /** Runtime of the face detector: `tfjs` (tfjs-wasm, default) or `onnx` (onnxruntime-web). */
  detectorRuntime?: 'onnx' | 'tfjs';
  /** Folder URL of tfjs' `.wasm` files, for the `tfjs` detector (CPU backend without it). */
  tfjsWasmUrl?: string;
  /** Folder URL of onnxruntime-web's `.wasm`/`.mjs` files. */
  ortWasmUrl?: string;
  /** WebAssembly threads for the network (only above 1 when the page is cross-origin isolated). */
  threads?: number;
  /**
   * Run onnxruntime-web (the network, and the detector on `onnx`) in a Web Worker, so the
   * page's thread stays free while it runs (default `false`: on a 2-core machine the overlap
   * did not pay; with more cores, or a page that must stay responsive, it can). When the
   * worker cannot start (no `Worker`, a bundler that did not emit `ortWebWorker.js`), it runs
   * on the page's thread with a console warning.
   */
  worker?: boolean;
  /** Loading progress per stage. */
  onProgress?: (stage: WebLoadStage, fraction: number) => void;
  /** Test-time flip augmentation by default (`ReconstructOptions.flipAverage`; each call may say otherwise). */
  flipAverage?: boolean;
}

/** The parts of a {@link WebPRNet} (what {@link WebPRNet.load} loads). */
export interface WebPRNetParts {
  /** The position-map network. */
  model: PositionMapModel;
  /** The UV assets. */
  assets: UvAssets;
  /** The face detector (`backend` names its runtime, for the status line: `onnxruntime-web`, `tfjs-wasm`, `tfjs-cpu`). */
  detector: FaceDetector & { backend: string };
}

/** An {@link RgbImage} rather than something the browser still has to decode. */
function isRgbImage(image: RgbImage | WebImageSource): image is RgbImage {
  const d = (image as Partial<RgbImage>).data;
  return d instanceof Uint8Array && typeof (image as Partial<RgbImage>).width === 'number';
}

/**
 * A ready PRNet in the browser.
 *
 * ```ts
 * const prn = await WebPRNet.load({ modelUrl: 'models/default.onnx', dataUrl: '/uv-data', detectorUrl: '/detector' });
 * const { faces, timings } = await prn.reconstruct(file); // a File, an <img>, a video frame or an RgbImage
 * console.log(faces[0]?.landmarks, timings.network);
 * ```
 */
export class WebPRNet {
  /** The position-map network. */
  readonly model: PositionMapModel;
  /** The UV assets (topology, canonical face, masks). */
  readonly assets: UvAssets;
  /** The face detector. */
  readonly detector: FaceDetector & { backend: string };
  /** The pipeline itself. */
  readonly pipeline: FacePipeline;
  /** Whether onnxruntime-web runs in a Web Worker (see {@link WebPRNetLoadOptions.worker}). */
  readonly inWorker: boolean;
  private readonly ortWorker: OrtWebWorker | undefined;

  private constructor(parts: WebPRNetParts, defaults: Partial<ReconstructOptions>, ortWorker?: OrtWebWorker) {
    this.ortWorker = ortWorker;
    this.inWorker = ortWorker !== undefined;
    this.model = parts.model;
    this.assets = parts.assets;
    this.detector = parts.detector;
    this.pipeline = facePipeline(parts, defaults);
  }

  /**
   * A WebPRNet around parts already loaded (tests, or a page with its own loaders).
   * `defaults` are the pipeline's options under each call's.
   */
  static fromParts(parts: WebPRNetParts, defaults: Partial<ReconstructOptions> = {}): WebPRNet {
    return new WebPRNet(parts, defaults);
  }

  /** Loads model, UV assets and detector in parallel; the first failure rejects with its message. */
  static async load(options: WebPRNetLoadOptions): Promise<WebPRNet> {
    const progress = options.onProgress ?? (() => undefined);
    let worker: OrtWebWorker | undefined;
    if (options.worker ?? false) {
      // The worker resolves URLs against its own script: hand it an absolute one.
      const wasmPaths = options.ortWasmUrl && typeof location !== 'undefined' ? new URL(options.ortWasmUrl, location.href).href : options.ortWasmUrl;
      worker = await startOrtWebWorker({ threads: options.threads, wasmPaths }).catch((err: Error) => {
        console.warn(`prnet: onnxruntime-web runs on the page's thread (${err.message})`);
        return undefined;
      });
    }
    const modelPromise = fetchBytes(options.modelUrl, { what: `model ${options.modelUrl}`, onProgress: (f) => progress('model', f) })
      .then((bytes) => loadOnnxWebModel(bytes, { threads: options.threads, wasmPaths: options.ortWasmUrl, worker }));
    const assetsPromise = loadWebUvAssets({ baseUrl: options.dataUrl, onProgress: (f) => progress('UV assets', f) });
    const detectorPromise = loadWebDetector({
      modelBaseUrl: options.detectorUrl,
      runtime: options.detectorRuntime,
      ortWasmUrl: options.ortWasmUrl,
      threads: options.threads,
      worker,
      wasmBaseUrl: options.tfjsWasmUrl,
      onProgress: (f) => progress('face detector', f),
    });
    const settled = await Promise.allSettled([modelPromise, assetsPromise, detectorPromise]);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      if (settled[0].status === 'fulfilled') await settled[0].value.dispose();
      if (settled[2].status === 'fulfilled') settled[2].value.dispose();
      worker?.terminate();
      throw (failed as PromiseRejectedResult).reason;
    }
    const [model, assets, detector] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PositionMapModel, UvAssets, FaceDetector & { backend: string }];
    return new WebPRNet({ model, assets, detector }, { flipAverage: options.flipAverage }, worker);
  }

  /**
   * Reconstructs the faces of an image (decoded, or a file, `<img>`, video frame or canvas
   * to decode first); `faces` is empty when none is found.
   */
  async reconstruct(image: RgbImage | WebImageSource, options: Partial<ReconstructOptions> = {}): Promise<ReconstructResult> {
    const t0 = performance.now();
    const decoded = isRgbImage(image);
    const rgb = decoded ? image : await decodeImage(image);
    const decode = decoded ? 0 : performance.now() - t0;
    const result = await this.pipeline.reconstruct(rgb, options);
    return { faces: result.faces, timings: { ...result.timings, decode } };
  }

  /** Frees the network session and the detector. */
  async dispose(): Promise<void> {
    this.detector.dispose();
    await this.model.dispose();
    this.ortWorker?.terminate();
  }
}
