/** A seeded random network input with some structure, for random-weight models. */
import { createTrainRandom } from '../loop/trainRandom.js';

/**
 * A random RGB crop (HWC, `side×side×3`) in [0, 1] with some smooth structure (not white
 * noise): the input `calibratedWeights` calibrates on, and a stand-in crop for benchmarks.
 *
 * ```ts
 * const crop = randomImage(256, 1);
 * ```
 */
export function randomImage(side: number, seed: number): Float32Array {
  const rng = createTrainRandom(seed);
  const img = new Float32Array(side * side * 3);
  const fx = 1 + rng() * 6, fy = 1 + rng() * 6, ph = rng() * 6;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
    const smooth = 0.5 + 0.35 * Math.sin((fx * x) / side * 6.28 + ph + c) * Math.cos((fy * y) / side * 6.28 - c);
    img[(y * side + x) * 3 + c] = Math.min(1, Math.max(0, smooth + (rng() - 0.5) * 0.3));
  }
  return img;
}
