/**
 * The training loop: epochs of shuffled batches from a {@link TrainingData}, one
 * autodiff step each (tfjs `variableGrads`), Adam, batch-norm moving averages,
 * per-epoch validation, and checkpoints the caller stores (periodically, at the end of
 * each epoch and when asked to stop). Runs on whatever tfjs backend is active.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingData } from '../data/trainingData.js';
import type { BatchStatistics, TrainableNetwork } from '../engine/network.js';
import { BATCH_NORM_DECAY } from '../engine/network.js';
import { disposePositionLossTensors, positionLoss, positionLossTensors, type PositionLossTensors, type PositionLossWeights } from '../engine/loss.js';
import type { Adam } from '../engine/optimizer.js';
import { createAdam } from '../engine/optimizer.js';
import type { TrainCheckpoint } from './trainCheckpoint.js';
import { createTrainRandom, shuffledIndices } from './trainRandom.js';
import type { WeightAverage } from '../engine/weightAverage.js';
import { averagedModelWeights, updateWeightAverage } from '../engine/weightAverage.js';
import { recalibrateBatchNorm } from '../engine/recalibrateBatchNorm.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  /** Epochs to train (a resumed run continues up to this count). */
  epochs?: number;
  /** Samples per step. */
  batchSize?: number;
  /** Seed of the data order and augmentation. */
  seed?: number;
  /** Base Adam learning rate (PRNet: 1e-4). */
  learningRate?: number;
  /** Halve the learning rate every this many epochs (PRNet: 5); 0 = never. */
  halveEveryEpochs?: number;
  /** L2 weight decay λ of `λ·Σw²/2` on conv weights (official arg scope: 0.0002); 0 = off. */
  weightDecay?: number;
  /** Augment training batches. */
  augment?: boolean;
  /** Minutes between periodic checkpoints. */
  checkpointMinutes?: number;
  /** Validation samples per epoch (at most `data.valCount`). */
  valLimit?: number;
  /** Batch size of validation passes. */
  valBatchSize?: number;
  /** Stop (with a checkpoint) after this many steps in total; 0 = no limit. */
  maxSteps?: number;
  /**
   * Batch-norm moving-average decay (`tcl.batch_norm` default 0.999). With 0.999 the
   * inference-mode statistics need a few thousand steps to settle, so validation
   * metrics of short runs lag the training loss; 0.99 settles ten times sooner.
   */
  batchNormDecay?: number;
  /**
   * Keep an exponential moving average of the trainable weights with this decay (e.g.
   * 0.999, about the last 1,000 steps); 0 = off. When on, validation, `best.bin` and the
   * exported model use the averaged weights, and the latest weights' scores are logged
   * beside them. Not part of PRNet's recipe: it smooths Adam's step-to-step noise.
   */
  weightAverageDecay?: number;
  /**
   * With weight averaging: training batches over which the averaged model's batch-norm
   * statistics are re-estimated before it is validated (`recalibrateBatchNorm`); 0 = keep
   * the training run's moving statistics.
   */
  recalibrateBatches?: number;
}

export const TRAIN_LOOP_DEFAULTS: Required<TrainLoopOptions> = {
  epochs: 30, batchSize: 16, seed: 1, learningRate: 1e-4, halveEveryEpochs: 5, weightDecay: 0.0002,
  augment: true, checkpointMinutes: 10, valLimit: 1000, valBatchSize: 16, maxSteps: 0, batchNormDecay: BATCH_NORM_DECAY,
  weightAverageDecay: 0, recalibrateBatches: 100,
};

/** Progress of one step. */
export interface StepInfo {
  step: number;
  epoch: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  loss: number;
  learningRate: number;
  /** Training throughput over the steps of this session so far. */
  samplesPerSecond: number;
}

/** Metrics of one finished epoch (a line of `metrics.jsonl`). */
export interface EpochMetrics {
  epoch: number;
  step: number;
  learningRate: number;
  /** Mean training loss (without weight decay) over the epoch's steps of this session. */
  trainLoss: number;
  /** Weighted loss on the validation samples (inference-mode batch norm). */
  valLoss: number | null;
  /** Validation landmark NME against the human annotations, when the data provides it. */
  valNme: number | null;
  /** Further validation figures the data provides (`TrainingData.valMetrics`), e.g. `label68_2d`. */
  valMetrics?: Record<string, number>;
  /** With weight averaging, the val loss and NME of the latest (not averaged) weights. */
  latestValLoss?: number | null;
  latestValNme?: number | null;
  seconds: number;
  samplesPerSecond: number;
}

/** Why a checkpoint is being written. */
export type CheckpointReason = 'periodic' | 'epoch' | 'stop' | 'end';

/** Callbacks {@link trainLoop} reports through. */
export interface TrainLoopHooks {
  onStep?(info: StepInfo): void;
  onEpoch?(metrics: EpochMetrics): void | Promise<void>;
  /** Persists a checkpoint (atomically, in the Node adapter). */
  saveCheckpoint?(checkpoint: TrainCheckpoint, reason: CheckpointReason): Promise<void>;
  /** Polled between steps: true stops the run after a checkpoint (SIGINT, SIGTERM). */
  shouldStop?(): boolean;
  /** Clock in ms (tests may replace it). */
  now?(): number;
}

/** Outcome of {@link trainLoop}. */
export interface TrainLoopResult {
  /** True when it stopped early (shouldStop or maxSteps). */
  stopped: boolean;
  step: number;
  epoch: number;
  metrics: EpochMetrics[];
}

/**
 * Trains `net` on `data`; with `resume`, continues that checkpoint exactly.
 *
 * ```ts
 * const net = createTrainableNetwork(variantSpec('resfcn128-light'), { seed: 1 });
 * const result = await trainLoop(net, data, data.weightMask, { epochs: 30, batchSize: 16 }, {
 *   saveCheckpoint: (c) => writeFileAtomic('run/checkpoint.bin', encodeTrainCheckpoint(c)),
 * });
 * ```
 */
export async function trainLoop(
  net: TrainableNetwork,
  data: TrainingData,
  weightMask: Float32Array | PositionLossWeights,
  options: TrainLoopOptions = {},
  hooks: TrainLoopHooks = {},
  resume?: TrainCheckpoint,
): Promise<TrainLoopResult> {
  const o = withDefaults(TRAIN_LOOP_DEFAULTS, options);
  const spec = net.spec;
  const S = spec.inputSize;
  if (data.inputSize !== S) throw new Error(`training data is ${data.inputSize}×${data.inputSize} but the ${spec.variant} network takes ${S}×${S}`);
  checkLossWeights(weightMask, S);
  if (data.trainCount < 1) throw new Error('training data has no training samples');
  const now = hooks.now ?? (() => performance.now());
  const batchSize = Math.min(o.batchSize, data.trainCount);
  const stepsPerEpoch = Math.floor(data.trainCount / batchSize);
  const adam = createAdam({ learningRate: o.learningRate, halveEveryEpochs: o.halveEveryEpochs });
  const rng = createTrainRandom(o.seed);
  let epoch = 0, stepInEpoch = 0, order: number[] = [];
  if (resume) {
    if (resume.variant !== spec.variant || resume.inputSize !== S || resume.baseChannels !== spec.baseChannels) {
      throw new Error(`checkpoint is for ${resume.variant} (${resume.inputSize}, width ${resume.baseChannels}), not ${spec.variant}`);
    }
    const was = resume.options['batchSize'];
    if (resume.stepInEpoch > 0 && typeof was === 'number' && was !== batchSize) {
      throw new Error(`checkpoint is ${resume.stepInEpoch} steps into an epoch with batch size ${was}; resume with the same batch size (got ${batchSize})`);
    }
    net.loadWeights(resume.weights);
    const shapes = new Map([...net.variables].map(([k, v]) => [k, v.shape]));
    adam.loadState(resume.step, resume.adamM, resume.adamV, shapes);
    rng.state = resume.rngState;
    ({ epoch, stepInEpoch, order } = resume);
  }
  // The weight average continues from the checkpoint, or starts from the current weights.
  let averaged: WeightAverage | undefined;
  let averagedStatistics = resume?.averagedStatistics;
  if (o.weightAverageDecay > 0) {
    const from = resume?.averaged;
    averaged = new Map(net.trainableNames.map((n) => [n, Float32Array.from(from?.get(n) ?? (net.variables.get(n)!.dataSync() as Float32Array))]));
  }
  const wMask = positionLossTensors(weightMask);
  const convWeights = convWeightNames(net);
  const tfToName = new Map([...net.variables].map(([k, v]) => [v.name, k]));
  const trainVars = net.trainableNames.map((n) => net.variables.get(n)!);

  const snapshot = (): TrainCheckpoint => {
    const { m, v } = adam.exportMoments();
    return {
      variant: spec.variant, inputSize: S, baseChannels: spec.baseChannels,
      step: adam.step, epoch, stepInEpoch, order, rngState: rng.state,
      options: { ...o, batchSize }, weights: net.exportWeights(), adamM: m, adamV: v,
      ...(averaged ? { averaged: new Map([...averaged].map(([k, a]) => [k, Float32Array.from(a)])) } : {}),
      ...(averaged && averagedStatistics ? { averagedStatistics } : {}),
    };
  };
  const save = async (reason: CheckpointReason) => { if (hooks.saveCheckpoint) await hooks.saveCheckpoint(snapshot(), reason); };

  const metrics: EpochMetrics[] = [];
  const sessionStart = now();
  let lastCheckpoint = sessionStart, sessionSamples = 0;
  try {
    while (epoch < o.epochs) {
      if (order.length === 0) order = shuffledIndices(data.trainCount, rng);
      const lr = adam.learningRateAt(epoch);
      const epochStart = now();
      let lossSum = 0, lossSteps = 0, epochSamples = 0;
      while (stepInEpoch < stepsPerEpoch) {
        // A macrotask turn per step lets signal handlers (Ctrl-C → shouldStop) and
        // pending I/O run; a step is otherwise synchronous compute.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (hooks.shouldStop?.() || (o.maxSteps > 0 && adam.step >= o.maxSteps)) {
          await save('stop');
          return { stopped: true, step: adam.step, epoch, metrics };
        }
        const indices = order.slice(stepInEpoch * batchSize, (stepInEpoch + 1) * batchSize);
        const batch = await data.batch(indices, rng, o.augment);
        const loss = trainStep(net, adam, batch.inputs, batch.targets, batch.size, wMask, lr, o.weightDecay, trainVars, convWeights, tfToName, o.batchNormDecay);
        if (averaged) updateWeightAverage(averaged, (n) => net.variables.get(n)!.dataSync() as Float32Array, o.weightAverageDecay, adam.step);
        stepInEpoch++;
        lossSum += loss; lossSteps++; epochSamples += batch.size; sessionSamples += batch.size;
        hooks.onStep?.({
          step: adam.step, epoch, stepInEpoch, stepsPerEpoch, loss, learningRate: lr,
          samplesPerSecond: sessionSamples / ((now() - sessionStart) / 1000),
        });
        if (now() - lastCheckpoint >= o.checkpointMinutes * 60_000) {
          await save('periodic');
          lastCheckpoint = now();
        }
      }
      const seconds = (now() - epochStart) / 1000;
      const latest = await validate(net, data, wMask, o);
      let val = latest;
      if (averaged) ({ val, statistics: averagedStatistics } = await validateAverage(net, data, wMask, o, averaged, batchSize, epoch));
      const m: EpochMetrics = {
        epoch, step: adam.step, learningRate: lr, trainLoss: lossSteps ? lossSum / lossSteps : NaN,
        valLoss: val.loss, valNme: val.nme, ...(val.metrics ? { valMetrics: val.metrics } : {}), seconds, samplesPerSecond: epochSamples / Math.max(seconds, 1e-9),
        ...(averaged ? { latestValLoss: latest.loss, latestValNme: latest.nme } : {}),
      };
      metrics.push(m);
      epoch++;
      stepInEpoch = 0;
      order = [];
      await hooks.onEpoch?.(m);
      await save(epoch >= o.epochs ? 'end' : 'epoch');
      lastCheckpoint = now();
    }
    return { stopped: false, step: adam.step, epoch, metrics };
  } finally {
    disposePositionLossTensors(wMask);
    adam.dispose();
  }
}

/** The loss weights must be S×S for S×S maps. */
function checkLossWeights(weights: Float32Array | PositionLossWeights, S: number): void {
  const { pixels, neighbours } = weights instanceof Float32Array ? { pixels: weights, neighbours: undefined } : weights;
  if (pixels.length !== S * S) throw new Error(`weight mask has ${pixels.length} values, expected ${S}×${S}`);
  if (neighbours && neighbours.length !== S * S) throw new Error(`expression loss weights have ${neighbours.length} values, expected ${S}×${S}`);
}

/** TF names of the conv weights, the variables that get L2 weight decay (as the official arg scope). */
export function convWeightNames(net: TrainableNetwork): ReadonlySet<string> {
  return new Set(net.trainableNames.filter((k) => k.endsWith('/weights')));
}

/**
 * One optimisation step on a packed batch; returns the data loss (without decay).
 * Gradients come from tfjs autodiff of the forward pass; the weight decay's gradient
 * `λ·w` is added inside Adam (differentiating `λ·Σw²/2` through the graph cost ~300
 * small kernels a step).
 */
export function trainStep(
  net: TrainableNetwork, adam: Adam, inputs: Float32Array, targets: Float32Array, n: number,
  wMask: tf.Tensor3D | PositionLossTensors, learningRate: number, weightDecay: number,
  trainVars = net.trainableNames.map((k) => net.variables.get(k)!),
  convWeights = convWeightNames(net),
  tfToName = new Map([...net.variables].map(([k, v]) => [v.name, k])),
  batchNormDecay = BATCH_NORM_DECAY,
): number {
  const S = net.spec.inputSize;
  const stats: BatchStatistics[] = [];
  const x = tf.tensor4d(inputs, [n, S, S, 3]);
  const y = tf.tensor4d(targets, [n, S, S, 3]);
  try {
    const { value, grads } = tf.variableGrads(() => positionLoss(net.apply(x, true, stats), y, wMask), trainVars);
    const named = new Map<string, tf.Tensor>();
    for (const [k, g] of Object.entries(grads)) named.set(tfToName.get(k) ?? k, g);
    adam.apply(net.variables as Map<string, tf.Variable>, named, learningRate, { lambda: weightDecay, names: convWeights });
    net.updateMovingStatistics(stats, batchNormDecay);
    tf.dispose(grads);
    const loss = value.dataSync()[0]!;
    value.dispose();
    return loss;
  } finally {
    tf.dispose([x, y]);
  }
}

/**
 * Validates the averaged model: its weights swapped in, its batch-norm statistics
 * re-estimated (seeded per epoch, apart from the training stream) unless
 * `recalibrateBatches` is 0; the latest weights are restored afterwards.
 */
async function validateAverage(
  net: TrainableNetwork, data: TrainingData, wMask: PositionLossTensors, o: Required<TrainLoopOptions>,
  averaged: WeightAverage, batchSize: number, epoch: number,
): Promise<{ val: { loss: number | null; nme: number | null; metrics?: Record<string, number> }; statistics: Map<string, Float32Array> | undefined }> {
  const weights = net.exportWeights();
  net.loadWeights(averagedModelWeights(weights, averaged));
  try {
    const statistics = o.recalibrateBatches > 0
      ? await recalibrateBatchNorm(net, data, { batches: o.recalibrateBatches, batchSize, seed: o.seed * 100_003 + epoch, augment: o.augment })
      : undefined;
    return { val: await validate(net, data, wMask, o), statistics };
  } finally {
    net.loadWeights(weights);
  }
}

/** Validation figures of a network: as {@link EpochMetrics}' `valLoss`, `valNme` and `valMetrics`. */
export interface ValidationResult {
  loss: number | null;
  nme: number | null;
  metrics?: Record<string, number>;
}

/**
 * Scores a network on the data's validation split as each epoch of {@link trainLoop} does
 * (inference-mode batch norm): the weighted loss, the landmark NME and the data's further
 * figures. For weights trained elsewhere (a GPU run's, a warm start).
 *
 * ```ts
 * net.loadWeights(importWeights(manifest, bytes));
 * const { loss, nme, metrics } = await validateNetwork(net, data, data.weightMask);
 * ```
 */
export async function validateNetwork(net: TrainableNetwork, data: TrainingData, weightMask: Float32Array | PositionLossWeights, options: Pick<TrainLoopOptions, 'valLimit' | 'valBatchSize'> = {}): Promise<ValidationResult> {
  const S = net.spec.inputSize;
  if (data.inputSize !== S) throw new Error(`validation data is ${data.inputSize}×${data.inputSize} but the ${net.spec.variant} network takes ${S}×${S}`);
  checkLossWeights(weightMask, S);
  const wMask = positionLossTensors(weightMask);
  try {
    return await validate(net, data, wMask, withDefaults(TRAIN_LOOP_DEFAULTS, options));
  } finally {
    disposePositionLossTensors(wMask);
  }
}

async function validate(net: TrainableNetwork, data: TrainingData, wMask: PositionLossTensors, o: Required<TrainLoopOptions>): Promise<ValidationResult> {
  const count = Math.min(o.valLimit, data.valCount);
  if (count <= 0) return { loss: null, nme: null };
  const S = net.spec.inputSize;
  let lossSum = 0, nmeSum = 0, nmeCount = 0;
  const pooled = new Map<string, { sum: number; count: number }>();
  for (let start = 0; start < count; start += o.valBatchSize) {
    const indices = Array.from({ length: Math.min(o.valBatchSize, count - start) }, (_, i) => start + i);
    const batch = await data.valBatch(indices);
    const x = tf.tensor4d(batch.inputs, [batch.size, S, S, 3]);
    const y = tf.tensor4d(batch.targets, [batch.size, S, S, 3]);
    const pred = net.apply(x, false);
    const l = positionLoss(pred, y, wMask);
    lossSum += l.dataSync()[0]! * batch.size;
    if (typeof data.valLandmarkError === 'function') {
      const r = data.valLandmarkError(pred.dataSync() as Float32Array, indices) as { nme: number; perImage?: Float64Array } | number;
      if (typeof r === 'number') {
        if (Number.isFinite(r)) { nmeSum += r * batch.size; nmeCount += batch.size; }
      } else {
        // Weighted by the images it scored: a data set may score only some of its validation images (NaN for the rest).
        const per = r.perImage;
        let scored = batch.size;
        if (per && per.length === indices.length) { scored = 0; for (const e of per) if (Number.isFinite(e)) scored++; }
        if (Number.isFinite(r.nme) && scored > 0) { nmeSum += r.nme * scored; nmeCount += scored; }
      }
    }
    if (data.valMetrics) {
      for (const [k, v] of Object.entries(data.valMetrics(pred.dataSync() as Float32Array, batch.targets, indices))) {
        const p = pooled.get(k) ?? { sum: 0, count: 0 };
        p.sum += v.sum; p.count += v.count;
        pooled.set(k, p);
      }
    }
    tf.dispose([x, y, pred, l]);
  }
  const metrics = pooled.size ? Object.fromEntries([...pooled].map(([k, v]) => [k, v.count ? v.sum / v.count : NaN])) : undefined;
  return { loss: lossSum / count, nme: nmeCount ? nmeSum / nmeCount : null, ...(metrics ? { metrics } : {}) };
}
