/**
 * The onnxruntime-web implementation of {@link PositionMapModel} (WebAssembly, with
 * SIMD and threads where the page is cross-origin isolated). Same convention and
 * behaviour as the Node adapter, so the pipeline runs unchanged in a browser.
 */
import * as ort from 'onnxruntime-web';
import type { PositionMapModel } from '../model/session.js';
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAME } from '../model/session.js';
import { readOnnxMetadata } from '../model/onnx/readOnnxMetadata.js';
import { MODEL_METADATA } from '../model/modelMetadata.js';
import { POSITION_MAP_SIZE } from '../model/resfcn.js';

export interface LoadOnnxWebModelOptions {
  /** WebAssembly threads (needs cross-origin isolation; 1 otherwise). */
  threads?: number;
  /** Where the onnxruntime-web .wasm files are served from (default: next to the bundle). */
  wasmPaths?: string;
}

/**
 * Loads ONNX model bytes into onnxruntime-web.
 *
 * ```ts
 * const bytes = new Uint8Array(await (await fetch('resfcn128-light.onnx')).arrayBuffer());
 * const model = await loadOnnxWebModel(bytes, { threads: navigator.hardwareConcurrency });
 * ```
 */
export async function loadOnnxWebModel(bytes: Uint8Array, options: LoadOnnxWebModelOptions = {}): Promise<PositionMapModel> {
  const metadata = readOnnxMetadata(bytes);
  if (options.threads) ort.env.wasm.numThreads = options.threads;
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  if (!session.inputNames.includes(MODEL_INPUT_NAME) || !session.outputNames.includes(MODEL_OUTPUT_NAME)) {
    throw new Error(`not a prnet position-map model (needs input "${MODEL_INPUT_NAME}" and output "${MODEL_OUTPUT_NAME}")`);
  }
  const inputSize = Number(metadata[MODEL_METADATA.inputSize] ?? POSITION_MAP_SIZE);
  const pixelsIn = inputSize * inputSize * 3;
  return {
    inputSize,
    outputSize: POSITION_MAP_SIZE,
    metadata,
    async predict(input: Float32Array, batch: number): Promise<Float32Array> {
      if (input.length !== batch * pixelsIn) throw new Error(`model input must hold ${batch}×${inputSize}×${inputSize}×3 = ${batch * pixelsIn} floats, got ${input.length}`);
      const out = await session.run({ [MODEL_INPUT_NAME]: new ort.Tensor('float32', input, [batch, inputSize, inputSize, 3]) });
      return out[MODEL_OUTPUT_NAME]!.data as Float32Array;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
