/**
 * Models for tests that need a network but not a trained one:
 * - `randomOnnxModel`: a real ResFCN variant with seeded random weights, converted
 *   exactly as a checkpoint would be (cached on disk, conversion takes a second);
 * - `constantFaceModel`: a tiny ONNX graph that ignores its input and returns one
 *   fixed position map (e.g. the canonical face placed in the crop), so pipeline
 *   tests get meaningful geometry.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { variantSpec, POSITION_MAP_SIZE } from '../../src/model/resfcn.js';
import { convertCheckpoint } from '../../src/model/convertCheckpoint.js';
import { encodeOnnxModel, attr } from '../../src/model/onnx/onnxModel.js';
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAME } from '../../src/model/session.js';
import { randomWeights } from '../../src/train/engine/randomWeights.js';
import { writeFileAtomicSync } from './writeFileAtomicSync.js';

export interface RandomModelOptions { variant?: string; seed?: number; fp16?: boolean }

/** Path of a cached random-weights ONNX model (written once per variant and seed). */
export function randomOnnxModelFile(options: RandomModelOptions = {}): string {
  const variant = options.variant ?? 'resfcn256';
  const seed = options.seed ?? 1;
  const dir = path.join(os.tmpdir(), 'prnet-test-fixtures');
  const file = path.join(dir, `random-${variant}-seed${seed}${options.fp16 ? '-fp16' : ''}-v1.onnx`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const spec = variantSpec(variant);
    const bytes = convertCheckpoint(spec, randomWeights(spec, seed), { fp16: options.fp16, source: `random weights, seed ${seed}` });
    writeFileAtomicSync(file, bytes);
  }
  return file;
}

/** Bytes of a random-weights ONNX model. */
export function randomOnnxModel(options: RandomModelOptions = {}): Uint8Array {
  return new Uint8Array(readFileSync(randomOnnxModelFile(options)));
}

/**
 * An ONNX model whose output is always `positionMap` (256×256×3, 256-crop pixels),
 * for any batch of `inputSize` crops. `metadata` replaces the prnet metadata (`{}`: none).
 */
export function constantFaceModel(positionMap: Float32Array, inputSize = 256, metadata: Record<string, string> = { 'prnet.variant': 'constant-face', 'prnet.input_size': String(inputSize), 'prnet.output_size': '256' }): Uint8Array {
  if (positionMap.length !== POSITION_MAP_SIZE * POSITION_MAP_SIZE * 3) throw new Error('constantFaceModel: need a 256×256×3 map');
  return encodeOnnxModel({
    graph: {
      name: 'constant-face',
      nodes: [
        // out = 0 · mean(image) + map: the batch size follows the input.
        { opType: 'ReduceMean', inputs: [MODEL_INPUT_NAME], outputs: ['m'], attributes: [attr.ints('axes', [1, 2, 3]), attr.int('keepdims', 1)] },
        { opType: 'Mul', inputs: ['m', 'zero'], outputs: ['z'] },
        { opType: 'Add', inputs: ['z', 'map'], outputs: [MODEL_OUTPUT_NAME] },
      ],
      initializers: [
        { name: 'zero', dataType: 'float32', dims: [], data: new Float32Array([0]) },
        { name: 'map', dataType: 'float32', dims: [1, POSITION_MAP_SIZE, POSITION_MAP_SIZE, 3], data: positionMap },
      ],
      inputs: [{ name: MODEL_INPUT_NAME, dataType: 'float32', shape: ['batch', inputSize, inputSize, 3] }],
      outputs: [{ name: MODEL_OUTPUT_NAME, dataType: 'float32', shape: ['batch', POSITION_MAP_SIZE, POSITION_MAP_SIZE, 3] }],
    },
    opsetVersion: 17, irVersion: 8, producerName: 'prnet-tests', producerVersion: '0',
    metadata,
  });
}
