/**
 * Builds the ONNX graph of a ResFCN from its layer description and TF-layout
 * weights. Batch norm is folded into the convolutions; transposed convolutions are
 * lowered to the fastest equivalent plain convolutions. Every lowering here is
 * verified against a naive float64 implementation of TF's semantics in the tests.
 */
import type { ConvLayer, ConvTransposeLayer, NetworkSpec, ResBlockLayer } from './resfcn.js';
import { POSITION_MAP_SIZE, samePadding } from './resfcn.js';
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAME } from './session.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx/onnxModel.js';
import { attr } from './onnx/onnxModel.js';
import { toFloat16Bits } from './float16.js';
import { withDefaults } from '../io/withDefaults.js';

/** Weights keyed by full TF variable name, in TF layout (see `networkVariables`). */
export type NetworkWeights = ReadonlyMap<string, Float32Array>;

/** How a transposed convolution becomes ONNX. */
export type TransposedConvLowering = 'subpixel' | 'convTranspose';

export interface BuildResfcnGraphOptions {
  /** Store weights as float16 (computation stays float32 through a Cast). */
  fp16?: boolean;
  /**
   * `subpixel` (default): a stride-1 transposed conv becomes one Conv with the kernel
   * flipped; a stride-s one becomes s² small Convs (one per output phase) and a
   * DepthToSpace — the same arithmetic, several times faster in ONNX Runtime than
   * its ConvTranspose. `convTranspose`: ONNX ConvTranspose as is (for comparison).
   */
  transposedConv?: TransposedConvLowering;
  /** Name of the batch dimension (symbolic). */
  batchDim?: string;
}

export const BUILD_RESFCN_GRAPH_DEFAULTS: Required<BuildResfcnGraphOptions> = { fp16: false, transposedConv: 'subpixel', batchDim: 'batch' };

/** Per-channel affine form of a batch norm: `y = scale · x + shift`, in float64. */
export interface ChannelAffine { scale: Float64Array; shift: Float64Array }

function variable(weights: NetworkWeights, name: string, length: number): Float32Array {
  const v = weights.get(name);
  if (!v) throw new Error(`missing variable ${name}`);
  if (v.length !== length) throw new Error(`variable ${name} has ${v.length} values, expected ${length}`);
  return v;
}

/**
 * TF inference batch norm as a per-channel affine map:
 * `gamma · (x − mean) / sqrt(var + eps) + beta`.
 */
export function batchNormAffine(weights: NetworkWeights, scope: string, channels: number, eps: number): ChannelAffine {
  const gamma = variable(weights, `${scope}/gamma`, channels);
  const beta = variable(weights, `${scope}/beta`, channels);
  const mean = variable(weights, `${scope}/moving_mean`, channels);
  const variance = variable(weights, `${scope}/moving_variance`, channels);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c]! / Math.sqrt(variance[c]! + eps);
    shift[c] = beta[c]! - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/** A plain ONNX Conv: weights `[out, in, kh, kw]`, bias, pads `[top, left, bottom, right]`. */
interface ConvPlan { weights: Float32Array; dims: [number, number, number, number]; bias?: Float32Array; pads: number[]; stride: number }

/** TF conv `[kh, kw, in, out]` → ONNX `[out, in, kh, kw]`, each output channel scaled. */
function convPlan(l: ConvLayer, weights: NetworkWeights, side: number, affine?: ChannelAffine, withBias = true): ConvPlan {
  const { kernel: k, inChannels: ci, outChannels: co } = l;
  const w = variable(weights, `${l.scope}/weights`, k * k * ci * co);
  const out = new Float32Array(co * ci * k * k);
  for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    const s = affine ? affine.scale[o]! : 1;
    out[((o * ci + i) * k + kh) * k + kw] = w[((kh * k + kw) * ci + i) * co + o]! * s;
  }
  const [pt, pb] = samePadding(side, k, l.stride);
  const plan: ConvPlan = { weights: out, dims: [co, ci, k, k], pads: [pt, pt, pb, pb], stride: l.stride };
  if (affine && withBias) plan.bias = Float32Array.from(affine.shift);
  return plan;
}

/**
 * One output phase of a transposed conv as a plain conv. With TF's definition
 * `y[s·i + k − p] += x[i]·w[k]`, output row `j = s·m + r` reads input rows `m + d` with
 * `d = (r + p − k) / s` for the taps `k ≡ r + p (mod s)`; sorting the taps by `d`
 * gives an ordinary correlation kernel with pads `(−min d, max d)`.
 */
function phaseTaps(kernel: number, stride: number, pad: number, phase: number): { taps: number[]; before: number; after: number } | undefined {
  const items: Array<{ k: number; d: number }> = [];
  for (let k = 0; k < kernel; k++) {
    const num = phase + pad - k;
    if (((num % stride) + stride) % stride === 0) items.push({ k, d: num / stride });
  }
  items.sort((a, b) => a.d - b.d);
  const dMin = items[0]!.d;
  const dMax = items[items.length - 1]!.d;
  // Taps must be contiguous in d and the window must cover m itself for positive pads.
  for (let i = 1; i < items.length; i++) if (items[i]!.d !== items[i - 1]!.d + 1) return undefined;
  if (dMin > 0 || dMax < 0) return undefined;
  return { taps: items.map((t) => t.k), before: -dMin, after: dMax };
}

function transposedPhasePlans(l: ConvTransposeLayer, weights: NetworkWeights, outSide: number, affine: ChannelAffine): ConvPlan[] | undefined {
  const { kernel: k, stride: s, inChannels: ci, outChannels: co } = l;
  const w = variable(weights, `${l.scope}/weights`, k * k * co * ci); // TF [kh, kw, out, in]
  const [pad] = samePadding(outSide, k, s);
  const plans: ConvPlan[] = [];
  for (let ry = 0; ry < s; ry++) for (let rx = 0; rx < s; rx++) {
    const py = phaseTaps(k, s, pad, ry);
    const px = phaseTaps(k, s, pad, rx);
    if (!py || !px) return undefined;
    const ly = py.taps.length;
    const lx = px.taps.length;
    const out = new Float32Array(co * ci * ly * lx);
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let a = 0; a < ly; a++) for (let b = 0; b < lx; b++) {
      out[((o * ci + i) * ly + a) * lx + b] = w[((py.taps[a]! * k + px.taps[b]!) * co + o) * ci + i]! * affine.scale[o]!;
    }
    plans.push({ weights: out, dims: [co, ci, ly, lx], bias: Float32Array.from(affine.shift), pads: [py.before, px.before, py.after, px.after], stride: 1 });
  }
  return plans;
}

/** Incrementally assembles nodes and initializers with unique names. */
class GraphBuilder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private count = 0;
  constructor(private fp16: boolean) {}

  name(base: string): string {
    return `${base}_${this.count++}`;
  }

  /** A float constant; with fp16 it is stored as half and cast back to float32. */
  constant(base: string, data: Float32Array, dims: number[]): string {
    const name = this.name(base);
    if (!this.fp16) {
      this.initializers.push({ name, dataType: 'float32', dims, data });
      return name;
    }
    this.initializers.push({ name: `${name}_fp16`, dataType: 'float16', dims, data: toFloat16Bits(data) });
    this.nodes.push({ opType: 'Cast', inputs: [`${name}_fp16`], outputs: [name], attributes: [attr.int('to', 1)] });
    return name;
  }

  node(opType: string, inputs: string[], attributes: OnnxNode['attributes'] = [], base = opType): string {
    const out = this.name(base);
    this.nodes.push({ opType, inputs, outputs: [out], name: out, attributes });
    return out;
  }

  conv(x: string, plan: ConvPlan, scope: string): string {
    const inputs = [x, this.constant(`${scope}/W`, plan.weights, plan.dims)];
    if (plan.bias) inputs.push(this.constant(`${scope}/B`, plan.bias, [plan.dims[0]]));
    return this.node('Conv', inputs, [
      attr.ints('kernel_shape', [plan.dims[2], plan.dims[3]]),
      attr.ints('strides', [plan.stride, plan.stride]),
      attr.ints('pads', plan.pads),
    ], scope);
  }

  activation(x: string, a: 'relu' | 'sigmoid' | 'none'): string {
    if (a === 'relu') return this.node('Relu', [x]);
    if (a === 'sigmoid') return this.node('Sigmoid', [x]);
    return x;
  }
}

function convLayer(g: GraphBuilder, x: string, l: ConvLayer, weights: NetworkWeights, side: number, eps: number): string {
  const affine = l.batchNorm ? batchNormAffine(weights, `${l.scope}/BatchNorm`, l.outChannels, eps) : undefined;
  return g.activation(g.conv(x, convPlan(l, weights, side, affine), l.scope), l.activation);
}

/**
 * The batch norm after the residual add acts on a sum, so its scale distributes over
 * both branches: it folds into the last branch conv (with the shift as bias) and into
 * the shortcut conv, or becomes a per-channel Mul on an identity shortcut.
 */
function resBlock(g: GraphBuilder, x: string, l: ResBlockLayer, weights: NetworkWeights, side: number, eps: number): string {
  const [c1, c2, c3] = l.branch;
  let h = convLayer(g, x, c1, weights, side, eps);
  h = convLayer(g, h, c2, weights, side, eps);
  const midSide = Math.ceil(side / c2.stride);
  const post = batchNormAffine(weights, `${l.scope}/BatchNorm`, l.outChannels, eps);
  h = g.conv(h, convPlan(c3, weights, midSide, post), c3.scope);
  let shortcut: string;
  if (l.shortcutConv) {
    shortcut = g.conv(x, convPlan(l.shortcutConv, weights, side, post, false), l.shortcutConv.scope);
  } else {
    const scale = g.constant(`${l.scope}/shortcut_scale`, Float32Array.from(post.scale), [1, l.outChannels, 1, 1]);
    shortcut = g.node('Mul', [x, scale]);
  }
  return g.node('Relu', [g.node('Add', [h, shortcut])]);
}

function transposedConvLayer(g: GraphBuilder, x: string, l: ConvTransposeLayer, weights: NetworkWeights, side: number, eps: number, lowering: TransposedConvLowering): string {
  const outSide = side * l.stride;
  const affine = l.batchNorm
    ? batchNormAffine(weights, `${l.scope}/BatchNorm`, l.outChannels, eps)
    : { scale: new Float64Array(l.outChannels).fill(1), shift: new Float64Array(l.outChannels) };
  const plans = lowering === 'subpixel' ? transposedPhasePlans(l, weights, outSide, affine) : undefined;
  if (plans) {
    // The activation is elementwise, so it commutes with Concat and DepthToSpace: apply
    // it per phase, where ONNX Runtime fuses it into the Conv.
    const phases = plans.map((p) => g.activation(g.conv(x, p, l.scope), l.activation));
    if (phases.length === 1) return phases[0]!;
    // Phases in (row phase, column phase) order = DepthToSpace DCR channel order.
    const stacked = g.node('Concat', phases, [attr.int('axis', 1)]);
    return g.node('DepthToSpace', [stacked], [attr.int('blocksize', l.stride), attr.string('mode', 'DCR')]);
  }
  const { kernel: k, inChannels: ci, outChannels: co } = l;
  const w = variable(weights, `${l.scope}/weights`, k * k * co * ci);
  const onnxW = new Float32Array(ci * co * k * k); // ONNX ConvTranspose: [in, out, kh, kw]
  for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) {
    onnxW[((i * co + o) * k + kh) * k + kw] = w[((kh * k + kw) * co + o) * ci + i]! * affine.scale[o]!;
  }
  const [pb, pa] = samePadding(outSide, k, l.stride);
  const y = g.node('ConvTranspose', [
    x,
    g.constant(`${l.scope}/W`, onnxW, [ci, co, k, k]),
    g.constant(`${l.scope}/B`, Float32Array.from(affine.shift), [co]),
  ], [attr.ints('kernel_shape', [k, k]), attr.ints('strides', [l.stride, l.stride]), attr.ints('pads', [pb, pb, pa, pa])], l.scope);
  return g.activation(y, l.activation);
}

/**
 * Builds the ONNX graph of `spec` with `weights`: input `image` NHWC `[n, S, S, 3]`
 * in [0, 1], output `position_map` NHWC `[n, 256, 256, 3]` in 256-crop pixels.
 *
 * ```ts
 * const graph = buildResfcnGraph(resfcnSpec(), weights, { fp16: true });
 * const bytes = encodeOnnxModel({ graph, opsetVersion: 17, irVersion: 8, … });
 * ```
 */
export function buildResfcnGraph(spec: NetworkSpec, weights: NetworkWeights, options: BuildResfcnGraphOptions = {}): OnnxGraph {
  const o = withDefaults(BUILD_RESFCN_GRAPH_DEFAULTS, options);
  const g = new GraphBuilder(o.fp16);
  const eps = spec.batchNormEpsilon;
  let x = g.node('Transpose', [MODEL_INPUT_NAME], [attr.ints('perm', [0, 3, 1, 2])], 'to_nchw');
  let side = spec.inputSize;
  for (const l of spec.layers) {
    if (l.kind === 'conv') {
      x = convLayer(g, x, l, weights, side, eps);
      side = Math.ceil(side / l.stride);
    } else if (l.kind === 'resBlock') {
      x = resBlock(g, x, l, weights, side, eps);
      side = Math.ceil(side / l.stride);
    } else {
      x = transposedConvLayer(g, x, l, weights, side, eps, o.transposedConv);
      side *= l.stride;
    }
  }
  // Scale constants are not weights: keep them float32 even in fp16 files.
  const scale = `${spec.rootScope}/output_scale`;
  g.initializers.push({ name: scale, dataType: 'float32', dims: [], data: new Float32Array([spec.outputScale]) });
  x = g.node('Mul', [x, scale]);
  if (side !== POSITION_MAP_SIZE) {
    const scales = `${spec.rootScope}/resize_scales`;
    const f = POSITION_MAP_SIZE / side;
    g.initializers.push({ name: scales, dataType: 'float32', dims: [4], data: new Float32Array([1, 1, f, f]) });
    x = g.node('Resize', [x, '', scales], [attr.string('mode', 'linear'), attr.string('coordinate_transformation_mode', 'half_pixel')]);
  }
  g.nodes.push({ opType: 'Transpose', inputs: [x], outputs: [MODEL_OUTPUT_NAME], name: 'to_nhwc', attributes: [attr.ints('perm', [0, 2, 3, 1])] });
  return {
    name: spec.variant,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: MODEL_INPUT_NAME, dataType: 'float32', shape: [o.batchDim, spec.inputSize, spec.inputSize, 3] }],
    outputs: [{ name: MODEL_OUTPUT_NAME, dataType: 'float32', shape: [o.batchDim, POSITION_MAP_SIZE, POSITION_MAP_SIZE, 3] }],
  };
}
