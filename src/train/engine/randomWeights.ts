/**
 * Random network weights in TF layout, for models whose values do not matter: the demo's
 * random-weight models, benchmarks and tests.
 */
import type { NetworkSpec } from '../../model/resfcn.js';
import { networkVariables } from '../../model/resfcn.js';
import { createTrainRandom } from '../loop/trainRandom.js';

/**
 * Seeded random weights of every variable of `spec`: Glorot-uniform convs, batch norms
 * around the identity (gamma in [0.7, 1.3], beta in [−0.2, 0.2], moving mean in
 * [−0.1, 0.1], moving variance in [0.5, 1.5]).
 *
 * ```ts
 * const bytes = convertCheckpoint(spec, randomWeights(spec, 1));
 * ```
 */
export function randomWeights(spec: NetworkSpec, seed: number): Map<string, Float32Array> {
  const rng = createTrainRandom(seed);
  const uniform = (n: number, lo: number, hi: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
    return out;
  };
  const weights = new Map<string, Float32Array>();
  for (const v of networkVariables(spec)) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    switch (v.role) {
      case 'weights': {
        const [kh, kw, a, b] = v.shape as [number, number, number, number];
        const limit = Math.sqrt(6 / (kh * kw * (a + b)));
        data = uniform(n, -limit, limit);
        break;
      }
      case 'gamma': data = uniform(n, 0.7, 1.3); break;
      case 'beta': data = uniform(n, -0.2, 0.2); break;
      case 'moving_mean': data = uniform(n, -0.1, 0.1); break;
      case 'moving_variance': data = uniform(n, 0.5, 1.5); break;
    }
    weights.set(v.name, data);
  }
  return weights;
}
