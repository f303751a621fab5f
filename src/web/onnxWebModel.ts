/**
 * The onnxruntime-web implementation of {@link PositionMapModel} (WebAssembly, with
 * SIMD and threads where the page is cross-origin isolated). Same convention and
 * behaviour as the Node adapter, so the pipeline runs unchanged in a browser.
 */
import * as ort from 'onnxruntime-web';
import type { PositionMapModel } from '../model/session.js';
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAME } from '../model/session.js';
import { readOnnxMetadata } from '../model/onnx/readOnnxMetadata.js';
import { declaredShape, positionMapModelShapes, type ValueMetadataLike } from '../model/positionMapModelShapes.js';
import { POSITION_MAP_SIZE } from '../model/resfcn.js';
import type { OrtWebWorker } from './startOrtWebWorker.js';

/** What the model needs of a session: the thread's own, or one in a worker. */
interface PositionMapSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly ValueMetadataLike[];
  outputMetadata: readonly ValueMetadataLike[];
  run(input: Float32Array, dims: number[]): Promise<Float32Array>;
  release(): Promise<void>;
}

async function pageSession(bytes: Uint8Array, options: LoadOnnxWebModelOptions): Promise<PositionMapSession> {
  if (options.threads) ort.env.wasm.numThreads = options.threads;
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    async run(input, dims) {
      const out = await session.run({ [MODEL_INPUT_NAME]: new ort.Tensor('float32', input, dims) });
      return out[MODEL_OUTPUT_NAME]!.data as Float32Array;
    },
    release: () => session.release(),
  };
}

async function workerSession(bytes: Uint8Array, worker: OrtWebWorker): Promise<PositionMapSession> {
  const session = await worker.createSession(bytes);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    async run(input, dims) {
      return (await session.run({ [MODEL_INPUT_NAME]: { data: input, dims } }))[MODEL_OUTPUT_NAME]!.data;
    },
    release: () => session.release(),
  };
}

export interface LoadOnnxWebModelOptions {
  /** WebAssembly threads (needs cross-origin isolation; 1 otherwise). */
  threads?: number;
  /** Where the onnxruntime-web .wasm files are served from (default: next to the bundle). */
  wasmPaths?: string;
  /**
   * Run the session in this onnxruntime-web worker ({@link startOrtWebWorker}; its own
   * `threads` and `wasmPaths` apply) instead of on the calling thread.
   */
  worker?: OrtWebWorker;
}

/**
 * Loads ONNX model bytes into onnxruntime-web.
 *
 * ```ts
 * const bytes = new Uint8Array(await (await fetch('resfcn128-light.onnx')).arrayBuffer());
 * const model = await loadOnnxWebModel(bytes, { threads: navigator.hardwareConcurrency });
 * // Off the page's thread:
 * const inWorker = await loadOnnxWebModel(bytes, { worker: await startOrtWebWorker({ threads: 2 }) });
 * ```
 */
export async function loadOnnxWebModel(bytes: Uint8Array, options: LoadOnnxWebModelOptions = {}): Promise<PositionMapModel> {
  const metadata = readOnnxMetadata(bytes);
  const session = options.worker ? await workerSession(bytes, options.worker) : await pageSession(bytes, options);
  if (!session.inputNames.includes(MODEL_INPUT_NAME) || !session.outputNames.includes(MODEL_OUTPUT_NAME)) {
    await session.release();
    throw new Error(`not a prnet position-map model (needs input "${MODEL_INPUT_NAME}" and output "${MODEL_OUTPUT_NAME}")`);
  }
  // As in Node: a model whose graph and metadata disagree on the sizes is refused at load.
  let inputSize: number;
  try {
    inputSize = positionMapModelShapes(metadata, declaredShape(session.inputMetadata, MODEL_INPUT_NAME), declaredShape(session.outputMetadata, MODEL_OUTPUT_NAME));
  } catch (err) {
    await session.release();
    throw err;
  }
  const pixelsIn = inputSize * inputSize * 3;
  return {
    inputSize,
    outputSize: POSITION_MAP_SIZE,
    metadata,
    async predict(input: Float32Array, batch: number): Promise<Float32Array> {
      if (input.length !== batch * pixelsIn) throw new Error(`model input must hold ${batch}×${inputSize}×${inputSize}×3 = ${batch * pixelsIn} floats, got ${input.length}`);
      return session.run(input, [batch, inputSize, inputSize, 3]);
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
