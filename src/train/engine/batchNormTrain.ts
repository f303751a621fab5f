/**
 * Training-mode batch norm, optionally followed by ReLU, as one tfjs kernel with a
 * registered gradient kernel — the way TensorFlow itself pairs `FusedBatchNormV3` with
 * `FusedBatchNormGradV3`. Written as tfjs primitives (sum, sub, square, mul, add, relu)
 * the same layer costs about 20 full passes over the activations per step and
 * dominated training time; fused it costs 5. tfjs autodiff still composes the whole
 * network: this kernel is one node of its tape. The tests check value and gradients
 * against tfjs autodiff of the primitive composition ({@link batchNormTrainReference})
 * on random inputs.
 *
 * Runs wherever tfjs-backend-cpu runs (plain JS loops); the Node native addon can
 * supply multi-threaded loops through {@link BatchNormAccelerator}.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { f32 as f32OrNull, type CpuLike } from './fastKernels.js';

/** Kernel name of the fused forward pass: inputs x, gamma, beta → y, mean, variance. */
export const BATCH_NORM_TRAIN = 'PrnetBatchNormTrain';
/** Kernel name of its gradient: inputs dy, x, y, gamma, mean, variance → dx, dgamma, dbeta. */
export const BATCH_NORM_TRAIN_GRAD = 'PrnetBatchNormTrainGrad';

/** Attributes of both kernels. */
export interface BatchNormTrainAttrs {
  /** Added to the variance before the square root. */
  epsilon: number;
  /** Apply ReLU to the output (and mask the gradient by it). */
  relu: boolean;
}

/**
 * Multi-threaded loops for the two kernels (the Node native addon provides them).
 * `stats` and `dparams` are `[2c]` float64: mean then biased variance, dgamma then dbeta.
 */
export interface BatchNormAccelerator {
  batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, stats: Float64Array, epsilon: number, relu: boolean): void;
  batchNormBackward(dy: Float32Array, x: Float32Array, y: Float32Array, gamma: Float32Array, stats: Float64Array,
    dx: Float32Array, dparams: Float64Array, epsilon: number, relu: boolean): void;
}

function f32(backend: CpuLike, t: TensorInfo, what: string): Float32Array {
  const v = f32OrNull(backend, t);
  if (!v) throw new Error(`${BATCH_NORM_TRAIN}: ${what} must be a float32 tensor`);
  return v;
}

/** `[2c]` float64 mean and variance of x `[rows, c]` (shifted one-pass sums). */
function statistics(x: Float32Array, c: number): Float64Array {
  const rows = x.length / c;
  const s1 = new Float64Array(c), s2 = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    const b = r * c;
    for (let j = 0; j < c; j++) { const d = x[b + j]! - x[j]!; s1[j] += d; s2[j] += d * d; }
  }
  const stats = new Float64Array(2 * c);
  for (let j = 0; j < c; j++) {
    const m = s1[j]! / rows;
    stats[j] = x[j]! + m;
    stats[c + j] = Math.max(0, s2[j]! / rows - m * m);
  }
  return stats;
}

function forwardJs(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, stats: Float64Array, eps: number, relu: boolean): void {
  const c = gamma.length;
  stats.set(statistics(x, c));
  // y = (x − mean)·scale + beta: subtracting first keeps large common offsets exact.
  const scale = new Float32Array(c), mean = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    scale[j] = gamma[j]! / Math.sqrt(stats[c + j]! + eps);
    mean[j] = stats[j]!;
  }
  for (let b = 0; b < x.length; b += c) {
    for (let j = 0; j < c; j++) {
      const v = Math.fround(x[b + j]! - mean[j]!) * scale[j]! + beta[j]!;
      y[b + j] = relu && !(v > 0) ? 0 : v;
    }
  }
}

function backwardJs(dy: Float32Array, x: Float32Array, y: Float32Array, gamma: Float32Array, stats: Float64Array,
  dx: Float32Array, dparams: Float64Array, eps: number, relu: boolean): void {
  const c = gamma.length, rows = x.length / c;
  const sg = new Float64Array(c), sgx = new Float64Array(c);
  for (let b = 0; b < x.length; b += c) {
    for (let j = 0; j < c; j++) {
      const g = relu && !(y[b + j]! > 0) ? 0 : dy[b + j]!;
      sg[j] += g;
      sgx[j] += g * (x[b + j]! - stats[j]!);
    }
  }
  const k1 = new Float64Array(c), k2 = new Float64Array(c), k3 = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const invstd = 1 / Math.sqrt(stats[c + j]! + eps);
    const dgamma = sgx[j]! * invstd;
    dparams[j] = dgamma;
    dparams[c + j] = sg[j]!;
    k1[j] = gamma[j]! * invstd;
    k2[j] = k1[j]! * sg[j]! / rows;
    k3[j] = k1[j]! * dgamma * invstd / rows;
  }
  for (let b = 0; b < x.length; b += c) {
    for (let j = 0; j < c; j++) {
      const g = relu && !(y[b + j]! > 0) ? 0 : dy[b + j]!;
      dx[b + j] = k1[j]! * g - k2[j]! - k3[j]! * (x[b + j]! - stats[j]!);
    }
  }
}

/**
 * The forward and gradient kernel configs for `backendName` (a tfjs-backend-cpu
 * instance or one built on it), and the gradient config that ties them together.
 *
 * ```ts
 * const { kernels, gradient } = batchNormTrainConfigs('prnet-cpu', null);
 * kernels.forEach((k) => tf.registerKernel(k));
 * tf.registerGradient(gradient);
 * ```
 */
export function batchNormTrainConfigs(backendName: string, accelerator: BatchNormAccelerator | null): { kernels: KernelConfig[]; gradient: GradConfig } {
  const forward: KernelConfig = {
    kernelName: BATCH_NORM_TRAIN, backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as CpuLike;
      const { x, gamma, beta } = inputs as NamedTensorInfoMap;
      const { epsilon, relu } = attrs as unknown as BatchNormTrainAttrs;
      const xv = f32(be, x!, 'x'), gv = f32(be, gamma!, 'gamma'), bv = f32(be, beta!, 'beta');
      const c = gv.length;
      if (x!.shape[x!.shape.length - 1] !== c || bv.length !== c) throw new Error(`${BATCH_NORM_TRAIN}: x [${x!.shape}] does not match ${c} channels`);
      const y = new Float32Array(xv.length);
      const stats = new Float64Array(2 * c);
      if (accelerator) accelerator.batchNormForward(xv, gv, bv, y, stats, epsilon, relu);
      else forwardJs(xv, gv, bv, y, stats, epsilon, relu);
      return [
        be.makeTensorInfo(x!.shape, 'float32', y),
        be.makeTensorInfo([c], 'float32', Float32Array.from(stats.subarray(0, c))),
        be.makeTensorInfo([c], 'float32', Float32Array.from(stats.subarray(c))),
      ];
    },
  };
  const backward: KernelConfig = {
    kernelName: BATCH_NORM_TRAIN_GRAD, backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as CpuLike;
      const { dy, x, y, gamma, mean, variance } = inputs as NamedTensorInfoMap;
      const { epsilon, relu } = attrs as unknown as BatchNormTrainAttrs;
      const gv = f32(be, gamma!, 'gamma');
      const c = gv.length;
      const stats = new Float64Array(2 * c);
      stats.set(f32(be, mean!, 'mean'));
      stats.set(f32(be, variance!, 'variance'), c);
      const xv = f32(be, x!, 'x');
      const dx = new Float32Array(xv.length);
      const dparams = new Float64Array(2 * c);
      if (accelerator) accelerator.batchNormBackward(f32(be, dy!, 'dy'), xv, f32(be, y!, 'y'), gv, stats, dx, dparams, epsilon, relu);
      else backwardJs(f32(be, dy!, 'dy'), xv, f32(be, y!, 'y'), gv, stats, dx, dparams, epsilon, relu);
      return [
        be.makeTensorInfo(x!.shape, 'float32', dx),
        be.makeTensorInfo([c], 'float32', Float32Array.from(dparams.subarray(0, c))),
        be.makeTensorInfo([c], 'float32', Float32Array.from(dparams.subarray(c))),
      ];
    },
  };
  const gradient: GradConfig = {
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dMean, dVariance] = dys as tf.Tensor[];
      const [x, gamma, y, mean, variance] = saved;
      // The statistics outputs feed only the moving averages, outside the loss.
      if (tf.tidy(() => tf.any(tf.notEqual(tf.concat([dMean!, dVariance!]), 0)).dataSync()[0])) {
        throw new Error(`${BATCH_NORM_TRAIN}: gradients through the batch mean or variance outputs are not supported`);
      }
      // One gradient kernel serves the three inputs; tfjs asks for each in its own
      // tidy, so the results are kept until the third has been handed out.
      let grads: tf.Tensor[] | undefined;
      let handed = 0;
      const take = (i: number) => (): tf.Tensor => {
        grads ??= (tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dy!, x: x!, y: y!, gamma: gamma!, mean: mean!, variance: variance! },
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]).map((t) => tf.keep(t));
        const out = grads[i]!.clone();
        if (++handed === 3) tf.dispose(grads);
        return out;
      };
      return { x: take(0), gamma: take(1), beta: take(2) };
    },
  };
  return { kernels: [forward, backward], gradient };
}

/**
 * Training-mode batch norm (+ ReLU) of `x` `[…, c]` through the fused kernel: returns
 * the output and the batch mean and biased variance (no gradient flows through those).
 * Needs the kernels registered for the active backend ({@link hasBatchNormTrainKernel}).
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, relu: boolean): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon, relu } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** Whether the active tfjs backend has the fused kernel. */
export function hasBatchNormTrainKernel(): boolean {
  return tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend()) !== undefined;
}

/**
 * The same layer written as tfjs primitives, differentiated by tfjs itself: the
 * reference the fused kernel is checked against, and the fallback where it is absent.
 */
export function batchNormTrainReference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, relu: boolean): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  // sum/count rather than tf.mean: Sum's gradient skips Mean's full-size division.
  const mean = tf.div(tf.sum(x, [0, 1, 2]), count) as tf.Tensor1D;
  const centred = tf.sub(x, mean);
  const variance = tf.div(tf.sum(tf.square(centred), [0, 1, 2]), count) as tf.Tensor1D;
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
  const y = tf.add(tf.mul(centred, scale), beta) as tf.Tensor4D;
  return { y: relu ? tf.relu(y) : y, mean, variance };
}
