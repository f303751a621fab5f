/**
 * The declarative layer description of ResFCN256 (PRNet's position-map regression
 * network) and its lighter variants. This list is the single source of truth: the
 * ONNX graph builder, the checkpoint importer, the naive reference and the training
 * model are all generated from it.
 *
 * Layout of the official TensorFlow model (PRNet `predictor.py`):
 * - `Conv`: 4×4 stride-1 conv, BatchNorm, ReLU.
 * - ten `resBlock`s: 1×1 conv (BN+ReLU) → k×k conv with the block's stride (BN+ReLU)
 *   → 1×1 conv (no BN, no bias); plus a 1×1 `shortcut` conv (no BN, no bias) where the
 *   stride or width changes; then add, BatchNorm, ReLU.
 * - seventeen 4×4 `Conv2d_transpose` layers with BatchNorm and ReLU; the last one ends
 *   in a sigmoid instead of ReLU.
 * - the sigmoid output times `outputSize · 1.1` is the position map in crop pixels.
 *
 * No convolution has a bias (`biases_initializer=None` in the official arg scope);
 * every batch norm has scale (gamma) and offset (beta) and epsilon 0.001.
 */

import { withDefaults } from '../io/withDefaults.js';

/** Activation applied after a layer's batch norm. */
export type Activation = 'relu' | 'sigmoid' | 'none';

/** A plain convolution, TF `tcl.conv2d` with `padding='SAME'` and no bias. */
export interface ConvLayer {
  kind: 'conv';
  /** TensorFlow variable scope, e.g. `resfcn256/Conv`; variables are `<scope>/weights` etc. */
  scope: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  /** Whether a BatchNorm (scale and offset) follows the convolution. */
  batchNorm: boolean;
  activation: Activation;
}

/** A transposed convolution, TF `tcl.conv2d_transpose` with `padding='SAME'` and no bias; fields as {@link ConvLayer}'s. */
export interface ConvTransposeLayer extends Omit<ConvLayer, 'kind'> {
  kind: 'convTranspose';
}

/** PRNet's bottleneck residual block. */
export interface ResBlockLayer {
  kind: 'resBlock';
  /** e.g. `resfcn256/resBlock_3`. */
  scope: string;
  inChannels: number;
  outChannels: number;
  /** Kernel of the middle convolution. */
  kernel: number;
  /** Stride of the middle convolution and of the shortcut. */
  stride: number;
  /** The 1×1 `shortcut` conv exists where stride ≠ 1 or the width changes; else identity. */
  shortcut: boolean;
  /** The three convolutions of the main branch, in order (`Conv`, `Conv_1`, `Conv_2`). */
  branch: [ConvLayer, ConvLayer, ConvLayer];
  /** The shortcut conv (`shortcut`), present iff `shortcut` is true. */
  shortcutConv?: ConvLayer;
}

export type Layer = ConvLayer | ConvTransposeLayer | ResBlockLayer;

/** A complete network description. */
export interface NetworkSpec {
  /** Variant name, recorded in ONNX metadata (`resfcn256`, `resfcn128-light`, …). */
  variant: string;
  /** Side of the square RGB input crop in pixels. */
  inputSize: number;
  /** Side of the position map the network itself produces. */
  outputSize: number;
  /** Root variable scope in the TF checkpoint. */
  rootScope: string;
  /** Width of the first conv (16 in the official model); blocks use 2×…32× of it. */
  baseChannels: number;
  layers: Layer[];
  /** Batch-norm epsilon (TF `tcl.batch_norm` default). */
  batchNormEpsilon: number;
  /**
   * The sigmoid output is multiplied by this to give position-map values in pixels
   * of the 256×256 crop frame: 256·1.1 = {@link POSITION_MAP_SCALE} for every variant,
   * so a lighter network with a 128×128 map still speaks the official units (its map is
   * resized to 256×256 in the exported graph).
   */
  outputScale: number;
}

/** Side of the official crop and UV position map. */
export const POSITION_MAP_SIZE = 256;
/** Official position-map range factor: the network predicts `pos / (256·1.1)`. */
export const POSITION_MAP_RANGE = 1.1;
/** `256 · 1.1`: the value a sigmoid output of 1 maps to, in 256-crop pixels. */
export const POSITION_MAP_SCALE = POSITION_MAP_SIZE * POSITION_MAP_RANGE;
/** Batch-norm epsilon of `tf.contrib.layers.batch_norm`. */
export const BATCH_NORM_EPSILON = 0.001;

/** Options of {@link resfcnSpec}. */
export interface ResfcnOptions {
  /** Variant name recorded in the model. */
  variant?: string;
  /** Input and output side (a multiple of 32). */
  inputSize?: number;
  /** Width of the first conv; the official model uses 16. */
  baseChannels?: number;
  /** Root scope of the variables. */
  rootScope?: string;
}

export const RESFCN_DEFAULTS: Required<ResfcnOptions> = {
  variant: 'resfcn256',
  inputSize: 256,
  baseChannels: 16,
  rootScope: 'resfcn256',
};

/**
 * Builds the layer list of ResFCN (the official network with the defaults).
 *
 * ```ts
 * const spec = resfcnSpec();                       // official ResFCN256
 * const light = resfcnSpec({ variant: 'resfcn128-light', inputSize: 128, baseChannels: 8 });
 * ```
 */
export function resfcnSpec(options: ResfcnOptions = {}): NetworkSpec {
  const o = withDefaults(RESFCN_DEFAULTS, options);
  if (o.inputSize % 32 !== 0) throw new Error(`inputSize must be a multiple of 32, got ${o.inputSize}`);
  const s = o.baseChannels;
  const root = o.rootScope;
  const layers: Layer[] = [];
  const bnConv = (scope: string, inC: number, outC: number, kernel: number, stride: number): ConvLayer => ({
    kind: 'conv', scope, inChannels: inC, outChannels: outC, kernel, stride, batchNorm: true, activation: 'relu',
  });
  layers.push(bnConv(`${root}/Conv`, 3, s, 4, 1));

  // Encoder: ten residual blocks, stride 2 on the first of each pair.
  const blockWidths = [2, 2, 4, 4, 8, 8, 16, 16, 32, 32].map((m) => m * s);
  let c = s;
  blockWidths.forEach((outC, i) => {
    const stride = i % 2 === 0 ? 2 : 1;
    const scope = `${root}/resBlock${i === 0 ? '' : `_${i}`}`;
    const half = outC / 2;
    const shortcut = stride !== 1 || c !== outC;
    const block: ResBlockLayer = {
      kind: 'resBlock', scope, inChannels: c, outChannels: outC, kernel: 4, stride, shortcut,
      branch: [
        bnConv(`${scope}/Conv`, c, half, 1, 1),
        bnConv(`${scope}/Conv_1`, half, half, 4, stride),
        { kind: 'conv', scope: `${scope}/Conv_2`, inChannels: half, outChannels: outC, kernel: 1, stride: 1, batchNorm: false, activation: 'none' },
      ],
    };
    if (shortcut) {
      block.shortcutConv = { kind: 'conv', scope: `${scope}/shortcut`, inChannels: c, outChannels: outC, kernel: 1, stride, batchNorm: false, activation: 'none' };
    }
    layers.push(block);
    c = outC;
  });

  // Decoder: seventeen 4×4 transposed convs, widths and strides as in the official code.
  const decoder: Array<[number, number]> = [
    [32 * s, 1],
    [16 * s, 2], [16 * s, 1], [16 * s, 1],
    [8 * s, 2], [8 * s, 1], [8 * s, 1],
    [4 * s, 2], [4 * s, 1], [4 * s, 1],
    [2 * s, 2], [2 * s, 1],
    [s, 2], [s, 1],
    [3, 1], [3, 1], [3, 1],
  ];
  decoder.forEach(([outC, stride], i) => {
    layers.push({
      kind: 'convTranspose', scope: `${root}/Conv2d_transpose${i === 0 ? '' : `_${i}`}`,
      inChannels: c, outChannels: outC, kernel: 4, stride, batchNorm: true,
      activation: i === decoder.length - 1 ? 'sigmoid' : 'relu',
    });
    c = outC;
  });

  return {
    variant: o.variant,
    inputSize: o.inputSize,
    outputSize: o.inputSize,
    rootScope: root,
    baseChannels: s,
    layers,
    batchNormEpsilon: BATCH_NORM_EPSILON,
    outputScale: POSITION_MAP_SCALE,
  };
}

/** Named variants users can ask for. */
export const VARIANTS = {
  /** The official network: 256×256 in and out, base width 16 (8.26 GFLOP, 13.35 M parameters). */
  resfcn256: () => resfcnSpec(),
  /** The official width on 128×128 crops (2.07 GFLOP, 13.35 M parameters); its map is upsampled to 256 for indexing. */
  resfcn128: () => resfcnSpec({ variant: 'resfcn128', inputSize: 128, baseChannels: 16 }),
  /** A light network for 128×128 crops, base width 8; its map is upsampled to 256 for indexing. */
  'resfcn128-light': () => resfcnSpec({ variant: 'resfcn128-light', inputSize: 128, baseChannels: 8 }),
} as const;

export type VariantName = keyof typeof VARIANTS;

/** Returns the spec of a named variant, or throws listing the known names. */
export function variantSpec(name: string): NetworkSpec {
  const make = (VARIANTS as Record<string, (() => NetworkSpec) | undefined>)[name];
  if (!make) throw new Error(`unknown network variant "${name}"; known: ${Object.keys(VARIANTS).join(', ')}`);
  return make();
}

/** One trainable or statistic tensor the network needs, with its TF name and TF layout. */
export interface VariableSpec {
  /** Full TF variable name, e.g. `resfcn256/Conv/BatchNorm/gamma`. */
  name: string;
  /** TF shape: conv `[kh, kw, in, out]`, transposed conv `[kh, kw, out, in]`, BN `[C]`. */
  shape: number[];
  /** What the tensor is, for initialisation and training. */
  role: 'weights' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';
}

function convVariables(l: ConvLayer | ConvTransposeLayer): VariableSpec[] {
  const k = l.kernel;
  const shape = l.kind === 'conv' ? [k, k, l.inChannels, l.outChannels] : [k, k, l.outChannels, l.inChannels];
  const vars: VariableSpec[] = [{ name: `${l.scope}/weights`, shape, role: 'weights' }];
  if (l.batchNorm) vars.push(...batchNormVariables(`${l.scope}/BatchNorm`, l.outChannels));
  return vars;
}

function batchNormVariables(scope: string, c: number): VariableSpec[] {
  return (['beta', 'gamma', 'moving_mean', 'moving_variance'] as const).map((role) => ({ name: `${scope}/${role}`, shape: [c], role }));
}

/** Every variable of the network in layer order, with TF names and shapes. */
export function networkVariables(spec: NetworkSpec): VariableSpec[] {
  const out: VariableSpec[] = [];
  for (const l of spec.layers) {
    if (l.kind === 'resBlock') {
      for (const b of l.branch) out.push(...convVariables(b));
      if (l.shortcutConv) out.push(...convVariables(l.shortcutConv));
      out.push(...batchNormVariables(`${l.scope}/BatchNorm`, l.outChannels));
    } else {
      out.push(...convVariables(l));
    }
  }
  return out;
}

/** Number of trainable parameters (conv weights, BN gamma and beta). */
export function parameterCount(spec: NetworkSpec): number {
  return networkVariables(spec)
    .filter((v) => v.role === 'weights' || v.role === 'gamma' || v.role === 'beta')
    .reduce((n, v) => n + v.shape.reduce((a, b) => a * b, 1), 0);
}

/** Output side of a layer with TF SAME padding. */
function outSide(l: ConvLayer | ConvTransposeLayer, side: number): number {
  return l.kind === 'conv' ? Math.ceil(side / l.stride) : side * l.stride;
}

/** Multiply-accumulate count of one conv-like layer at the given input side. */
function layerMacs(l: ConvLayer | ConvTransposeLayer, side: number): number {
  const k2 = l.kernel * l.kernel * l.inChannels * l.outChannels;
  // Each input pixel of a transposed conv scatters through the whole kernel.
  return l.kind === 'conv' ? outSide(l, side) ** 2 * k2 : side * side * k2;
}

/**
 * Floating-point operations of one forward pass (2 per multiply-accumulate,
 * convolutions only, as the paper counts).
 */
export function forwardFlops(spec: NetworkSpec): number {
  let side = spec.inputSize;
  let macs = 0;
  for (const l of spec.layers) {
    if (l.kind === 'resBlock') {
      let s = side;
      for (const b of l.branch) { macs += layerMacs(b, s); s = outSide(b, s); }
      if (l.shortcutConv) macs += layerMacs(l.shortcutConv, side);
      side = s;
    } else {
      macs += layerMacs(l, side);
      side = outSide(l, side);
    }
  }
  return 2 * macs;
}

/**
 * TF `SAME` padding for a conv of `kernel` and `stride` over `side` pixels:
 * `[before, after]`. Even kernels pad more after than before (4×4 stride 1: 1 and 2).
 * A transposed conv uses the padding of the conv it is the gradient of, i.e. of a
 * conv over its *output* side.
 */
export function samePadding(side: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(side / stride);
  const total = Math.max((out - 1) * stride + kernel - side, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
