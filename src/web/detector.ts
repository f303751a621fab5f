/**
 * Browser adapter for the BlazeFace detector: the same isomorphic `blazeFace` as in Node,
 * on tfjs-core's WebAssembly backend (CPU as fallback), with the model that
 * `@vladmandic/human` ships (`models/blazeface.json` + `.bin`) fetched from the page's
 * own server, so browser and Node detections agree.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { blazeFace, type BlazeFaceOptions } from '../face/blazeFace.js';
import type { FaceDetector } from '../face/faceDetector.js';
import type { TfGraphModelJson } from '../face/tfGraph.js';
import { fetchBytes } from './fetchBytes.js';

/** Options of {@link loadWebDetector}. */
export interface LoadWebDetectorOptions extends Partial<BlazeFaceOptions> {
  /** Folder URL holding `blazeface.json` and its weights. */
  modelBaseUrl: string;
  /** Folder URL of tfjs' `.wasm` files; without it the CPU backend is used. */
  wasmBaseUrl?: string;
  /** Download progress of the weights, 0…1. */
  onProgress?: (fraction: number) => void;
}

let backendReady: Promise<string> | undefined;

/** Selects tfjs' wasm backend once per page; falls back to `cpu`. Returns the backend's name. */
async function ensureBackend(wasmBaseUrl: string | undefined): Promise<string> {
  backendReady ??= (async () => {
    if (wasmBaseUrl) {
      try {
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
 * Loads BlazeFace in the browser and returns a {@link FaceDetector}.
 *
 * ```ts
 * const detector = await loadWebDetector({ modelBaseUrl: '/detector', wasmBaseUrl: '/tfjs' });
 * const faces = await detector.detect(await decodeImage(file));
 * ```
 */
export async function loadWebDetector(options: LoadWebDetectorOptions): Promise<FaceDetector & { backend: string }> {
  const { modelBaseUrl, wasmBaseUrl, onProgress, ...detectOptions } = options;
  const base = modelBaseUrl.replace(/\/+$/, '');
  const backend = await ensureBackend(wasmBaseUrl);
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
  return Object.assign(blazeFace(json, weights, detectOptions), { backend });
}
