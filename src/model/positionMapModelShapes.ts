/**
 * Checks, once at load, that a model's graph and its prnet metadata agree on the crop it
 * takes and the map it returns: a model whose sizes disagree would otherwise fail every
 * image with the same error. The same check in onnxruntime-node and onnxruntime-web.
 */
import { MODEL_METADATA, modelInputSize } from './modelMetadata.js';
import { POSITION_MAP_SIZE } from './resfcn.js';

/** A tensor's shape as the graph declares it: numbers where fixed, names where symbolic. */
export type DeclaredShape = readonly (number | string)[];

/**
 * The crop size the model takes (its metadata's, official PRNet's 256 without any), after
 * checking the graph's declared input `[n, S, S, 3]` and output `[n, 256, 256, 3]` against
 * it. A shape that is not 4-D or has a symbolic height, width or channel count is checked
 * at run time instead. Throws with what disagrees.
 *
 * ```ts
 * const inputSize = positionMapModelShapes(metadata, [1, 128, 128, 3], ['batch', 256, 256, 3]); // 128
 * ```
 */
export function positionMapModelShapes(metadata: Readonly<Record<string, string>>, input?: DeclaredShape, output?: DeclaredShape): number {
  const inputSize = modelInputSize(metadata);
  const inputDims = fixedImageShape(input);
  if (inputDims && !(inputDims[1] === inputSize && inputDims[2] === inputSize && inputDims[3] === 3)) {
    const said = metadata[MODEL_METADATA.inputSize] === undefined ? `official PRNet's (it has no ${MODEL_METADATA.inputSize} metadata)` : `its ${MODEL_METADATA.inputSize} metadata's`;
    throw new Error(`its graph takes ${inputDims.slice(1).join('×')} crops, not ${inputSize}×${inputSize}×3, ${said}`);
  }
  const outputDims = fixedImageShape(output);
  if (outputDims && !(outputDims[1] === POSITION_MAP_SIZE && outputDims[2] === POSITION_MAP_SIZE && outputDims[3] === 3)) {
    throw new Error(`its graph returns ${outputDims.slice(1).join('×')} maps, not ${POSITION_MAP_SIZE}×${POSITION_MAP_SIZE}×3 position maps`);
  }
  return inputSize;
}

/** The shape when it is 4-D with fixed height, width and channels; else undefined. */
function fixedImageShape(shape: DeclaredShape | undefined): DeclaredShape | undefined {
  if (!shape || shape.length !== 4) return undefined;
  return shape.slice(1).every((d) => typeof d === 'number') ? shape : undefined;
}

/** What an ONNX Runtime session says of one input or output (`session.inputMetadata[i]`). */
export type ValueMetadataLike = { name: string } & ({ isTensor: true; shape: DeclaredShape } | { isTensor: false });

/** The shape the graph declares for the value `name` (none for a non-tensor or a missing value). */
export function declaredShape(values: readonly ValueMetadataLike[], name: string): DeclaredShape | undefined {
  const value = values.find((v) => v.name === name);
  return value?.isTensor ? value.shape : undefined;
}
