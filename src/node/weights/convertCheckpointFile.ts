/**
 * Node side of `prnet convert`: TF checkpoint files in, ONNX file out (atomically).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { variantSpec } from '../../model/resfcn.js';
import { convertCheckpoint } from '../../model/convertCheckpoint.js';
import { checkpointWeights } from '../../model/checkpoint/checkpointWeights.js';
import { loadCheckpoint } from './checkpoint.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { calibrationCrops } from './calibrationCrops.js';
import { quantizeModel } from './quantizeModel.js';
import { withDefaults } from '../../io/withDefaults.js';

export interface ConvertCheckpointFileOptions {
  /** Network variant the checkpoint holds. */
  variant?: string;
  /** Write float16 weights. */
  fp16?: boolean;
  /**
   * Write an int8 (QDQ) model calibrated on face crops from these photos instead of a
   * float model (see `quantizeModel`).
   */
  int8Calibration?: readonly string[];
  /** Told about calibration photos that could not be used. */
  onSkip?: (file: string, reason: string) => void;
}

export const CONVERT_CHECKPOINT_FILE_DEFAULTS = { variant: 'resfcn256', fp16: false };

export interface ConvertCheckpointFileResult {
  output: string;
  bytes: number;
  /** sha256 of the first data shard, as recorded in the model's metadata. */
  sourceSha256: string;
  seconds: number;
}

/**
 * Converts `<prefix>.index` + data shards into an ONNX model at `output`.
 *
 * ```ts
 * await convertCheckpointFile('Data/net-data/256_256_resfcn256_weight', 'resfcn256.onnx', { fp16: true });
 * ```
 */
export async function convertCheckpointFile(prefix: string, output: string, options: ConvertCheckpointFileOptions = {}): Promise<ConvertCheckpointFileResult> {
  const o = withDefaults(CONVERT_CHECKPOINT_FILE_DEFAULTS, options);
  const t0 = performance.now();
  const spec = variantSpec(o.variant);
  const checkpoint = await loadCheckpoint(prefix);
  const weights = checkpointWeights(spec, checkpoint.index, checkpoint.shards, { shardNames: checkpoint.shardPaths });
  const hash = createHash('sha256');
  for (const shard of checkpoint.shards) hash.update(shard);
  const sourceSha256 = hash.digest('hex');
  const source = `TensorFlow checkpoint ${checkpoint.prefix.split(/[\\/]/).pop()}`;
  let onnx: Uint8Array;
  if (o.int8Calibration) {
    const crops = await calibrationCrops(o.int8Calibration, spec.inputSize, { onSkip: o.onSkip });
    if (!crops.length) throw new Error('int8 calibration: none of the given photos yielded a face crop');
    onnx = await quantizeModel(spec, weights, crops, { sourceSha256, source: `${source}, int8 calibrated on ${crops.length} face crops` });
  } else {
    onnx = convertCheckpoint(spec, weights, { fp16: o.fp16, sourceSha256, source });
  }
  await writeFileAtomic(output, onnx);
  return { output, bytes: onnx.length, sourceSha256, seconds: (performance.now() - t0) / 1000 };
}
