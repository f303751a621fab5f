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
