/**
 * Node adapter for the BlazeFace detector: reads the model that `@vladmandic/human` ships
 * in its `models/` folder (no download at install or run time) and runs it on tfjs-core
 * with the WebAssembly backend (the CPU backend as fallback).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { blazeFace, type BlazeFaceOptions } from '../../face/blazeFace.js';
import type { FaceDetector } from '../../face/faceDetector.js';
import type { TfGraphModelJson } from '../../face/tfGraph.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link loadDetector}. */
export interface LoadDetectorOptions extends Partial<BlazeFaceOptions> {
  /** tfjs backend: `wasm` (fast, default) or `cpu` (pure JavaScript). */
  backend: 'wasm' | 'cpu';
}

const DEFAULTS: LoadDetectorOptions = { backend: 'wasm' };

const require = createRequire(import.meta.url);
let backendReady: Promise<string> | undefined;

/** Registers and selects a tfjs backend once per process; falls back to `cpu`. */
async function ensureBackend(backend: 'wasm' | 'cpu'): Promise<string> {
  backendReady ??= (async () => {
    if (backend === 'wasm') {
      try {
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

/**
 * Loads BlazeFace from `@vladmandic/human`'s bundled files and returns a {@link FaceDetector}.
 *
 * ```ts
 * const detector = await loadDetector({ maxFaces: 3 });
 * const faces = await detector.detect(await decodeImage('photo.jpg'));
 * detector.dispose();
 * ```
 */
export async function loadDetector(options: Partial<LoadDetectorOptions> = {}): Promise<FaceDetector> {
  const opts = withDefaults(DEFAULTS, options);
  await ensureBackend(opts.backend);
  const dir = humanModelsDir();
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
  const { backend: _backend, ...detectOptions } = opts;
  return blazeFace(json, weights, detectOptions);
}
