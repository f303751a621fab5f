/**
 * Browser adapter for the BlazeFace detector: the same isomorphic detector as in Node, with
 * the model that `@vladmandic/human` ships (`models/blazeface.json` + `.bin`) fetched from
 * the page's own server, so browser and Node detections agree. The network runs on
 * tfjs-core's WebAssembly backend (default; CPU as fallback) or, with `runtime: 'onnx'`, on
 * onnxruntime-web (the graph converted to ONNX in the page by `blazeFaceToOnnx`). Each
 * runtime is loaded on demand only. tfjs stays the browser's default because its XNNPACK
 * kernels ran BlazeFace faster than onnxruntime-web's in headless Chromium (47 against
 * 60 ms per frame, `bench/webDemo.ts --detector tfjs,onnx`, loaded 2-core machine); in
 * Node, onnxruntime-node is the faster one.
 */
import { blazeFaceDetector, type BlazeFaceOptions } from '../face/blazeFaceDetector.js';
import { blazeFaceOnnxNetwork, blazeFaceToOnnx } from '../face/blazeFaceOnnx.js';
import type { FaceDetector } from '../face/faceDetector.js';
import type { TfGraphModelJson } from '../face/tfGraph.js';
import { fetchBytes } from './fetchBytes.js';
import type { OrtWebWorker, OrtWebTensor } from './startOrtWebWorker.js';

/** Options of {@link loadWebDetector}. */
export interface LoadWebDetectorOptions extends Partial<BlazeFaceOptions> {
  /** Folder URL holding `blazeface.json` and its weights. */
  modelBaseUrl: string;
  /** Runtime of the network: `tfjs` (tfjs-core, default) or `onnx` (onnxruntime-web). */
  runtime?: 'onnx' | 'tfjs';
  /** Where the onnxruntime-web .wasm/.mjs files are served from (as for the network's model; default: next to the bundle). */
  ortWasmUrl?: string;
  /** onnxruntime-web's WebAssembly threads (one setting per page, shared with the network's session). */
  threads?: number;
  /** `onnx` runtime: run the session in this onnxruntime-web worker ({@link startOrtWebWorker}) instead of on the calling thread. */
  worker?: OrtWebWorker;
  /** `tfjs` runtime: folder URL of tfjs' `.wasm` files; without it the CPU backend is used. */
  wasmBaseUrl?: string;
  /** Download progress of the weights, 0…1. */
  onProgress?: (fraction: number) => void;
}

let backendReady: Promise<string> | undefined;

/** Selects tfjs' wasm backend once per page; falls back to `cpu`. Returns the backend's name. */
async function ensureTfjsBackend(wasmBaseUrl: string | undefined): Promise<string> {
  backendReady ??= (async () => {
    // Loaded only here: a page on ONNX Runtime never loads tfjs (a separate chunk).
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    if (wasmBaseUrl) {
      try {
        const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
        setWasmPaths(wasmBaseUrl.endsWith('/') ? wasmBaseUrl : `${wasmBaseUrl}/`);
        // tfjs' threaded build spawns workers from a stringified script that breaks once
        // bundled; BlazeFace is small, so one thread (SIMD) is enough and leaves the cores to
        // the network.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
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

/**
 * Loads BlazeFace in the browser and returns a {@link FaceDetector}; `backend` names the
 * runtime for a status line: `onnxruntime-web`, `tfjs-wasm` or `tfjs-cpu`.
 *
 * ```ts
 * const detector = await loadWebDetector({ modelBaseUrl: '/detector', wasmBaseUrl: '/tfjs/' });
 * const onnx = await loadWebDetector({ modelBaseUrl: '/detector', runtime: 'onnx', ortWasmUrl: '/ort/' });
 * const faces = await detector.detect(await decodeImage(file));
 * ```
 */
export async function loadWebDetector(options: LoadWebDetectorOptions): Promise<FaceDetector & { backend: string }> {
  const { modelBaseUrl, runtime = 'tfjs', ortWasmUrl, threads, wasmBaseUrl, onProgress, worker, ...detectOptions } = options;
  if (runtime !== 'onnx' && runtime !== 'tfjs') throw new Error(`unknown face detector runtime '${String(runtime)}' (onnx or tfjs)`);
  if (detectOptions.maxFaces !== undefined && !(detectOptions.maxFaces >= 1)) throw new Error(`maxFaces must be at least 1, got ${detectOptions.maxFaces}`);
  const base = modelBaseUrl.replace(/\/+$/, '');
  const tfjsBackend = runtime === 'tfjs' ? ensureTfjsBackend(wasmBaseUrl) : undefined;
  const jsonBytes = await fetchBytes(`${base}/blazeface.json`, { what: 'face detector model blazeface.json' });
  let json: TfGraphModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as TfGraphModelJson;
  } catch (err) {
    throw new Error(`face detector model ${base}/blazeface.json: ${(err as Error).message}`);
  }
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const parts = await Promise.all(paths.map((p) => fetchBytes(`${base}/${p}`, { what: `face detector weights ${p}`, onProgress: paths.length === 1 ? onProgress : undefined })));
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weights.set(p, offset);
    offset += p.length;
  }
  if (tfjsBackend) {
    const backend = await tfjsBackend;
    const { blazeFaceTfjsNetwork } = await import('../face/blazeFace.js');
    return Object.assign(blazeFaceDetector(blazeFaceTfjsNetwork(json, weights), detectOptions), { backend: `tfjs-${backend}` });
  }
  // No channel padding: the WebAssembly kernels have no blocked layout to gain from it.
  const bytes = blazeFaceToOnnx(json, weights, { inputLayout: 'nchw' });
  if (worker) {
    const session = await worker.createSession(bytes);
    return Object.assign(blazeFaceDetector(blazeFaceOnnxNetwork(session, (data, dims): OrtWebTensor => ({ data, dims }), 'nchw'), detectOptions), { backend: 'onnxruntime-web (worker)' });
  }
  const ort = await import('onnxruntime-web');
  // The page-wide settings, as the network's loader sets them (whichever session starts first).
  if (threads) ort.env.wasm.numThreads = threads;
  if (ortWasmUrl) ort.env.wasm.wasmPaths = ortWasmUrl;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return Object.assign(blazeFaceDetector(blazeFaceOnnxNetwork(session, (data, dims) => new ort.Tensor('float32', data, dims), 'nchw'), detectOptions), { backend: 'onnxruntime-web' });
}
