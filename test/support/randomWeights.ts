/**
 * Random network weights in TF layout (Glorot-uniform convs, BN around identity),
 * optionally calibrated so that batch norms see the statistics of a given input,
 * which keeps every activation in range (no dead ReLUs, no saturated sigmoid).
 */
import type { NetworkSpec } from '../../src/model/resfcn.js';
import { networkVariables } from '../../src/model/resfcn.js';
import { naiveResfcn } from './naiveResfcn.js';
import { randomFloats, seededRandom } from './random.js';

export function randomWeights(spec: NetworkSpec, seed: number): Map<string, Float32Array> {
  const rng = seededRandom(seed);
  const weights = new Map<string, Float32Array>();
  for (const v of networkVariables(spec)) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    switch (v.role) {
      case 'weights': {
        const [kh, kw, a, b] = v.shape as [number, number, number, number];
        const limit = Math.sqrt(6 / (kh * kw * (a + b)));
        data = randomFloats(n, rng, -limit, limit);
        break;
      }
      case 'gamma': data = randomFloats(n, rng, 0.7, 1.3); break;
      case 'beta': data = randomFloats(n, rng, -0.2, 0.2); break;
      case 'moving_mean': data = randomFloats(n, rng, -0.1, 0.1); break;
      case 'moving_variance': data = randomFloats(n, rng, 0.5, 1.5); break;
    }
    weights.set(v.name, data);
  }
  return weights;
}

/** A random RGB crop in [0, 1] with some smooth structure (not white noise). */
export function randomImage(side: number, seed: number): Float32Array {
  const rng = seededRandom(seed);
  const img = new Float32Array(side * side * 3);
  const fx = 1 + rng() * 6, fy = 1 + rng() * 6, ph = rng() * 6;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
    const smooth = 0.5 + 0.35 * Math.sin((fx * x) / side * 6.28 + ph + c) * Math.cos((fy * y) / side * 6.28 - c);
    img[(y * side + x) * 3 + c] = Math.min(1, Math.max(0, smooth + (rng() - 0.5) * 0.3));
  }
  return img;
}

/**
 * Random weights whose batch-norm statistics come from `image` (one naive float64
 * pass), returned with that pass's output (the reference position map).
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
