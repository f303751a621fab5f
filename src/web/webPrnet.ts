/**
 * The browser's `PRNet`: the isomorphic pipeline with browser adapters — onnxruntime-web
 * for the network, UV assets over HTTP, BlazeFace on tfjs-wasm — plus per-stage timings
 * for the demo page.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { PositionMapModel } from '../model/session.js';
import type { UvAssets } from '../uv/uvAssets.js';
import type { FaceDetector } from '../face/faceDetector.js';
import { locateFaces } from '../reconstruct/locateFaces.js';
import { cropFaces } from '../reconstruct/cropFaces.js';
import { withFlipAveraging } from '../reconstruct/withFlipAveraging.js';
import { restoreFaces } from '../reconstruct/restoreFaces.js';
import type { FaceOutputs, FaceResult } from '../reconstruct/faceResult.js';
import { loadOnnxWebModel } from './onnxWebModel.js';
import { loadWebUvAssets } from './loadWebUvAssets.js';
import { loadWebDetector } from './detector.js';
import { fetchBytes } from './fetchBytes.js';

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
  /** Folder URL of tfjs' `.wasm` files (CPU backend without it). */
  tfjsWasmUrl?: string;
  /** Folder URL of onnxruntime-web's `.wasm`/`.mjs` files. */
  ortWasmUrl?: string;
  /** WebAssembly threads for the network (only above 1 when the page is cross-origin isolated). */
  threads?: number;
  /** Loading progress per stage. */
  onProgress?: (stage: WebLoadStage, fraction: number) => void;
}

/** Per-call options of {@link WebPRNet.reconstruct}. */
export interface WebReconstructOptions {
  /** Face box `[x, y, w, h]`: skip detection. */
  box?: readonly [number, number, number, number];
  /** Landmarks as x, y pairs (e.g. the previous video frame's): crop around them, skip detection. */
  landmarks?: ArrayLike<number>;
  /** Keep at most this many detected faces. */
  maxFaces?: number;
  /** Optional per-face outputs (pose and colours by default). */
  outputs?: Partial<FaceOutputs>;
  /** Test-time flip augmentation ({@link withFlipAveraging}): twice the network time, more accurate. */
  flipAverage?: boolean;
}

/** Milliseconds spent in each stage of one {@link WebPRNet.reconstruct} call. */
export interface StageTimings {
  /** Face detection (0 with a user box or landmarks). */
  detect: number;
  /** Cropping the faces into the network's input. */
  crop: number;
  /** The network (onnxruntime-web). */
  network: number;
  /** Position maps → vertices, landmarks, pose, colours. */
  post: number;
}

/**
 * A ready PRNet in the browser.
 *
 * ```ts
 * const prn = await WebPRNet.load({ modelUrl: 'models/default.onnx', dataUrl: '/uv-data', detectorUrl: '/detector' });
 * const { faces, timings } = await prn.reconstruct(await decodeImage(file));
 * console.log(faces[0]?.landmarks, timings.network);
 * ```
 */
export class WebPRNet {
  private constructor(
    /** The position-map network. */
    readonly model: PositionMapModel,
    /** The UV assets (topology, canonical face, masks). */
    readonly assets: UvAssets,
    /** The face detector. */
    readonly detector: FaceDetector & { backend: string },
  ) {}

  /** Loads model, UV assets and detector in parallel; the first failure rejects with its message. */
  static async load(options: WebPRNetLoadOptions): Promise<WebPRNet> {
    const progress = options.onProgress ?? (() => undefined);
    const modelPromise = fetchBytes(options.modelUrl, { what: `model ${options.modelUrl}`, onProgress: (f) => progress('model', f) })
      .then((bytes) => loadOnnxWebModel(bytes, { threads: options.threads, wasmPaths: options.ortWasmUrl }));
    const assetsPromise = loadWebUvAssets({ baseUrl: options.dataUrl, onProgress: (f) => progress('UV assets', f) });
    const detectorPromise = loadWebDetector({ modelBaseUrl: options.detectorUrl, wasmBaseUrl: options.tfjsWasmUrl, onProgress: (f) => progress('face detector', f) });
    const settled = await Promise.allSettled([modelPromise, assetsPromise, detectorPromise]);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      if (settled[0].status === 'fulfilled') await settled[0].value.dispose();
      if (settled[2].status === 'fulfilled') settled[2].value.dispose();
      throw (failed as PromiseRejectedResult).reason;
    }
    const [model, assets, detector] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PositionMapModel, UvAssets, FaceDetector & { backend: string }];
    return new WebPRNet(model, assets, detector);
  }

  /** Reconstructs the faces of a decoded image; `faces` is empty when none is found. */
  async reconstruct(image: RgbImage, options: WebReconstructOptions = {}): Promise<{ faces: FaceResult[]; timings: StageTimings }> {
    const timings: StageTimings = { detect: 0, crop: 0, network: 0, post: 0 };
    let t = performance.now();
    const lap = (stage: keyof StageTimings) => {
      const now = performance.now();
      timings[stage] = now - t;
      t = now;
    };
    const given = options.box ?? options.landmarks;
    const located = await locateFaces(image, { box: options.box, landmarks: options.landmarks, maxFaces: options.maxFaces, detector: given ? undefined : this.detector });
    lap('detect');
    if (located.length === 0) return { faces: [], timings };
    const { input, count, transforms } = cropFaces(image, located, this.model.inputSize);
    lap('crop');
    const maps = await (options.flipAverage ? withFlipAveraging(this.model) : this.model).predict(input, count);
    lap('network');
    const faces = restoreFaces(image, this.assets, located, transforms, maps, options.outputs);
    lap('post');
    return { faces, timings };
  }

  /** Frees the network session and the detector. */
  async dispose(): Promise<void> {
    this.detector.dispose();
    await this.model.dispose();
  }
}
