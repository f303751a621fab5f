/**
 * PRNet's weighted position-map loss. The official training code was not released;
 * the paper defines Loss = Σ_(x,y) ‖P(x,y) − P̃(x,y)‖ · W(x,y) with squared distances in
 * common re-implementations. We use the mean over batch and pixels of
 * `W(x,y) · Σ_c (pred − target)²`, plus optional L2 weight decay
 * `λ · Σ w² / 2` over the conv weights (the official arg scope's `l2_regularizer(0.0002)`).
 *
 * Not in the paper: an optional expression loss, the weighted squared error of the
 * differences between neighbouring map pixels (`neighbourDifferenceLoss`) in the lips and
 * eyes. The head's pose and position cancel out of such differences, so it rewards how far
 * the mouth and eyes are open, which the paper's loss leaves to a few hundred pixels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { POSITION_MAP_SIZE } from '../../model/resfcn.js';

/**
 * Weighted squared error of sigmoid outputs against targets (both NHWC `[n, S, S, 3]`,
 * position map / 281.6); `weights` is the S×S mask broadcast over batch and channels.
 *
 * ```ts
 * const w = weightMaskTensor(resampleWeightMask(assets.weightMask, 128));
 * const loss = weightedPositionLoss(net.apply(x, true), y, w);
 * ```
 */
export function weightedPositionLoss(prediction: tf.Tensor4D, target: tf.Tensor4D, weights: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const [n, h, w] = prediction.shape;
    const sq = tf.square(tf.sub(prediction, target));
    return tf.div(tf.sum(tf.mul(sq, weights)), n * h * w) as tf.Scalar;
  });
}

/**
 * Pair weights of the expression loss over the box of the map where they are not 0
 * (rows `y … y + h − 1`, columns `x … x + w − 1`), repeated over the 3 channels so that they
 * broadcast over the batch only (tfjs's fast path).
 */
export interface NeighbourWeights {
  /** The box's top row and left column. */
  y: number;
  x: number;
  /** `[h − 1, w, 3]`: the pair of pixels (y, x) and (y + 1, x), box coordinates. */
  vertical: tf.Tensor3D;
  /** `[h, w − 1, 3]`: the pair of (y, x) and (y, x + 1). */
  horizontal: tf.Tensor3D;
}

/**
 * The weighted squared error of the differences between each map pixel and its lower and
 * right neighbours, prediction against target (NHWC `[n, S, S, 3]`), inside the weights'
 * box, over `n·S·S` as {@link weightedPositionLoss}.
 *
 * ```ts
 * const t = positionLossTensors({ pixels: mask, neighbours: region }); // region: 20000 in the lips, 0 elsewhere
 * const extra = neighbourDifferenceLoss(pred, target, t.neighbours!);
 * ```
 */
export function neighbourDifferenceLoss(prediction: tf.Tensor4D, target: tf.Tensor4D, weights: NeighbourWeights): tf.Scalar {
  return tf.tidy(() => {
    const [n, S, S2, c] = prediction.shape;
    const h = weights.horizontal.shape[0], w = weights.vertical.shape[1];
    const box = (m: tf.Tensor4D) => tf.slice(m, [0, weights.y, weights.x, 0], [n, h, w, c]);
    // (p − t) differenced is the difference of p minus that of t.
    const d = tf.sub(box(prediction), box(target));
    const dv = tf.sub(tf.slice(d, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(d, [0, 0, 0, 0], [n, h - 1, w, c]));
    const du = tf.sub(tf.slice(d, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(d, [0, 0, 0, 0], [n, h, w - 1, c]));
    const total = tf.add(tf.sum(tf.mul(tf.square(dv), weights.vertical)), tf.sum(tf.mul(tf.square(du), weights.horizontal)));
    return tf.div(total, n * S * S2) as tf.Scalar;
  });
}

/** The loss's weights: the paper's per-pixel mask, and optionally the expression loss's. */
export interface PositionLossWeights {
  /** S×S weights of each pixel's squared error (the paper's mask, as `weightMaskTensor` takes it). */
  pixels: Float32Array;
  /**
   * S×S weights of the expression loss ({@link neighbourDifferenceLoss}): a pair of
   * neighbouring pixels is weighted by the smaller of its two values; absent or all 0: off.
   */
  neighbours?: Float32Array;
}

/** {@link PositionLossWeights} as tensors, made once per run ({@link positionLossTensors}). */
export interface PositionLossTensors {
  /** `[S, S, 3]` per-pixel weights. */
  pixels: tf.Tensor3D;
  /** The expression loss's pair weights, when it is on. */
  neighbours?: NeighbourWeights;
}

/**
 * The tensors of a run's loss weights (a bare mask: the paper's loss alone). Dispose them
 * with {@link disposePositionLossTensors}.
 */
export function positionLossTensors(weights: Float32Array | PositionLossWeights): PositionLossTensors {
  const { pixels, neighbours } = weights instanceof Float32Array ? { pixels: weights, neighbours: undefined } : weights;
  const s = Math.round(Math.sqrt(pixels.length));
  if (neighbours && neighbours.length !== pixels.length) throw new Error(`expression loss weights: ${neighbours.length} values, expected ${s}×${s}`);
  const out: PositionLossTensors = { pixels: weightMaskTensor(pixels) };
  if (!neighbours) return out;
  // The box of the pixels with weight: the loss needs nothing outside it.
  let y0 = s, y1 = -1, x0 = s, x1 = -1;
  for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
    if (neighbours[y * s + x] === 0) continue;
    y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, x); x1 = Math.max(x1, x);
  }
  if (y1 < 0) return out;
  // One pixel more on each side (within the map), so that a box of one pixel still has pairs.
  y0 = Math.max(0, y0 - 1); x0 = Math.max(0, x0 - 1); y1 = Math.min(s - 1, y1 + 1); x1 = Math.min(s - 1, x1 + 1);
  const h = y1 - y0 + 1, w = x1 - x0 + 1;
  const g = (y: number, x: number) => neighbours[(y0 + y) * s + x0 + x]!;
  const v = new Float32Array((h - 1) * w * 3), hz = new Float32Array(h * (w - 1) * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (y + 1 < h) v.fill(Math.min(g(y, x), g(y + 1, x)), (y * w + x) * 3, (y * w + x) * 3 + 3);
    if (x + 1 < w) hz.fill(Math.min(g(y, x), g(y, x + 1)), (y * (w - 1) + x) * 3, (y * (w - 1) + x) * 3 + 3);
  }
  out.neighbours = { y: y0, x: x0, vertical: tf.tensor3d(v, [h - 1, w, 3]), horizontal: tf.tensor3d(hz, [h, w - 1, 3]) };
  return out;
}

/** Frees {@link positionLossTensors}' tensors. */
export function disposePositionLossTensors(t: PositionLossTensors): void {
  tf.dispose([t.pixels, ...(t.neighbours ? [t.neighbours.vertical, t.neighbours.horizontal] : [])]);
}

/**
 * The training loss: {@link weightedPositionLoss}, plus {@link neighbourDifferenceLoss}
 * when the expression loss is on. A bare `[S, S, 3]` mask is the paper's loss alone.
 */
export function positionLoss(prediction: tf.Tensor4D, target: tf.Tensor4D, weights: tf.Tensor3D | PositionLossTensors): tf.Scalar {
  if (weights instanceof tf.Tensor) return weightedPositionLoss(prediction, target, weights);
  if (!weights.neighbours) return weightedPositionLoss(prediction, target, weights.pixels);
  const { pixels, neighbours } = weights;
  return tf.tidy(() => tf.add(weightedPositionLoss(prediction, target, pixels), neighbourDifferenceLoss(prediction, target, neighbours)) as tf.Scalar);
}

/**
 * `λ · Σ w² / 2` over the given conv weights (TF `l2_regularizer` summed over layers).
 * Training folds its gradient `λ·w` into Adam instead; this is the reference the tests
 * check that against.
 */
export function l2WeightDecay(weights: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    for (const w of weights) total = tf.add(total, tf.sum(tf.square(w)));
    return tf.mul(total, lambda / 2) as tf.Scalar;
  });
}

/** The S×S mask as an `[S, S, 3]` tensor (repeated over channels so it broadcasts cheaply). */
export function weightMaskTensor(mask: Float32Array): tf.Tensor3D {
  const s = Math.round(Math.sqrt(mask.length));
  if (s * s !== mask.length) throw new Error(`weight mask must be square, got ${mask.length} values`);
  const rgb = new Float32Array(mask.length * 3);
  for (let i = 0; i < mask.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = mask[i]!;
  return tf.tensor3d(rgb, [s, s, 3]);
}

/**
 * Area-resamples the 256×256 UV weight mask to `size`×`size` (a divisor of 256):
 * each output pixel is the mean of the block it covers, so a 128 map keeps the
 * total weight per face region (nearest sampling would drop half the thin 16-weight
 * landmark pixels).
 */
export function resampleWeightMask(mask: Float32Array, size: number, from = POSITION_MAP_SIZE): Float32Array {
  if (mask.length !== from * from) throw new Error(`weight mask must have ${from}×${from} values, got ${mask.length}`);
  if (from % size !== 0) throw new Error(`weight mask size ${size} must divide ${from}`);
  const f = from / size;
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let s = 0;
    for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += mask[(y * f + dy) * from + x * f + dx]!;
    out[y * size + x] = s / (f * f);
  }
  return out;
}
