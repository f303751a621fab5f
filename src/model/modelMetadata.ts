/**
 * The metadata keys of a prnet ONNX model, in a module of their own so that the runtimes
 * (Node, browser, server, CLI) read them without importing the converter.
 */
import { POSITION_MAP_SIZE } from './resfcn.js';

/** Metadata keys every prnet model carries. */
export const MODEL_METADATA = {
  variant: 'prnet.variant',
  inputSize: 'prnet.input_size',
  outputSize: 'prnet.output_size',
  input: 'prnet.input',
  output: 'prnet.output',
  sourceSha256: 'prnet.source_sha256',
  source: 'prnet.source',
  weightsType: 'prnet.weights_type',
  /** Free text shown to users with the model (e.g. its accuracy). */
  note: 'prnet.note',
} as const;

/**
 * What a model is, in one phrase for messages: its variant, input size and weight type.
 *
 * ```ts
 * modelKind(model.metadata, model.inputSize); // 'resfcn128-light, 128×128 input, float16 weights'
 * ```
 */
export function modelKind(metadata: Readonly<Record<string, string>>, inputSize: number): string {
  const weights = metadata[MODEL_METADATA.weightsType];
  return [metadata[MODEL_METADATA.variant], `${inputSize}×${inputSize} input`, weights && `${weights} weights`].filter(Boolean).join(', ');
}

/**
 * The side of the square crop a model takes: its `prnet.input_size` metadata, or official
 * PRNet's 256 when it has none. Throws one line when the metadata is not a size, which would
 * otherwise fail every image with a NaN crop. Node and the browser both read it here.
 *
 * ```ts
 * const side = modelInputSize(metadata); // 128 for the shipped light model
 * ```
 */
export function modelInputSize(metadata: Readonly<Record<string, string>>): number {
  const said = metadata[MODEL_METADATA.inputSize];
  const size = Number(said ?? POSITION_MAP_SIZE);
  if (!(Number.isInteger(size) && size >= 2)) throw new Error(`its ${MODEL_METADATA.inputSize} metadata "${said}" is not a crop size in pixels`);
  return size;
}
