/**
 * Fast pure-JS kernels for the element-wise and reduction patterns that dominate
 * training time on tfjs-backend-cpu: per-channel broadcasts (`[n,h,w,c] ⊙ [c]`),
 * same-shape and scalar arithmetic, sums and means over the leading axes (batch-norm
 * statistics and their gradients), tiling of a per-channel vector, and strided slices
 * and their gradient, padding (the expression loss's boxes: the reference kernels move
 * them one element at a time through index arrays, a third of a training step). The reference
 * kernels handle these through generic index arithmetic and transposes, which costs
 * ~20× more than the convolutions themselves. Every other case falls through to the
 * reference kernel, and the tests compare each fast path with it on random inputs.
 * Runs wherever tfjs-backend-cpu runs (browser included).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Kernels {@link fastKernelConfigs} replaces. */
export const FAST_KERNEL_NAMES = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Sum', 'Mean', 'Tile', 'Relu', 'Step', 'Square', 'Slice', 'PadV2'] as const;

/** The part of tfjs-backend-cpu the fast kernels use (tensor values by data id, tensor creation). */
export type CpuLike = {
  data: { get(id: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
};

const enum Op { Add, Sub, Mul, Div }

/**
 * Optional multi-threaded implementations of the same fast paths (the Node native
 * addon provides them); used for large tensors, results equal the JS loops.
 */
export interface ElementwiseAccelerator {
  /** op 0 add, 1 sub, 2 mul, 3 div; mode 0 same shape, 1 `b` is a row of `c` repeated over `a`, 2 `a` is the row. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, mode: number, c: number): void;
  /** `out[j] = Σ_r x[r·c + j]` in float64. */
  sumRows(x: Float32Array, out: Float64Array, rows: number, c: number): void;
  /** op 0 relu, 1 step(alpha), 2 square. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
}

/** Below this many elements the JS loop beats a native call with threads. */
const ACCELERATE_FROM = 32768;
let accel: ElementwiseAccelerator | null = null;

/**
 * Kernel configs for `backendName` that take the fast path when they can and call
 * `reference(name)` otherwise.
 *
 * ```ts
 * for (const k of fastKernelConfigs('prnet-cpu', (n) => tf.getKernel(n, 'cpu'))) {
 *   tf.unregisterKernel(k.kernelName, 'prnet-cpu');
 *   tf.registerKernel(k);
 * }
 * ```
 */
export function fastKernelConfigs(backendName: string, reference: (kernelName: string) => KernelConfig | undefined, accelerator: ElementwiseAccelerator | null = null): KernelConfig[] {
  accel = accelerator;
  const ref = (name: string): KernelFunc => {
    const k = reference(name);
    if (!k) throw new Error(`no reference kernel ${name}`);
    return k.kernelFunc;
  };
  const binary = (name: string, op: Op): KernelConfig => {
    const fallback = ref(name);
    return {
      kernelName: name, backendName,
      kernelFunc: (args) => binaryKernel(args.inputs as NamedTensorInfoMap, args.backend as CpuLike, op) ?? fallback(args),
    };
  };
  const reduce = (name: string, mean: boolean): KernelConfig => {
    const fallback = ref(name);
    return {
      kernelName: name, backendName,
      kernelFunc: (args) => reduceKernel(args.inputs as NamedTensorInfoMap, args.backend as CpuLike,
        args.attrs as unknown as { axis: number | number[]; keepDims: boolean }, mean) ?? fallback(args),
    };
  };
  const unary = (name: string, code: number, f: (x: Float32Array, o: Float32Array, attrs: { alpha?: number }) => void): KernelConfig => {
    const fallback = ref(name);
    return {
      kernelName: name, backendName,
      kernelFunc: (args) => {
        const x = (args.inputs as NamedTensorInfoMap)['x']!;
        const xv = f32(args.backend as CpuLike, x);
        if (!xv) return fallback(args);
        const out = new Float32Array(xv.length);
        const attrs = (args.attrs ?? {}) as { alpha?: number };
        if (accel && xv.length >= ACCELERATE_FROM) accel.unary(code, xv, out, attrs.alpha ?? 0);
        else f(xv, out, attrs);
        return (args.backend as CpuLike).makeTensorInfo(x.shape, 'float32', out);
      },
    };
  };
  const tileFallback = ref('Tile'), sliceFallback = ref('Slice'), padFallback = ref('PadV2');
  return [
    binary('Add', Op.Add), binary('Sub', Op.Sub), binary('Multiply', Op.Mul), binary('RealDiv', Op.Div),
    reduce('Sum', false), reduce('Mean', true),
    unary('Relu', 0, (x, o) => { for (let i = 0; i < x.length; i++) { const v = x[i]!; o[i] = v > 0 ? v : (v !== v ? v : 0); } }),
    // tf.step: 1 where x > 0, alpha elsewhere, NaN stays NaN (ReLU's gradient mask).
    unary('Step', 1, (x, o, a) => { const al = a.alpha ?? 0; for (let i = 0; i < x.length; i++) { const v = x[i]!; o[i] = v > 0 ? 1 : (v !== v ? v : al); } }),
    unary('Square', 2, (x, o) => { for (let i = 0; i < x.length; i++) { const v = x[i]!; o[i] = v * v; } }),
    {
      kernelName: 'Tile', backendName,
      kernelFunc: (args) => tileKernel(args.inputs as NamedTensorInfoMap, args.backend as CpuLike,
        args.attrs as unknown as { reps: number[] }) ?? tileFallback(args),
    },
    {
      kernelName: 'Slice', backendName,
      kernelFunc: (args) => sliceKernel(args.inputs as NamedTensorInfoMap, args.backend as CpuLike,
        args.attrs as unknown as { begin: number | number[]; size?: number | number[] }) ?? sliceFallback(args),
    },
    {
      kernelName: 'PadV2', backendName,
      kernelFunc: (args) => padKernel(args.inputs as NamedTensorInfoMap, args.backend as CpuLike,
        args.attrs as unknown as { paddings: Array<[number, number]>; constantValue: number }) ?? padFallback(args),
    },
  ];
}

/** A float32 tensor's values on a CPU backend, or null when it is not float32. */
export function f32(backend: CpuLike, t: TensorInfo): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

const size = (s: readonly number[]): number => s.reduce((p, q) => p * q, 1);

/** Whether `small` equals the trailing dims of `big` once its leading 1s are dropped. */
function isTrailing(small: readonly number[], big: readonly number[]): boolean {
  let i = 0;
  while (i < small.length && small[i] === 1) i++;
  const rest = small.slice(i);
  if (rest.length > big.length) return false;
  const tail = big.slice(big.length - rest.length);
  return rest.every((d, j) => d === tail[j]);
}

function binaryKernel(inputs: NamedTensorInfoMap, backend: CpuLike, op: Op): TensorInfo | null {
  const a = inputs['a']!, b = inputs['b']!;
  const av = f32(backend, a), bv = f32(backend, b);
  if (!av || !bv) return null;
  let outShape: number[];
  try {
    outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  } catch {
    return null;
  }
  const n = size(outShape);
  const out = new Float32Array(n);
  const big = accel && n >= ACCELERATE_FROM;
  if (av.length === n && bv.length === n) {
    if (big) accel!.binary(op, av, bv, out, 0, 1); else sameShape(av, bv, out, op);
  } else if (big && av.length === n && isTrailing(b.shape, outShape)) {
    accel!.binary(op, av, bv, out, 1, bv.length);
  } else if (big && bv.length === n && isTrailing(a.shape, outShape)) {
    accel!.binary(op, av, bv, out, 2, av.length);
  } else if (av.length === n && isTrailing(b.shape, outShape)) {
    rowBroadcast(av, bv, out, op, false);
  } else if (bv.length === n && isTrailing(a.shape, outShape)) {
    rowBroadcast(bv, av, out, op, true);
  } else {
    return null;
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
}

function sameShape(a: Float32Array, b: Float32Array, o: Float32Array, op: Op): void {
  const n = o.length;
  switch (op) {
    case Op.Add: for (let i = 0; i < n; i++) o[i] = a[i]! + b[i]!; break;
    case Op.Sub: for (let i = 0; i < n; i++) o[i] = a[i]! - b[i]!; break;
    case Op.Mul: for (let i = 0; i < n; i++) o[i] = a[i]! * b[i]!; break;
    case Op.Div: for (let i = 0; i < n; i++) o[i] = a[i]! / b[i]!; break;
  }
}

/** o = full ⊙ row (or row ⊙ full when `swapped`), `row` repeating along the leading dims. */
function rowBroadcast(full: Float32Array, row: Float32Array, o: Float32Array, op: Op, swapped: boolean): void {
  const c = row.length, n = o.length;
  if (c === 1) {
    const s = row[0]!;
    switch (swapped ? op + 4 : op) {
      case Op.Add: case Op.Add + 4: for (let i = 0; i < n; i++) o[i] = full[i]! + s; break;
      case Op.Sub: for (let i = 0; i < n; i++) o[i] = full[i]! - s; break;
      case Op.Sub + 4: for (let i = 0; i < n; i++) o[i] = s - full[i]!; break;
      case Op.Mul: case Op.Mul + 4: for (let i = 0; i < n; i++) o[i] = full[i]! * s; break;
      case Op.Div: for (let i = 0; i < n; i++) o[i] = full[i]! / s; break;
      case Op.Div + 4: for (let i = 0; i < n; i++) o[i] = s / full[i]!; break;
    }
    return;
  }
  for (let r = 0; r < n; r += c) {
    switch (swapped ? op + 4 : op) {
      case Op.Add: case Op.Add + 4: for (let j = 0; j < c; j++) o[r + j] = full[r + j]! + row[j]!; break;
      case Op.Sub: for (let j = 0; j < c; j++) o[r + j] = full[r + j]! - row[j]!; break;
      case Op.Sub + 4: for (let j = 0; j < c; j++) o[r + j] = row[j]! - full[r + j]!; break;
      case Op.Mul: case Op.Mul + 4: for (let j = 0; j < c; j++) o[r + j] = full[r + j]! * row[j]!; break;
      case Op.Div: for (let j = 0; j < c; j++) o[r + j] = full[r + j]! / row[j]!; break;
      case Op.Div + 4: for (let j = 0; j < c; j++) o[r + j] = row[j]! / full[r + j]!; break;
    }
  }
}

function reduceKernel(inputs: NamedTensorInfoMap, backend: CpuLike, attrs: { axis: number | number[]; keepDims: boolean }, mean: boolean): TensorInfo | null {
  const x = inputs['x']!;
  const xv = f32(backend, x);
  if (!xv) return null;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
  // Only the leading axes (0 … k−1): the batch-norm statistics pattern.
  if (!axes.every((ax, i) => ax === i)) return null;
  const k = axes.length;
  const c = size(x.shape.slice(k));
  const rows = size(x.shape.slice(0, k));
  const acc = new Float64Array(c);
  if (accel && rows * c >= ACCELERATE_FROM) accel.sumRows(xv, acc, rows, c);
  else for (let r = 0; r < rows; r++) {
    const base = r * c;
    for (let j = 0; j < c; j++) acc[j]! += xv[base + j]!;
  }
  const out = new Float32Array(c);
  for (let j = 0; j < c; j++) out[j] = mean ? acc[j]! / rows : acc[j]!;
  const shape = attrs.keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  return backend.makeTensorInfo(shape, 'float32', out);
}

function tileKernel(inputs: NamedTensorInfoMap, backend: CpuLike, attrs: { reps: number[] }): TensorInfo | null {
  const x = inputs['x']!;
  const xv = f32(backend, x);
  if (!xv) return null;
  const reps = attrs.reps;
  const d = x.shape.length;
  // A vector repeated along leading dims: x = [1, …, 1, c], reps = [r0, …, 1].
  if (reps.length !== d || reps[d - 1] !== 1 || !x.shape.slice(0, d - 1).every((s) => s === 1)) return null;
  const outShape = x.shape.map((s, i) => s * reps[i]!);
  const out = new Float32Array(size(outShape));
  const c = xv.length;
  for (let r = 0; r < out.length; r += c) out.set(xv, r);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

/**
 * Copies the box `size` at `srcBegin` of `src` (shape `srcShape`) to `dstBegin` of `dst`
 * (shape `dstShape`), row by row: the trailing dims that both tensors and the box cover
 * whole merge with the last partial one into one contiguous run.
 */
export function copyBox(
  src: Float32Array, srcShape: readonly number[], srcBegin: readonly number[],
  dst: Float32Array, dstShape: readonly number[], dstBegin: readonly number[], size: readonly number[],
): void {
  const r = size.length;
  if (r === 0 || size.some((d) => d === 0)) return;
  let k = r - 1, run = size[k]!;
  while (k > 0 && size[k] === srcShape[k] && size[k] === dstShape[k]) { k--; run *= size[k]!; }
  const srcStrides = new Array<number>(r), dstStrides = new Array<number>(r);
  srcStrides[r - 1] = dstStrides[r - 1] = 1;
  for (let j = r - 2; j >= 0; j--) { srcStrides[j] = srcStrides[j + 1]! * srcShape[j + 1]!; dstStrides[j] = dstStrides[j + 1]! * dstShape[j + 1]!; }
  let srcBase = 0, dstBase = 0;
  for (let j = 0; j <= k; j++) { srcBase += srcBegin[j]! * srcStrides[j]!; dstBase += dstBegin[j]! * dstStrides[j]!; }
  // Odometer over the outer dims 0 … k−1.
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    let so = srcBase, d = dstBase;
    for (let j = 0; j < k; j++) { so += idx[j]! * srcStrides[j]!; d += idx[j]! * dstStrides[j]!; }
    if (run >= 64) dst.set(src.subarray(so, so + run), d);
    else for (let i = 0; i < run; i++) dst[d + i] = src[so + i]!;
    let j = k - 1;
    while (j >= 0 && ++idx[j]! === size[j]) idx[j--] = 0;
    if (j < 0) return;
  }
}

function sliceKernel(inputs: NamedTensorInfoMap, backend: CpuLike, attrs: { begin: number | number[]; size?: number | number[] }): TensorInfo | null {
  const x = inputs['x']!;
  const xv = f32(backend, x);
  if (!xv || x.shape.length === 0) return null;
  const [begin, sz] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  tf.slice_util.assertParamsValid(x, begin, sz);
  // A contiguous slice is a view in the reference kernel: no copy to save.
  if (tf.slice_util.isSliceContinous(x.shape, begin, sz)) return null;
  const out = new Float32Array(size(sz));
  copyBox(xv, x.shape, begin, out, sz, new Array<number>(sz.length).fill(0), sz);
  return backend.makeTensorInfo(sz, 'float32', out);
}

function padKernel(inputs: NamedTensorInfoMap, backend: CpuLike, attrs: { paddings: Array<[number, number]>; constantValue: number }): TensorInfo | null {
  const x = inputs['x']!;
  const xv = f32(backend, x);
  const p = attrs.paddings;
  if (!xv || x.shape.length === 0 || p.length !== x.shape.length || p.some(([a, b]) => a < 0 || b < 0)) return null;
  const outShape = x.shape.map((d, i) => p[i]![0] + d + p[i]![1]);
  const out = new Float32Array(size(outShape));
  if (attrs.constantValue !== 0) out.fill(attrs.constantValue);
  copyBox(xv, x.shape, new Array<number>(x.shape.length).fill(0), out, outShape, p.map(([a]) => a), x.shape);
  return backend.makeTensorInfo(outShape, 'float32', out);
}
