/**
 * The metadata keys of a prnet ONNX model, in a module of their own so that the runtimes
 * (Node, browser, server, CLI) read them without importing the converter.
 */

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
