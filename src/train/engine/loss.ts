/**
 * PRNet's weighted position-map loss. The official training code was not released;
 * the paper defines Loss = Σ_(x,y) ‖P(x,y) − P̃(x,y)‖ · W(x,y) with squared distances in
 * common re-implementations. We use the mean over batch and pixels of
 * `W(x,y) · Σ_c (pred − target)²`, plus optional L2 weight decay
 * `λ · Σ w² / 2` over the conv weights (the official arg scope's `l2_regularizer(0.0002)`).
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
