/**
 * Random weights whose batch norms are calibrated on one input, so every activation stays
 * in range (no dead ReLUs, no saturated sigmoid) and the output depends on the input: the
 * demo's random-weight models, and the tests' reference networks.
 */
import type { NetworkSpec } from '../../model/resfcn.js';
import { naiveResfcn } from '../../model/naiveResfcn.js';
import { randomWeights } from './randomWeights.js';

/**
 * {@link randomWeights} whose batch-norm statistics come from `image` (one naive float64
 * pass), returned with that pass's output (the reference position map).
 *
 * ```ts
 * const { weights, reference } = calibratedWeights(spec, 7, randomImage(spec.inputSize, 7));
 * ```
 */
export function calibratedWeights(spec: NetworkSpec, seed: number, image: Float32Array): { weights: Map<string, Float32Array>; reference: Float64Array } {
  const weights = randomWeights(spec, seed);
  // A narrower last batch norm keeps the final sigmoid's input within about ±2.
  const last = spec.layers[spec.layers.length - 1]!;
  const gamma = weights.get(`${last.scope}/BatchNorm/gamma`);
  if (gamma) for (let i = 0; i < gamma.length; i++) gamma[i] = gamma[i]! * 0.4;
  const reference = naiveResfcn(spec, weights, image, { calibrate: true });
  return { weights, reference };
}
