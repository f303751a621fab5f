/**
 * Turns network weights (from an official TF checkpoint or our own training) into
 * ONNX bytes with the prnet I/O convention recorded in the metadata.
 */
import type { NetworkSpec } from './resfcn.js';
import { POSITION_MAP_SIZE } from './resfcn.js';
import type { BuildResfcnGraphOptions, NetworkWeights } from './buildResfcnGraph.js';
import { buildResfcnGraph } from './buildResfcnGraph.js';
import { encodeOnnxModel } from './onnx/onnxModel.js';
import type { OnnxGraph } from './onnx/onnxModel.js';
import { PRNET_VERSION } from '../version.js';
import { MODEL_METADATA } from './modelMetadata.js';

/** Metadata keys every prnet model carries (re-exported from their own module). */
export { MODEL_METADATA };

export interface ConvertCheckpointOptions extends BuildResfcnGraphOptions {
  /** sha256 of the source checkpoint data file, recorded for provenance. */
  sourceSha256?: string;
  /** Free-form description of where the weights came from. */
  source?: string;
  /** Extra metadata entries. */
  metadata?: Record<string, string>;
}

/**
 * Builds the ONNX model of `spec` with `weights` (TF names and layouts).
 *
 * ```ts
 * const onnx = convertCheckpoint(resfcnSpec(), checkpointWeights(spec, index, shards), { fp16: true });
 * ```
 */
export function convertCheckpoint(spec: NetworkSpec, weights: NetworkWeights, options: ConvertCheckpointOptions = {}): Uint8Array {
  return encodeResfcnModel(spec, buildResfcnGraph(spec, weights, options), options);
}

/**
 * Encodes a (possibly transformed, e.g. quantized) ResFCN graph with the prnet
 * metadata. `options.weightsType` overrides the recorded weight type.
 */
export function encodeResfcnModel(spec: NetworkSpec, graph: OnnxGraph, options: ConvertCheckpointOptions & { weightsType?: string } = {}): Uint8Array {
  const metadata: Record<string, string> = {
    [MODEL_METADATA.variant]: spec.variant,
    [MODEL_METADATA.inputSize]: String(spec.inputSize),
    [MODEL_METADATA.outputSize]: String(POSITION_MAP_SIZE),
    [MODEL_METADATA.input]: `image: float32 NHWC [n, ${spec.inputSize}, ${spec.inputSize}, 3], RGB in [0, 1]`,
    [MODEL_METADATA.output]: `position_map: float32 NHWC [n, ${POSITION_MAP_SIZE}, ${POSITION_MAP_SIZE}, 3], x y z in pixels of the ${POSITION_MAP_SIZE}x${POSITION_MAP_SIZE} crop (z toward the viewer)`,
    [MODEL_METADATA.weightsType]: options.weightsType ?? (options.fp16 ? 'float16' : 'float32'),
    ...(options.sourceSha256 ? { [MODEL_METADATA.sourceSha256]: options.sourceSha256 } : {}),
    ...(options.source ? { [MODEL_METADATA.source]: options.source } : {}),
    ...options.metadata,
  };
  return encodeOnnxModel({
    graph,
    opsetVersion: 17,
    irVersion: 8,
    producerName: 'prnet',
    producerVersion: PRNET_VERSION,
    docString: `PRNet ${spec.variant} position-map regression network`,
    metadata,
  });
}
