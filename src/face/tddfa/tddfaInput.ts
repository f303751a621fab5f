import type { RgbImage } from '../../io/rgbImage.js';
import type { TddfaRoiBox } from './tddfaRoiBox.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Side of a 3DDFA_V2 model's input crop. */
export const TDDFA_INPUT_SIZE = 120;

/** Options of {@link tddfaInput}. */
export interface TddfaInputOptions {
  /** Side of the network input (3DDFA_V2: 120). */
  size: number;
  /**
   * `'bilinear'`: OpenCV's `INTER_LINEAR`, as 3DDFA_V2 resizes (no low-pass when shrinking).
   * `'antialias'`: PIL's `BILINEAR`, a triangle filter widened by the shrink factor, with
   * 8-bit rounding between the horizontal and vertical passes (the reference outputs in
   * `../shared/3ddfa/reference-fixtures.json` were made this way).
   */
  resample: 'bilinear' | 'antialias';
  /** Write here (at `offset`) instead of allocating. */
  out?: Float32Array;
  /** Element offset into `out`. */
  offset?: number;
}

/** Defaults of {@link tddfaInput}: as 3DDFA_V2. */
export const TDDFA_INPUT_DEFAULTS: TddfaInputOptions = { size: TDDFA_INPUT_SIZE, resample: 'bilinear' };

/** Python's `round` (half to even), which 3DDFA's `crop_img` applies to the box. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A 3DDFA_V2 network input from an RGB image and a crop box: the box rounded to whole
 * pixels and cut out with black outside the image (`crop_img`), resized to `size`², BGR,
 * `(pixel − 127.5) / 128`, NCHW (one batch item of `3 · size²` floats).
 *
 * ```ts
 * const input = tddfaInput(image, tddfaRoiFromLandmarks(points68));
 * const raw = await teacher.predict(input, 1);
 * ```
 */
export function tddfaInput(image: RgbImage, roi: TddfaRoiBox, options: Partial<TddfaInputOptions> = {}): Float32Array {
  const o = withDefaults(TDDFA_INPUT_DEFAULTS, options);
  const S = o.size;
  const n = 3 * S * S;
  const out = o.out ?? new Float32Array(n);
  const base = o.out ? (o.offset ?? 0) : 0;
  if (out.length < base + n) throw new Error(`tddfaInput: output buffer holds ${out.length} floats, needs ${base + n}`);
  const sx = roundHalfEven(roi[0]), sy = roundHalfEven(roi[1]);
  const dw = roundHalfEven(roi[2]) - sx, dh = roundHalfEven(roi[3]) - sy;
  if (!(dw > 0 && dh > 0)) throw new Error(`tddfaInput: crop box [${roi.join(', ')}] is empty`);
  const { width: W, height: H, data } = image;
  // The crop's pixel (cx, cy), channel c; black outside the image.
  const crop = (cx: number, cy: number, c: number): number => {
    const x = sx + cx, y = sy + cy;
    return x >= 0 && x < W && y >= 0 && y < H ? data[(y * W + x) * 3 + c]! : 0;
  };
  const put = (x: number, y: number, rgb: ArrayLike<number>) => {
    // BGR planes.
    for (let c = 0; c < 3; c++) out[base + (2 - c) * S * S + y * S + x] = (rgb[c]! - 127.5) / 128;
  };
  if (o.resample === 'bilinear') {
    const fx = dw / S, fy = dh / S;
    const rgb = new Float64Array(3);
    for (let y = 0; y < S; y++) {
      // OpenCV INTER_LINEAR: centre-aligned, the crop's edge pixels replicated.
      let py = (y + 0.5) * fy - 0.5;
      py = Math.min(Math.max(py, 0), dh - 1);
      const y0 = Math.floor(py), y1 = Math.min(y0 + 1, dh - 1), wy = py - y0;
      for (let x = 0; x < S; x++) {
        let px = (x + 0.5) * fx - 0.5;
        px = Math.min(Math.max(px, 0), dw - 1);
        const x0 = Math.floor(px), x1 = Math.min(x0 + 1, dw - 1), wx = px - x0;
        for (let c = 0; c < 3; c++) {
          const top = crop(x0, y0, c) * (1 - wx) + crop(x1, y0, c) * wx;
          const bot = crop(x0, y1, c) * (1 - wx) + crop(x1, y1, c) * wx;
          rgb[c] = top * (1 - wy) + bot * wy;
        }
        put(x, y, rgb);
      }
    }
    return out;
  }
  // PIL BILINEAR: horizontal pass into 8-bit, then vertical.
  const cx = triangleCoefficients(dw, S), cy = triangleCoefficients(dh, S);
  const tmp = new Uint8Array(dh * S * 3);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < S; x++) {
      const { start, weights } = cx[x]!;
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < weights.length; k++) s += weights[k]! * crop(start + k, y, c);
        tmp[(y * S + x) * 3 + c] = clamp8(s);
      }
    }
  }
  const rgb = new Float64Array(3);
  for (let y = 0; y < S; y++) {
    const { start, weights } = cy[y]!;
    for (let x = 0; x < S; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < weights.length; k++) s += weights[k]! * tmp[((start + k) * S + x) * 3 + c]!;
        rgb[c] = clamp8(s);
      }
      put(x, y, rgb);
    }
  }
  return out;
}

function clamp8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** PIL's `precompute_coeffs` for the bilinear (triangle) filter. */
function triangleCoefficients(inSize: number, outSize: number): { start: number; weights: Float64Array }[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const result: { start: number; weights: Float64Array }[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const weights = new Float64Array(Math.max(xmax, 0));
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[x] = w;
      sum += w;
    }
    if (sum > 0) for (let x = 0; x < xmax; x++) weights[x] = weights[x]! / sum;
    result.push({ start: xmin, weights });
  }
  return result;
}
