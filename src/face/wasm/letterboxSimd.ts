/**
 * BlazeFace's letterbox resampling on WebAssembly SIMD (`letterbox.wat`): the same two
 * separable passes and taps as the JavaScript version in `blazeFaceDetector.ts`, with the
 * three channels of a pixel in one f32x4. Isomorphic: the binary is inlined as base64.
 */
import { LETTERBOX_WASM_BASE64 } from './letterboxWasm.js';

/** One axis's taps (see `axisTaps` in `blazeFaceDetector.ts`). */
export interface AxisTaps {
  first: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  stride: number;
}

interface LetterboxExports {
  memory: WebAssembly.Memory;
  horizontal(src: number, w: number, h: number, n: number, taps: number, xoff: number, xw: number, rows: number): void;
  horizontal4(src: number, w: number, h: number, n: number, xoff: number, xw: number, rows: number): void;
  vertical(rows: number, n: number, yfirst: number, ycount: number, ystride: number, yw: number, out: number, rowStep: number, stepX: number, stepC: number): void;
}

/**
 * Largest source image (bytes of RGB) the SIMD path takes: its copy and the horizontal
 * pass's rows live in WebAssembly memory, which never shrinks, so larger photos take the
 * JavaScript path instead.
 */
export const LETTERBOX_SIMD_MAX_BYTES = 48 * 1024 * 1024;

let instance: LetterboxExports | null | undefined;

/** The instance, made on first use; `null` where WebAssembly SIMD is missing or disabled. */
function letterboxExports(): LetterboxExports | null {
  if (instance !== undefined) return instance;
  instance = null;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.PRNET_NO_SIMD === '1' || typeof WebAssembly !== 'object') return instance;
  try {
    const bytes = Uint8Array.from(atob(LETTERBOX_WASM_BASE64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return instance;
    // 513 bytes: small enough to compile synchronously, even on a browser's main thread.
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as LetterboxExports;
  } catch {
    instance = null;
  }
  return instance;
}

/** Whether {@link letterboxSimd} can run here (WebAssembly with SIMD, `PRNET_NO_SIMD` unset). */
export function letterboxSimdAvailable(): boolean {
  return letterboxExports() !== null;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Runs both passes for an RGB image of `width` × `height` to an `n` × `n` × 3 input
 * (`nhwc` or `nchw`), with the [0, 255] → [−1, 1] scale. Returns `undefined` when the
 * SIMD path is unavailable or the image is over {@link LETTERBOX_SIMD_MAX_BYTES}; the
 * caller then runs the JavaScript passes.
 *
 * ```ts
 * const input = letterboxSimd(image.data, image.width, image.height, 256, xs, ys, 'nchw') ?? javascriptPasses();
 * ```
 */
export function letterboxSimd(
  data: Uint8Array,
  width: number,
  height: number,
  n: number,
  xs: AxisTaps,
  ys: AxisTaps,
  layout: 'nhwc' | 'nchw',
): Float32Array | undefined {
  const srcBytes = width * height * 3;
  if (srcBytes > LETTERBOX_SIMD_MAX_BYTES) return undefined;
  const wasm = letterboxExports();
  if (!wasm) return undefined;
  let taps = 4; // at least 4: `horizontal4` takes up to 4, padded
  for (let o = 0; o < n; o++) taps = Math.max(taps, xs.count[o]!);
  // Memory: source (+ 16 bytes: each tap reads 4), column taps, row taps, rows, output.
  const src = 0;
  const xoff = align16(srcBytes + 16);
  const xw = xoff + 4 * n * taps;
  const yfirst = align16(xw + 4 * n * taps);
  const ycount = yfirst + 4 * n;
  const yw = ycount + 4 * n;
  const rows = align16(yw + 4 * n * ys.stride);
  const out = rows + 16 * n * height;
  const end = out + 4 * n * n * 3;
  const have = wasm.memory.buffer.byteLength;
  if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
  const buffer = wasm.memory.buffer;
  const bytes = new Uint8Array(buffer);
  bytes.set(data.subarray(0, srcBytes), src);
  bytes.fill(0, srcBytes, srcBytes + 16);
  const offsets = new Int32Array(buffer, xoff, n * taps);
  const weights = new Float32Array(buffer, xw, n * taps);
  for (let o = 0; o < n; o++) {
    for (let t = 0; t < taps; t++) {
      // Unused taps read the column's first pixel with weight 0.
      const used = t < xs.count[o]!;
      offsets[o * taps + t] = (xs.first[o]! + (used ? t : 0)) * 3;
      weights[o * taps + t] = used ? xs.weights[o * xs.stride + t]! : 0;
    }
  }
  new Int32Array(buffer, yfirst, n).set(ys.first);
  new Int32Array(buffer, ycount, n).set(ys.count);
  const rowWeights = new Float32Array(buffer, yw, n * ys.stride);
  for (let i = 0; i < n * ys.stride; i++) rowWeights[i] = ys.weights[i]! / 127.5;
  if (taps === 4) wasm.horizontal4(src, width, height, n, xoff, xw, rows);
  else wasm.horizontal(src, width, height, n, taps, xoff, xw, rows);
  const [rowStep, stepX, stepC] = layout === 'nchw' ? [4 * n, 4, 4 * n * n] : [12 * n, 12, 4];
  wasm.vertical(rows, n, yfirst, ycount, ys.stride, yw, out, rowStep, stepX, stepC);
  return new Float32Array(buffer.slice(out, out + 4 * n * n * 3));
}
