import { MODEL_METADATA } from './modelMetadata.js';

/**
 * Refuses a model that carries no prnet metadata (`prnet.variant`, written by every
 * prnet export and conversion): an ONNX file with the right tensor names but another
 * convention runs and returns garbage. `label` names the model in the error.
 *
 * ```ts
 * if (!options.force) assertPrnetModel(model.metadata, 'my.onnx');
 * ```
 */
export function assertPrnetModel(metadata: Readonly<Record<string, string>>, label: string): void {
  if (metadata[MODEL_METADATA.variant]) return;
  throw new Error(`${label}: not a prnet model (no ${MODEL_METADATA.variant} metadata); its output would be meaningless unless it follows prnet's convention (README: Models) — pass --force to run it anyway`);
}
