/**
 * Exponential moving average of the trainable weights (Polyak averaging, TF's
 * `tf.train.ExponentialMovingAverage` with `num_updates`): the averaged weights smooth
 * the step-to-step noise of Adam, so they usually validate better than the latest ones.
 * The batch-norm moving statistics are not averaged (they already are averages).
 */

/** Averaged values by TF variable name, updated in place. */
export type WeightAverage = Map<string, Float32Array>;

/**
 * Effective decay at optimizer step `step`: `min(decay, (1 + step)/(10 + step))`, TF's
 * warm-up, so that the average of a fresh run is not dominated by the initialisation.
 */
export function averageDecayAt(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/**
 * One update: `average ← d·average + (1 − d)·weights` for every name of `average`,
 * with `d = averageDecayAt(decay, step)`. Values are kept in float32 like the weights.
 *
 * ```ts
 * const average = new Map([...trainable].map(([k, w]) => [k, Float32Array.from(w)]));
 * updateWeightAverage(average, (name) => net.variables.get(name)!.dataSync() as Float32Array, 0.999, adam.step);
 * ```
 */
export function updateWeightAverage(average: WeightAverage, weights: (name: string) => Float32Array, decay: number, step: number): void {
  const d = averageDecayAt(decay, step), e = 1 - d;
  for (const [name, a] of average) {
    const w = weights(name);
    if (w.length !== a.length) throw new Error(`weight average: ${name} has ${w.length} values, the average ${a.length}`);
    for (let i = 0; i < a.length; i++) a[i] = d * a[i]! + e * w[i]!;
  }
}

/**
 * The weights of the averaged model: `weights` with every averaged variable replaced by
 * its average, and the batch-norm moving statistics by `statistics` (recalibrated for the
 * averaged weights) where given, else as they are.
 */
export function averagedModelWeights(weights: ReadonlyMap<string, Float32Array>, average: ReadonlyMap<string, Float32Array> | undefined, statistics?: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map(weights);
  for (const [what, map] of [['weight average', average], ['recalibrated statistics', statistics]] as const) {
    if (map) for (const [name, a] of map) {
      if (!out.has(name)) throw new Error(`${what} names ${name}, which the weights lack`);
      out.set(name, a);
    }
  }
  return out;
}

/**
 * The model weights a training checkpoint stands for: its averaged model (average plus
 * recalibrated statistics) when it keeps one and `average` is not false, else its latest
 * weights.
 *
 * ```ts
 * const weights = checkpointModelWeights(decodeTrainCheckpoint(bytes));
 * ```
 */
export function checkpointModelWeights(
  c: { weights: ReadonlyMap<string, Float32Array>; averaged?: ReadonlyMap<string, Float32Array>; averagedStatistics?: ReadonlyMap<string, Float32Array> },
  average = true,
): Map<string, Float32Array> {
  return average && c.averaged ? averagedModelWeights(c.weights, c.averaged, c.averagedStatistics) : new Map(c.weights);
}
