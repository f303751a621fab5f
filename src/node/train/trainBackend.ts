/**
 * The tfjs backend used for training in Node: tfjs-backend-cpu with fast native
 * convolution kernels (`native/prnet_conv.cc`, built by node-gyp at install)
 * registered over its Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter. tfjs still
 * owns autodiff: its gradient functions call these kernels by name. Without the addon
 * the reference JS kernels run (correct, slower) and a warning says so.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { registerTfjsGradients } from './trainGradients.js';
import { FAST_KERNEL_NAMES, fastKernelConfigs } from '../../train/engine/fastKernels.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, batchNormTrainConfigs } from '../../train/engine/batchNormTrain.js';
import type { BatchNormAccelerator } from '../../train/engine/batchNormTrain.js';
import { withDefaults } from '../../io/withDefaults.js';

/** The functions the native addon exports. */
export interface NativeConv {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: number[]): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: number[]): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, geometry: number[]): void;
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, mode: number, c: number): void;
  sumRows(x: Float32Array, out: Float64Array, rows: number, c: number): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  batchNormForward: BatchNormAccelerator['batchNormForward'];
  batchNormBackward: BatchNormAccelerator['batchNormBackward'];
  setThreads(threads: number): number;
  /** 1: direct few-channel convolution kernels where they apply (default); 0: im2col + GEMM only. */
  setDirect(mode: number): number;
  /** 0: fp32 convolutions; 1: bf16 operands with fp32 accumulation (AVX512_BF16 CPUs only). Returns the mode in effect. Absent in older builds. */
  setPrecision?(mode: number): number;
  /** Whether this CPU runs the bf16 kernels (absent in older builds). */
  bf16Supported?: boolean;
  simdWidth: number;
}

/** Operand precision of the native convolution kernels. */
export type ConvPrecision = 'fp32' | 'bf16';

/** Options of {@link setupTrainBackend}. */
export interface TrainBackendOptions {
  /** Use the native kernels when the addon loads (false: reference JS kernels only). */
  native?: boolean;
  /** Use the fast JS element-wise and reduction kernels (false: tfjs reference kernels). */
  fastElementwise?: boolean;
  /** Use the fused training batch-norm(+ReLU) kernel (false: tfjs primitives, differentiated op by op). */
  fusedBatchNorm?: boolean;
  /** Threads of the native kernels (0 = all cores). */
  threads?: number;
  /**
   * Operand precision of the native convolutions: 'fp32', or 'bf16' (inputs rounded to
   * bfloat16 once per packed panel, products summed in fp32; weights stay fp32 in tfjs), as
   * mixed-precision training does on GPUs. Needs a CPU with AVX512_BF16, else fp32 runs
   * (with a warning). Default: env PRNET_CONV_PRECISION, else 'fp32'.
   */
  convPrecision?: ConvPrecision;
  /** Where a missing addon is reported (default: console.warn). */
  warn?: (message: string) => void;
}

export const TRAIN_BACKEND_DEFAULTS: Required<Omit<TrainBackendOptions, 'convPrecision'>> & Pick<TrainBackendOptions, 'convPrecision'> = {
  native: true, fastElementwise: true, fusedBatchNorm: true, threads: 0, convPrecision: undefined, warn: (m) => console.warn(m),
};

/** The precision asked for: the option, else env PRNET_CONV_PRECISION ('fp32' | 'bf16'), else fp32. */
export function requestedConvPrecision(option?: ConvPrecision): ConvPrecision {
  const v = option ?? process.env['PRNET_CONV_PRECISION'] ?? 'fp32';
  if (v !== 'fp32' && v !== 'bf16') throw new Error(`prnet: conv precision must be fp32 or bf16, got "${v}"`);
  return v;
}

/** Name of the tfjs backend with the native kernels. */
export const TRAIN_BACKEND_NAME = 'prnet-cpu';
/** Kernels the addon replaces. */
export const NATIVE_KERNEL_NAMES = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] as const;

let nativeCache: NativeConv | null | undefined;
let loadError = '';

/** Loads the addon once; null (with the reason in {@link nativeLoadError}) when it is missing. */
export function loadNativeConv(): NativeConv | null {
  if (nativeCache !== undefined) return nativeCache;
  nativeCache = null;
  if (process.env['PRNET_NO_NATIVE'] === '1') { loadError = 'PRNET_NO_NATIVE=1'; return null; }
  // src/node/train/ and dist/node/train/ both sit three levels below the package root.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  // PRNET_NATIVE_ADDON: another build of the addon (e.g. a variant built outside the tree).
  const file = process.env['PRNET_NATIVE_ADDON'] || path.join(root, 'build', 'Release', 'prnet_conv.node');
  if (!existsSync(file)) { loadError = `${file} not found (the install step could not compile it)`; return null; }
  try {
    nativeCache = createRequire(import.meta.url)(file) as NativeConv;
  } catch (e) {
    loadError = `${file}: ${(e as Error).message}`;
  }
  return nativeCache;
}

/** Why the addon did not load ('' if it did or was not tried). */
export function nativeLoadError(): string {
  return loadError;
}

/** What {@link setupTrainBackend} chose. */
export interface TrainBackendInfo {
  backend: string;
  native: boolean;
  fastElementwise: boolean;
  fusedBatchNorm: boolean;
  threads: number;
  simdWidth: number;
  /** Operand precision of the native convolutions in effect ('fp32' without the addon). */
  convPrecision: ConvPrecision;
}

let registered = false;

/**
 * Registers (once) and selects the training backend.
 *
 * ```ts
 * const info = await setupTrainBackend({ threads: 2 });
 * console.log(info.native ? 'native kernels' : 'pure JS kernels');
 * ```
 */
export async function setupTrainBackend(options: TrainBackendOptions = {}): Promise<TrainBackendInfo> {
  const o = withDefaults(TRAIN_BACKEND_DEFAULTS, options);
  await registerTfjsGradients();
  const native = o.native ? loadNativeConv() : null;
  if (o.native && !native) o.warn(`prnet train: native convolution kernels unavailable (${loadError}); using the slow pure-JS tfjs kernels. Build them with "npm run build:native" in a prnet checkout, or "npm rebuild prnet" in a project that depends on prnet (npm 12 runs it only where the project allows it: "npm pkg set allowScripts.prnet=true --json").`);
  const threads = native ? native.setThreads(o.threads) : 1;
  const wantPrecision = requestedConvPrecision(o.convPrecision);
  let convPrecision: ConvPrecision = 'fp32';
  if (native && typeof native.setPrecision === 'function') convPrecision = native.setPrecision(wantPrecision === 'bf16' ? 1 : 0) === 1 ? 'bf16' : 'fp32';
  if (wantPrecision === 'bf16' && convPrecision !== 'bf16') o.warn('prnet train: bf16 convolutions need the native kernels on a CPU with AVX512_BF16; using fp32.');
  if (!registered) {
    tf.registerBackend(TRAIN_BACKEND_NAME, () => {
      const b = new MathBackendCPU();
      // Skip the one-time "install tfjs-node" banner: we bring our own native kernels.
      (b as unknown as { firstUse: boolean }).firstUse = false;
      return b;
    }, 1);
    for (const k of tf.getKernelsForBackend('cpu')) {
      tf.registerKernel({ ...k, backendName: TRAIN_BACKEND_NAME });
    }
    registered = true;
  }
  // Toggle between native and reference kernels (tests compare the two).
  for (const name of NATIVE_KERNEL_NAMES) {
    const reference = tf.getKernel(name, 'cpu');
    if (!reference) throw new Error(`tfjs-backend-cpu has no ${name} kernel`);
    tf.unregisterKernel(name, TRAIN_BACKEND_NAME);
    tf.registerKernel(native ? nativeKernelConfig(name, native, reference) : { ...reference, backendName: TRAIN_BACKEND_NAME });
  }
  // An addon built from older sources may lack the element-wise entry points.
  const accel = native && typeof native.binary === 'function' ? native : null;
  const fast = new Map(fastKernelConfigs(TRAIN_BACKEND_NAME, (n) => tf.getKernel(n, 'cpu'), accel).map((k) => [k.kernelName, k]));
  for (const name of FAST_KERNEL_NAMES) {
    tf.unregisterKernel(name, TRAIN_BACKEND_NAME);
    tf.registerKernel(o.fastElementwise ? fast.get(name)! : { ...tf.getKernel(name, 'cpu'), backendName: TRAIN_BACKEND_NAME });
  }
  // The fused batch norm: native loops when the addon has them, JS loops otherwise.
  for (const name of [BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD]) {
    if (tf.getKernel(name, TRAIN_BACKEND_NAME)) tf.unregisterKernel(name, TRAIN_BACKEND_NAME);
  }
  if (o.fusedBatchNorm) {
    const bn = batchNormTrainConfigs(TRAIN_BACKEND_NAME, native && typeof native.batchNormForward === 'function' ? native : null);
    for (const k of bn.kernels) tf.registerKernel(k);
    if (!tf.getGradient(BATCH_NORM_TRAIN)) tf.registerGradient(bn.gradient);
  }
  await tf.setBackend(TRAIN_BACKEND_NAME);
  return { backend: TRAIN_BACKEND_NAME, native: native !== null, fastElementwise: o.fastElementwise, fusedBatchNorm: o.fusedBatchNorm, threads, simdWidth: native?.simdWidth ?? 1, convPrecision };
}

type CpuBackend = MathBackendCPU;

function values(backend: CpuBackend, t: TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (!(v instanceof Float32Array)) throw new Error('prnet native conv: float32 tensors only');
  return v;
}

/** [n, h, w, ci, oh, ow, co, kh, kw, sh, sw, padTop, padLeft] for the addon, or null if unsupported. */
function geometry(info: tf.backend_util.Conv2DInfo): number[] | null {
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left,
  ];
}

type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
};

function nativeKernelConfig(name: (typeof NATIVE_KERNEL_NAMES)[number], native: NativeConv, reference: KernelConfig): KernelConfig {
  const fallback = reference.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as CpuBackend;
    const inputs = args.inputs as NamedTensorInfoMap;
    const a = args.attrs as unknown as Attrs;
    const fmt = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    if (name === 'Conv2D') {
      const x = inputs['x']!, filter = inputs['filter']!;
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
        a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, fmt);
      const g = geometry(info);
      if (!g) return fallback(args);
      const y = new Float32Array(info.outShape.reduce((p, q) => p * q, 1));
      native.conv2d(values(backend, x), values(backend, filter), y, g);
      return backend.makeTensorInfo(info.outShape, 'float32', y);
    }
    if (name === 'Conv2DBackpropInput') {
      const dy = inputs['dy']!, filter = inputs['filter']!;
      const info = tf.backend_util.computeConv2DInfo(a.inputShape!, filter.shape as [number, number, number, number],
        a.strides, 1, a.pad, a.dimRoundingMode, false, fmt);
      const g = geometry(info);
      if (!g) return fallback(args);
      const dx = new Float32Array(info.inShape.reduce((p, q) => p * q, 1));
      native.conv2dBackpropInput(values(backend, dy), values(backend, filter), dx, g);
      return backend.makeTensorInfo(info.inShape, 'float32', dx);
    }
    const x = inputs['x']!, dy = inputs['dy']!;
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape!,
      a.strides, 1, a.pad, a.dimRoundingMode, false, fmt);
    const g = geometry(info);
    if (!g) return fallback(args);
    const dw = new Float32Array(a.filterShape!.reduce((p, q) => p * q, 1));
    native.conv2dBackpropFilter(values(backend, x), values(backend, dy), dw, g);
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  };
  return { kernelName: name, backendName: TRAIN_BACKEND_NAME, kernelFunc };
}
