/**
 * A deliberately naive float64 implementation of ResFCN with TensorFlow's semantics:
 * NHWC, TF weight layouts, SAME padding computed from TF's formula, transposed
 * convolution as the literal scatter (adjoint of the strided conv), batch norm applied
 * as written (no folding). It shares nothing with the ONNX builder but the layer list,
 * so the tests use it as the reference the ONNX graph and the training engine must match;
 * `calibratedWeights` (demo models) runs it to set batch-norm statistics.
 */
import type { ConvLayer, ConvTransposeLayer, NetworkSpec } from './resfcn.js';

export interface Tensor3 { h: number; w: number; c: number; data: Float64Array }

/** TF SAME padding, written out independently of src/model. */
function tfPadBefore(inSide: number, kernel: number, stride: number): number {
  const out = Math.ceil(inSide / stride);
  const total = Math.max((out - 1) * stride + kernel - inSide, 0);
  return Math.floor(total / 2);
}

function get(weights: ReadonlyMap<string, Float32Array>, name: string): Float32Array {
  const v = weights.get(name);
  if (!v) throw new Error(`reference: missing ${name}`);
  return v;
}

/** tf.nn.conv2d(x, w [k,k,ci,co], stride, 'SAME'). */
export function naiveConv2d(x: Tensor3, w: Float32Array, k: number, co: number, stride: number): Tensor3 {
  const ho = Math.ceil(x.h / stride);
  const wo = Math.ceil(x.w / stride);
  const pt = tfPadBefore(x.h, k, stride);
  const pl = tfPadBefore(x.w, k, stride);
  const out = new Float64Array(ho * wo * co);
  const ci = x.c;
  for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    const o = (oy * wo + ox) * co;
    for (let kh = 0; kh < k; kh++) {
      const iy = oy * stride + kh - pt;
      if (iy < 0 || iy >= x.h) continue;
      for (let kw = 0; kw < k; kw++) {
        const ix = ox * stride + kw - pl;
        if (ix < 0 || ix >= x.w) continue;
        for (let c = 0; c < ci; c++) {
          const v = x.data[(iy * x.w + ix) * ci + c]!;
          const wb = ((kh * k + kw) * ci + c) * co;
          for (let q = 0; q < co; q++) out[o + q] += v * w[wb + q]!;
        }
      }
    }
  }
  return { h: ho, w: wo, c: co, data: out };
}

/** tf.nn.conv2d_transpose(x, w [k,k,co,ci], output [h·s, w·s, co], stride, 'SAME'): the adjoint of the strided SAME conv. */
export function naiveConv2dTranspose(x: Tensor3, w: Float32Array, k: number, co: number, stride: number): Tensor3 {
  const ho = x.h * stride;
  const wo = x.w * stride;
  const pt = tfPadBefore(ho, k, stride);
  const pl = tfPadBefore(wo, k, stride);
  const out = new Float64Array(ho * wo * co);
  const ci = x.c;
  for (let iy = 0; iy < x.h; iy++) for (let ix = 0; ix < x.w; ix++) {
    for (let kh = 0; kh < k; kh++) {
      const oy = iy * stride + kh - pt;
      if (oy < 0 || oy >= ho) continue;
      for (let kw = 0; kw < k; kw++) {
        const ox = ix * stride + kw - pl;
        if (ox < 0 || ox >= wo) continue;
        const o = (oy * wo + ox) * co;
        for (let c = 0; c < ci; c++) {
          const v = x.data[(iy * x.w + ix) * ci + c]!;
          for (let q = 0; q < co; q++) out[o + q] += v * w[((kh * k + kw) * co + q) * ci + c]!;
        }
      }
    }
  }
  return { h: ho, w: wo, c: co, data: out };
}

/** Per-channel mean and (biased) variance, as a batch of one would give. */
function channelStats(t: Tensor3): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(t.c);
  const variance = new Float64Array(t.c);
  const n = t.h * t.w;
  for (let i = 0; i < n; i++) for (let c = 0; c < t.c; c++) mean[c] += t.data[i * t.c + c]!;
  for (let c = 0; c < t.c; c++) mean[c] /= n;
  for (let i = 0; i < n; i++) for (let c = 0; c < t.c; c++) variance[c] += (t.data[i * t.c + c]! - mean[c]!) ** 2;
  for (let c = 0; c < t.c; c++) variance[c] /= n;
  return { mean, variance };
}

export interface NaiveOptions {
  /**
   * Before applying each batch norm, overwrite its moving mean and variance with the
   * statistics of this very input, so random weights give unsaturated activations.
   */
  calibrate?: boolean;
}

function batchNorm(t: Tensor3, weights: Map<string, Float32Array>, scope: string, eps: number, calibrate: boolean): void {
  if (calibrate) {
    const { mean, variance } = channelStats(t);
    weights.set(`${scope}/moving_mean`, Float32Array.from(mean));
    // A variance floor caps the gain of near-constant channels (deep layers see few
    // pixels), which would otherwise amplify float32 rounding without bound.
    weights.set(`${scope}/moving_variance`, Float32Array.from(variance, (v) => Math.max(v, 0.05)));
  }
  const gamma = get(weights, `${scope}/gamma`);
  const beta = get(weights, `${scope}/beta`);
  const mean = get(weights, `${scope}/moving_mean`);
  const variance = get(weights, `${scope}/moving_variance`);
  for (let i = 0; i < t.data.length; i++) {
    const c = i % t.c;
    t.data[i] = gamma[c]! * (t.data[i]! - mean[c]!) / Math.sqrt(variance[c]! + eps) + beta[c]!;
  }
}

function activate(t: Tensor3, a: string): void {
  if (a === 'relu') for (let i = 0; i < t.data.length; i++) t.data[i] = Math.max(0, t.data[i]!);
  else if (a === 'sigmoid') for (let i = 0; i < t.data.length; i++) t.data[i] = 1 / (1 + Math.exp(-t.data[i]!));
}

function convLike(x: Tensor3, l: ConvLayer | ConvTransposeLayer, weights: Map<string, Float32Array>, eps: number, calibrate: boolean): Tensor3 {
  const w = get(weights, `${l.scope}/weights`);
  const y = l.kind === 'conv'
    ? naiveConv2d(x, w, l.kernel, l.outChannels, l.stride)
    : naiveConv2dTranspose(x, w, l.kernel, l.outChannels, l.stride);
  if (l.batchNorm) batchNorm(y, weights, `${l.scope}/BatchNorm`, eps, calibrate);
  activate(y, l.activation);
  return y;
}

/** Bilinear resize with ONNX `half_pixel` coordinates (edge-clamped), for light variants. */
function resizeBilinear(t: Tensor3, side: number): Tensor3 {
  const out = new Float64Array(side * side * t.c);
  const f = side / t.h;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const sy = Math.min(Math.max((y + 0.5) / f - 0.5, 0), t.h - 1);
    const sx = Math.min(Math.max((x + 0.5) / f - 0.5, 0), t.w - 1);
    const y0 = Math.floor(sy), x0 = Math.floor(sx);
    const y1 = Math.min(y0 + 1, t.h - 1), x1 = Math.min(x0 + 1, t.w - 1);
    const dy = sy - y0, dx = sx - x0;
    for (let c = 0; c < t.c; c++) {
      const v = (yy: number, xx: number) => t.data[(yy * t.w + xx) * t.c + c]!;
      out[(y * side + x) * t.c + c] = (1 - dy) * ((1 - dx) * v(y0, x0) + dx * v(y0, x1)) + dy * ((1 - dx) * v(y1, x0) + dx * v(y1, x1));
    }
  }
  return { h: side, w: side, c: t.c, data: out };
}

/**
 * Runs one image (HWC, RGB in [0, 1]) through the network in float64 and returns
 * the position map in 256-crop pixels (HWC 256×256×3). With `calibrate`, `weights`
 * is updated in place with the batch-norm statistics of this input.
 */
export function naiveResfcn(spec: NetworkSpec, weights: Map<string, Float32Array>, image: Float32Array, options: NaiveOptions = {}): Float64Array {
  const eps = 0.001; // tf.contrib.layers.batch_norm default
  const calibrate = options.calibrate ?? false;
  let x: Tensor3 = { h: spec.inputSize, w: spec.inputSize, c: 3, data: Float64Array.from(image) };
  for (const l of spec.layers) {
    if (l.kind !== 'resBlock') { x = convLike(x, l, weights, eps, calibrate); continue; }
    let h = x;
    for (const b of l.branch) h = convLike(h, b, weights, eps, calibrate);
    const s = l.shortcutConv ? convLike(x, l.shortcutConv, weights, eps, calibrate) : x;
    const sum: Tensor3 = { ...h, data: h.data.map((v, i) => v + s.data[i]!) };
    batchNorm(sum, weights, `${l.scope}/BatchNorm`, eps, calibrate);
    activate(sum, 'relu');
    x = sum;
  }
  for (let i = 0; i < x.data.length; i++) x.data[i] *= spec.outputScale; // 256·1.1 for every real variant
  if (x.h !== 256) x = resizeBilinear(x, 256);
  return x.data;
}
