/**
 * The onnxruntime-node implementation of {@link PositionMapModel}.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { PositionMapModel } from '../../model/session.js';
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAME } from '../../model/session.js';
import { readOnnxMetadata } from '../../model/onnx/readOnnxMetadata.js';
import { declaredShape, positionMapModelShapes } from '../../model/positionMapModelShapes.js';
import { POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { withDefaults } from '../../io/withDefaults.js';
import { disableOrtTelemetry } from './disableOrtTelemetry.js';

export interface LoadOnnxModelOptions {
  /** Intra-op threads (0 = ONNX Runtime's default: one per physical core). */
  threads?: number;
  /** Graph optimisation level. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export const LOAD_ONNX_MODEL_DEFAULTS: Required<LoadOnnxModelOptions> = { threads: 0, graphOptimizationLevel: 'all' };

/**
 * Loads an ONNX position-map model (file path or bytes) into onnxruntime-node.
 *
 * ```ts
 * const model = await loadOnnxModel('resfcn256.onnx', { threads: 2 });
 * const pos = await model.predict(crops, 4); // 4 × 256 × 256 × 3
 * ```
 */
export async function loadOnnxModel(source: string | Uint8Array, options: LoadOnnxModelOptions = {}): Promise<PositionMapModel> {
  const o = withDefaults(LOAD_ONNX_MODEL_DEFAULTS, options);
  const label = typeof source === 'string' ? source : '<model bytes>';
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
  } catch (err) {
    throw new Error(`${label}: cannot read model file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let metadata: Record<string, string>;
  try {
    metadata = readOnnxMetadata(bytes);
  } catch (err) {
    throw new Error(`${label}: ${(err as Error).message}`);
  }
  let session: ort.InferenceSession;
  disableOrtTelemetry();
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: o.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: o.graphOptimizationLevel,
      executionMode: 'sequential',
    });
  } catch (err) {
    throw new Error(`${label}: ONNX Runtime cannot load the model: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!session.inputNames.includes(MODEL_INPUT_NAME) || !session.outputNames.includes(MODEL_OUTPUT_NAME)) {
    await session.release();
    throw new Error(`${label}: not a prnet position-map model (needs input "${MODEL_INPUT_NAME}" and output "${MODEL_OUTPUT_NAME}", has ${session.inputNames.join(', ')} → ${session.outputNames.join(', ')})`);
  }
  // A model whose sizes disagree would fail every image with the same error: refuse it here.
  let inputSize: number;
  try {
    inputSize = positionMapModelShapes(metadata, declaredShape(session.inputMetadata, MODEL_INPUT_NAME), declaredShape(session.outputMetadata, MODEL_OUTPUT_NAME));
  } catch (err) {
    await session.release();
    throw new Error(`${label}: ${(err as Error).message}`);
  }
  const pixelsIn = inputSize * inputSize * 3;
  const pixelsOut = POSITION_MAP_SIZE * POSITION_MAP_SIZE * 3;
  return {
    inputSize,
    outputSize: POSITION_MAP_SIZE,
    metadata,
    async predict(input: Float32Array, batch: number): Promise<Float32Array> {
      if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batch}`);
      if (input.length !== batch * pixelsIn) {
        throw new Error(`model input must hold ${batch}×${inputSize}×${inputSize}×3 = ${batch * pixelsIn} floats, got ${input.length}`);
      }
      const feeds = { [MODEL_INPUT_NAME]: new ort.Tensor('float32', input, [batch, inputSize, inputSize, 3]) };
      const result = await session.run(feeds);
      const out = result[MODEL_OUTPUT_NAME]!;
      const data = out.data as Float32Array;
      if (data.length !== batch * pixelsOut) throw new Error(`model returned ${data.length} values, expected ${batch * pixelsOut}`);
      return data;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
