/**
 * The trainable ResFCN, built from the shared layer description on tfjs-core ops so
 * that tfjs computes every gradient (no hand-written backward pass). Variables carry
 * the official TF names and layouts, so trained weights export straight into the
 * checkpoint converter.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConvLayer, ConvTransposeLayer, NetworkSpec, VariableSpec } from '../../model/resfcn.js';
import { networkVariables } from '../../model/resfcn.js';
import { createTrainRandom } from '../loop/trainRandom.js';
import { batchNormTrain, batchNormTrainReference, hasBatchNormTrainKernel } from './batchNormTrain.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Batch statistics of one batch-norm layer, kept from a training forward pass. */
export interface BatchStatistics {
  /** BN scope, e.g. `resfcn256/Conv/BatchNorm`. */
  scope: string;
  mean: tf.Tensor1D;
  /** Biased (population) variance of the batch, the one used to normalise. */
  variance: tf.Tensor1D;
  /** Values per channel the statistics were taken over (n·H·W), for Bessel's correction. */
  count: number;
}

/** A ResFCN whose variables live in tfjs, with a training and an inference forward pass. */
export interface TrainableNetwork {
  readonly spec: NetworkSpec;
  /** Every variable by its TF name (weights, gamma, beta, moving_mean, moving_variance). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** TF names of the trainable variables (conv weights, gamma, beta), in layer order. */
  readonly trainableNames: readonly string[];
  /**
   * Forward pass: input NHWC `[n, S, S, 3]` in [0, 1] → sigmoid output `[n, S, S, 3]`
   * (position map / 281.6). `training` uses batch statistics and, if `stats` is given,
   * keeps them there (outside any tidy) for {@link TrainableNetwork.updateMovingStatistics}.
   */
  apply(input: tf.Tensor4D, training: boolean, stats?: BatchStatistics[]): tf.Tensor4D;
  /** `moving = decay·moving + (1−decay)·batch` as `tcl.batch_norm` does; disposes `stats`. */
  updateMovingStatistics(stats: BatchStatistics[], decay?: number): void;
  /** Copies every variable out, keyed by TF name (float32, TF layout). */
  exportWeights(): Map<string, Float32Array>;
  /** Overwrites variables from a TF-named map; throws on a missing name or wrong size. */
  loadWeights(weights: ReadonlyMap<string, Float32Array>): void;
  dispose(): void;
}

/** Options of {@link createTrainableNetwork}. */
export interface TrainableNetworkOptions {
  /** Seed of the Glorot-uniform weight initialisation. */
  seed?: number;
}

export const TRAINABLE_NETWORK_DEFAULTS: Required<TrainableNetworkOptions> = { seed: 1 };

/** `tcl.batch_norm`'s default moving-average decay. */
export const BATCH_NORM_DECAY = 0.999;

let instanceCounter = 0;

/**
 * Builds the trainable network of `spec` with TF-default initialisation: Glorot
 * (Xavier) uniform conv weights (`tcl.conv2d`'s default initializer), gamma 1, beta 0,
 * moving mean 0, moving variance 1.
 *
 * ```ts
 * const net = createTrainableNetwork(variantSpec('resfcn128-light'), { seed: 7 });
 * const y = net.apply(tf.zeros([1, 128, 128, 3]), false);
 * ```
 */
export function createTrainableNetwork(spec: NetworkSpec, options: TrainableNetworkOptions = {}): TrainableNetwork {
  const o = withDefaults(TRAINABLE_NETWORK_DEFAULTS, options);
  const rng = createTrainRandom(o.seed);
  const specs = networkVariables(spec);
  // tfjs variable names are global: a per-instance prefix lets tests build several nets.
  const prefix = `prnet${instanceCounter++}:`;
  const variables = new Map<string, tf.Variable>();
  for (const v of specs) {
    variables.set(v.name, tf.tidy(() => tf.variable(tf.tensor(initialValue(v, rng), v.shape, 'float32'), isTrainable(v), prefix + v.name)));
  }
  const trainableNames = specs.filter(isTrainable).map((v) => v.name);
  const eps = spec.batchNormEpsilon;
  const get = (name: string): tf.Variable => {
    const v = variables.get(name);
    if (!v) throw new Error(`network variable ${name} is missing`);
    return v;
  };

  /** Batch norm of `x`, followed by ReLU when `relu` (fused with it in training). */
  function batchNorm(x: tf.Tensor4D, scope: string, training: boolean, relu: boolean, stats?: BatchStatistics[]): tf.Tensor4D {
    const gamma = get(`${scope}/gamma`) as tf.Tensor1D;
    const beta = get(`${scope}/beta`) as tf.Tensor1D;
    if (!training) {
      const y = tf.batchNorm4d(x, get(`${scope}/moving_mean`) as tf.Tensor1D, get(`${scope}/moving_variance`) as tf.Tensor1D, beta, gamma, eps);
      return relu ? tf.relu(y) : y;
    }
    // The fused kernel where the backend has it (one tape node, 5 passes); otherwise
    // the same maths as tfjs primitives, which tfjs differentiates op by op.
    const r = hasBatchNormTrainKernel()
      ? batchNormTrain(x, gamma, beta, eps, relu)
      : batchNormTrainReference(x, gamma, beta, eps, relu);
    if (stats) {
      stats.push({ scope, mean: tf.keep(r.mean), variance: tf.keep(r.variance), count: x.shape[0] * x.shape[1] * x.shape[2] });
    }
    return r.y;
  }

  function activate(x: tf.Tensor4D, a: ConvLayer['activation']): tf.Tensor4D {
    if (a === 'relu') return tf.relu(x);
    if (a === 'sigmoid') return tf.sigmoid(x);
    return x;
  }

  function convLike(x: tf.Tensor4D, l: ConvLayer | ConvTransposeLayer, training: boolean, stats?: BatchStatistics[]): tf.Tensor4D {
    const w = get(`${l.scope}/weights`) as tf.Tensor4D;
    let y: tf.Tensor4D;
    if (l.kind === 'conv') {
      // tfjs 'same' pads exactly like TF SAME (extra row/column after, for even kernels).
      y = tf.conv2d(x, w, l.stride, 'same');
    } else {
      const [n, h, wd] = x.shape;
      y = tf.conv2dTranspose(x, w, [n, h * l.stride, wd * l.stride, l.outChannels], l.stride, 'same');
    }
    if (l.batchNorm && l.activation === 'relu') return batchNorm(y, `${l.scope}/BatchNorm`, training, true, stats);
    if (l.batchNorm) y = batchNorm(y, `${l.scope}/BatchNorm`, training, false, stats);
    return activate(y, l.activation);
  }

  function apply(input: tf.Tensor4D, training: boolean, stats?: BatchStatistics[]): tf.Tensor4D {
    return tf.tidy(() => {
      let x = input;
      for (const l of spec.layers) {
        if (l.kind === 'resBlock') {
          const shortcut = l.shortcutConv ? convLike(x, l.shortcutConv, training, stats) : x;
          let b = x;
          for (const c of l.branch) b = convLike(b, c, training, stats);
          x = batchNorm(tf.add(b, shortcut), `${l.scope}/BatchNorm`, training, true, stats);
        } else {
          x = convLike(x, l, training, stats);
        }
      }
      return x;
    });
  }

  function updateMovingStatistics(stats: BatchStatistics[], decay = BATCH_NORM_DECAY): void {
    tf.tidy(() => {
      for (const s of stats) {
        const mm = get(`${s.scope}/moving_mean`);
        const mv = get(`${s.scope}/moving_variance`);
        // TF's fused batch norm feeds the moving variance Bessel-corrected batch variance.
        const unbiased = s.count > 1 ? tf.mul(s.variance, s.count / (s.count - 1)) : s.variance;
        mm.assign(tf.add(tf.mul(mm, decay), tf.mul(s.mean, 1 - decay)));
        mv.assign(tf.add(tf.mul(mv, decay), tf.mul(unbiased, 1 - decay)));
      }
    });
    for (const s of stats) tf.dispose([s.mean, s.variance]);
    stats.length = 0;
  }

  function exportWeights(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of variables) out.set(name, Float32Array.from(v.dataSync() as Float32Array));
    return out;
  }

  function loadWeights(weights: ReadonlyMap<string, Float32Array>): void {
    for (const [name, v] of variables) {
      const w = weights.get(name);
      if (!w) throw new Error(`weights lack variable ${name}`);
      if (w.length !== v.size) throw new Error(`variable ${name}: ${w.length} values, expected ${v.size} (shape ${v.shape.join('×')})`);
      tf.tidy(() => v.assign(tf.tensor(w, v.shape, 'float32')));
    }
  }

  return {
    spec, variables, trainableNames, apply, updateMovingStatistics, exportWeights, loadWeights,
    dispose: () => { for (const v of variables.values()) v.dispose(); },
  };
}

function isTrainable(v: VariableSpec): boolean {
  return v.role === 'weights' || v.role === 'gamma' || v.role === 'beta';
}

function initialValue(v: VariableSpec, rng: () => number): Float32Array {
  const size = v.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (v.role === 'gamma' || v.role === 'moving_variance') out.fill(1);
  else if (v.role === 'weights') {
    // Glorot uniform, fans as TF computes them from the 4-D shape [kh, kw, a, b].
    const [kh, kw, a, b] = v.shape as [number, number, number, number];
    const limit = Math.sqrt(6 / (kh * kw * (a + b)));
    for (let i = 0; i < size; i++) out[i] = (2 * rng() - 1) * limit;
  }
  return out;
}
