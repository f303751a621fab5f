import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FaceJsonModel } from '../io/faceJson.js';
import { MODEL_METADATA } from '../model/modelMetadata.js';

/**
 * What the API and the job outputs say about the model: file name, variant and weight
 * type from its metadata, and the sha256 of the ONNX file (as `prnet reconstruct`'s JSON).
 *
 * ```ts
 * await modelRecord('models/default.onnx', model.metadata); // { name: 'default.onnx', variant, weights, sha256 }
 * ```
 */
export async function modelRecord(source: string | Uint8Array, metadata: Readonly<Record<string, string>>): Promise<Required<Pick<FaceJsonModel, 'sha256'>> & FaceJsonModel> {
  const bytes = typeof source === 'string' ? await readFile(source) : source;
  return {
    name: typeof source === 'string' ? path.basename(source) : 'model.onnx',
    ...(metadata[MODEL_METADATA.variant] ? { variant: metadata[MODEL_METADATA.variant] } : {}),
    ...(metadata[MODEL_METADATA.weightsType] ? { weights: metadata[MODEL_METADATA.weightsType] } : {}),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
