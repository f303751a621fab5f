/**
 * Batch-norm recalibration: re-estimates every layer's moving mean and variance for the
 * network's current weights from training batches (in training mode, weights untouched),
 * as SWA's `bn_update` does for averaged weights. The moving statistics kept during
 * training follow the latest weights; an averaged model needs its own, and with them it
 * validates better (measured in the README). The batches are augmented like training
 * ones: statistics of clean crops fit the network worse.
 */
import * as tf from '@tensorflow/tfjs-core';
import { networkVariables } from '../../model/resfcn.js';
import type { TrainingData } from '../data/trainingData.js';
import type { BatchStatistics, TrainableNetwork } from './network.js';
import { createTrainRandom, shuffledIndices } from '../loop/trainRandom.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateBatchNormOptions {
  /** Training batches to average the statistics over. */
  batches?: number;
  /** Samples per batch (the training batch size: batch statistics depend on it). */
  batchSize?: number;
  /** Seed of the sample choice and augmentation (independent of the training stream). */
  seed?: number;
  /** Augment the batches as in training. */
  augment?: boolean;
}

export const RECALIBRATE_BATCH_NORM_DEFAULTS: Required<RecalibrateBatchNormOptions> = { batches: 100, batchSize: 16, seed: 1, augment: true };

/**
 * Sets every moving mean and variance of `net` to the average, over `batches` training
 * batches, of the batch mean and Bessel-corrected batch variance its layers see with the
 * current weights. Returns the new statistics by TF name.
 *
 * ```ts
 * net.loadWeights(averagedModelWeights(weights, average));
 * const statistics = await recalibrateBatchNorm(net, data, { batches: 100 });
 * ```
 */
export async function recalibrateBatchNorm(net: TrainableNetwork, data: TrainingData, options: RecalibrateBatchNormOptions = {}): Promise<Map<string, Float32Array>> {
  const o = withDefaults(RECALIBRATE_BATCH_NORM_DEFAULTS, options);
  const S = net.spec.inputSize;
  const rng = createTrainRandom(o.seed);
  const batchSize = Math.max(1, Math.min(o.batchSize, data.trainCount));
  let order: number[] = [];
  for (let k = 0; k < o.batches; k++) {
    if (order.length < batchSize) order = shuffledIndices(data.trainCount, rng);
    const batch = await data.batch(order.splice(0, batchSize), rng, o.augment);
    const stats: BatchStatistics[] = [];
    tf.tidy(() => { net.apply(tf.tensor4d(batch.inputs, [batch.size, S, S, 3]), true, stats); });
    // A running mean: batch k gets weight 1/(k+1), so the first replaces the old values.
    net.updateMovingStatistics(stats, k / (k + 1));
  }
  const statistics = networkVariables(net.spec).filter((v) => v.role === 'moving_mean' || v.role === 'moving_variance');
  return new Map(statistics.map((v) => [v.name, Float32Array.from(net.variables.get(v.name)!.dataSync() as Float32Array)]));
}
