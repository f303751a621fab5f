import type { TrainingData } from '../../src/train/data/trainingData.js';
import { randomFloats, seededRandom } from './random.js';

/**
 * A fixed random training set of S×S crops: 8 training and 2 validation samples, unit
 * loss weights, and a validation landmark error that always reports `nme`.
 */
export function randomTrainingData(S: number, nme: number): TrainingData & { weightMask: Float32Array } {
  const rng = seededRandom(1);
  const n = S * S * 3;
  const inputs = randomFloats(10 * n, rng), targets = randomFloats(10 * n, rng, 0.2, 0.8);
  const pick = (idx: number[], off: number) => {
    const a = new Float32Array(idx.length * n), b = new Float32Array(idx.length * n);
    idx.forEach((k, j) => { a.set(inputs.subarray((off + k) * n, (off + k + 1) * n), j * n); b.set(targets.subarray((off + k) * n, (off + k + 1) * n), j * n); });
    return { size: idx.length, inputs: a, targets: b };
  };
  return {
    inputSize: S, trainCount: 8, valCount: 2, weightMask: new Float32Array(S * S).fill(1),
    batch: async (idx: number[]) => pick(idx, 0), valBatch: async (idx: number[]) => pick(idx, 8),
    valLandmarkError: () => ({ nme, perImage: new Float64Array(0) }),
  };
}
