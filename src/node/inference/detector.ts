/**
 * Node adapter for the BlazeFace detector: reads the model that `@vladmandic/human` ships
 * in its `models/` folder (no download at install or run time) and runs it on
 * onnxruntime-node (default: the tfjs graph converted to ONNX in memory by
 * `blazeFaceToOnnx`) or, with `runtime: 'tfjs'`, on tfjs-core with the WebAssembly backend
 * (the CPU backend as fallback). Both share the preprocessing and decoding.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { blazeFaceDetector, type BlazeFaceOptions } from '../../face/blazeFaceDetector.js';
import { blazeFaceOnnxNetwork, blazeFaceToOnnx } from '../../face/blazeFaceOnnx.js';
import type { FaceDetector } from '../../face/faceDetector.js';
import type { TfGraphModelJson } from '../../face/tfGraph.js';
import { withDefaults } from '../../io/withDefaults.js';
import { disableOrtTelemetry } from './disableOrtTelemetry.js';
import { loadOrtSessionWorker } from './ortSessionWorker.js';

/** Options of {@link loadDetector}. */
export interface LoadDetectorOptions extends Partial<BlazeFaceOptions> {
  /** Runtime of the network: `onnx` (onnxruntime-node, default) or `tfjs` (tfjs-core). */
  runtime: 'onnx' | 'tfjs';
  /** tfjs backend when `runtime` is `tfjs`: `wasm` (fast, default) or `cpu` (pure JavaScript). */
  backend: 'wasm' | 'cpu';
  /** ONNX Runtime intra-op threads (default 1: the detector runs beside the network's worker). */
  threads: number;
  /**
   * Channel padding of the converted graph (`blazeFaceToOnnx`): 16, the default, is ONNX
   * Runtime's blocked-layout width on AVX-512 CPUs (4.3 instead of 5.2 ms per run here);
   * 1 converts the graph as it is.
   */
  channelMultiple: number;
  /**
   * Run the ONNX network in its own worker thread (`ortSessionWorker`), so that the calling
   * thread is free while it runs; `prnet reconstruct` does, since its main thread also
   * decodes, crops and writes. Off by default: a single photo gains nothing from it.
   */
  worker: boolean;
}

/** Defaults of {@link LoadDetectorOptions}. */
export const LOAD_DETECTOR_DEFAULTS: LoadDetectorOptions = { runtime: 'onnx', backend: 'wasm', threads: 1, channelMultiple: 16, worker: false };

const require = createRequire(import.meta.url);
let backendReady: Promise<string> | undefined;

/** Registers and selects a tfjs backend once per process; falls back to `cpu`. */
async function ensureTfjsBackend(backend: 'wasm' | 'cpu'): Promise<string> {
  backendReady ??= (async () => {
    // Loaded only here, so the ONNX path never loads tfjs.
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    if (backend === 'wasm') {
      try {
        const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
        // The .wasm binaries sit next to the package's entry; a path prefix makes the
        // Emscripten loader read them from disk instead of fetching a URL.
        setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
        if (await tf.setBackend('wasm')) return 'wasm';
      } catch {
        // fall through to cpu
      }
    }
    if (!(await tf.setBackend('cpu'))) throw new Error('no tfjs backend could be initialised for face detection');
    return 'cpu';
  })();
  return backendReady;
}

/** Folder of `@vladmandic/human`'s bundled models. */
export function humanModelsDir(): string {
  // The package's export map hides package.json; its Node entry lives in dist/.
  return path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');
}

/** Reads BlazeFace's tfjs graph (`blazeface.json` and its weight files, concatenated). */
export async function readBlazeFaceModel(dir = humanModelsDir()): Promise<{ json: TfGraphModelJson; weights: Uint8Array }> {
  const jsonPath = path.join(dir, 'blazeface.json');
  let json: TfGraphModelJson;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as TfGraphModelJson;
  } catch (err) {
    throw new Error(`cannot read the face detector model ${jsonPath}: ${(err as Error).message}`);
  }
  const parts = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(path.join(dir, p))));
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weights.set(p, offset);
    offset += p.length;
  }
  return { json, weights };
}

/**
 * Loads BlazeFace from `@vladmandic/human`'s bundled files and returns a {@link FaceDetector}.
 * The default runtime is ONNX Runtime: the graph is converted in memory (about 20 ms),
 * so nothing is written or cached.
 *
 * ```ts
 * const detector = await loadDetector({ maxFaces: 3 });
 * const faces = await detector.detect(await decodeImage('photo.jpg'));
 * detector.dispose();
 * ```
 */
export async function loadDetector(options: Partial<LoadDetectorOptions> = {}): Promise<FaceDetector> {
  const { runtime, backend, threads, channelMultiple, worker, ...detectOptions } = withDefaults(LOAD_DETECTOR_DEFAULTS, options);
  if (detectOptions.maxFaces !== undefined && !(detectOptions.maxFaces >= 1)) throw new Error(`maxFaces must be at least 1, got ${detectOptions.maxFaces}`);
  if (runtime !== 'onnx' && runtime !== 'tfjs') throw new Error(`unknown face detector runtime '${String(runtime)}' (onnx or tfjs)`);
  if (runtime === 'tfjs') await ensureTfjsBackend(backend);
  const { json, weights } = await readBlazeFaceModel();
  if (runtime === 'tfjs') {
    const { blazeFaceTfjsNetwork } = await import('../../face/blazeFace.js');
    return blazeFaceDetector(blazeFaceTfjsNetwork(json, weights), detectOptions);
  }
  disableOrtTelemetry();
  // Planar input: the letterbox writes NCHW at no cost, and the model needs no Transpose.
  const model = blazeFaceToOnnx(json, weights, { channelMultiple, inputLayout: 'nchw' });
  if (worker) {
    const session = await loadOrtSessionWorker(model, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
    return blazeFaceDetector(blazeFaceOnnxNetwork(session, (data, dims) => ({ data, dims }), 'nchw'), detectOptions);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  return blazeFaceDetector(blazeFaceOnnxNetwork(session, (data, dims) => new ort.Tensor('float32', data, dims), 'nchw'), detectOptions);
}
