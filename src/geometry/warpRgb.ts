import { addBilinearSample } from './bilinear.js';
import { withDefaults } from '../io/withDefaults.js';
import { affineScale } from './affine2d.js';

/** What a sample outside the source image reads. */
export const WARP_BORDERS = ['black', 'edge', 'reflect'] as const;
/** One of {@link WARP_BORDERS}: black (OpenCV's `BORDER_CONSTANT` 0), the nearest edge pixel (`BORDER_REPLICATE`), or the image mirrored about its edge pixels (`BORDER_REFLECT_101`, numpy's `'reflect'`). */
export type WarpBorder = (typeof WARP_BORDERS)[number];

/** Options of {@link warpRgb}. */
export interface WarpRgbOptions {
  /** What a sample outside the source image reads. */
  border: WarpBorder;
  /**
   * Samples per output pixel along each axis when the warp shrinks the image; `'auto'`
   * takes ⌈source pixels per output pixel⌉ (at most 8), so a shrunk picture is averaged
   * over each output pixel's footprint instead of aliasing. 1 is plain bilinear sampling.
   */
  samples: number | 'auto';
}

/** Defaults of {@link WarpRgbOptions}: black outside, supersampled when shrinking. */
export const WARP_RGB_DEFAULTS: WarpRgbOptions = { border: 'black', samples: 'auto' };

/** Most samples per axis that `samples: 'auto'` takes (64 per pixel). */
const MAX_AUTO_SAMPLES = 8;

/** Folds a coordinate into `[0, n − 1]` by mirroring about the first and last pixel centres (numpy's `'reflect'` padding for whole numbers). */
export function reflect(v: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = v % period;
  if (m < 0) m += period;
  return m > n - 1 ? period - m : m;
}

/**
 * Warps an 8-bit RGB image (`width · height · 3` bytes) into a new `outWidth × outHeight`
 * 8-bit RGB image: output pixel `(x, y)` is the bilinear sample ({@link addBilinearSample},
 * pixel centres at integer coordinates) of the source at `sourceFromOut(x, y)`, or the
 * mean of `k × k` samples spread evenly over the output pixel when the map shrinks the
 * image, rounded to the nearest byte. Pure and isomorphic.
 *
 * ```ts
 * const chip = warpRgb(image.data, image.width, image.height, affineInvert(imageToChip), 112, 112);
 * ```
 *
 * @param sourceFromOut 2×3 affine `[a, b, tx, c, d, ty]` taking output pixels to source pixels.
 */
export function warpRgb(
  data: ArrayLike<number>,
  width: number,
  height: number,
  sourceFromOut: ArrayLike<number>,
  outWidth: number,
  outHeight: number,
  options: Partial<WarpRgbOptions> = {},
): Uint8Array {
  const o = withDefaults(WARP_RGB_DEFAULTS, options);
  if (!(WARP_BORDERS as readonly string[]).includes(o.border)) throw new Error(`warpRgb: border must be one of ${WARP_BORDERS.join(', ')}, got '${o.border}'`);
  for (const [name, v] of [['outWidth', outWidth], ['outHeight', outHeight], ['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`warpRgb: ${name} must be a positive integer, got ${v}`);
  }
  if (data.length !== width * height * 3) throw new Error(`warpRgb: a ${width}×${height} RGB image needs ${width * height * 3} bytes, got ${data.length}`);
  const k = o.samples === 'auto' ? Math.min(MAX_AUTO_SAMPLES, Math.max(1, Math.ceil(affineScale(sourceFromOut) - 1e-9))) : o.samples;
  if (!Number.isInteger(k) || k < 1) throw new Error(`warpRgb: samples must be a positive integer or 'auto', got ${o.samples}`);
  const [a, b, tx, c, d, ty] = [sourceFromOut[0]!, sourceFromOut[1]!, sourceFromOut[2]!, sourceFromOut[3]!, sourceFromOut[4]!, sourceFromOut[5]!];
  const out = new Uint8Array(outWidth * outHeight * 3);
  const acc = new Float64Array(3);
  const inv = 1 / (k * k);
  const border = o.border === 'edge' ? 1 : o.border === 'reflect' ? 2 : 0;
  const row = width * 3;
  // Sample offsets inside an output pixel, the same along both axes.
  const offsets = Float64Array.from({ length: k }, (_, i) => (i + 0.5) / k - 0.5);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      // Local sums, and the interior bilinear sample inlined: this loop is the whole cost.
      let r = 0, g = 0, bl = 0;
      for (let j = 0; j < k; j++) {
        const oy = y + offsets[j]!;
        for (let i = 0; i < k; i++) {
          const ox = x + offsets[i]!;
          let sx = a * ox + b * oy + tx, sy = c * ox + d * oy + ty;
          if (border === 1) {
            sx = sx < 0 ? 0 : sx > width - 1 ? width - 1 : sx;
            sy = sy < 0 ? 0 : sy > height - 1 ? height - 1 : sy;
          } else if (border === 2) {
            // Folded only when outside: the modulo is the slow part of a sample.
            if (sx < 0 || sx > width - 1) sx = reflect(sx, width);
            if (sy < 0 || sy > height - 1) sy = reflect(sy, height);
          }
          const x0 = Math.floor(sx), y0 = Math.floor(sy);
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
            const fx = sx - x0, fy = sy - y0;
            const p = y0 * row + x0 * 3, q = p + row;
            const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
            r += w00 * data[p]! + w01 * data[p + 3]! + w10 * data[q]! + w11 * data[q + 3]!;
            g += w00 * data[p + 1]! + w01 * data[p + 4]! + w10 * data[q + 1]! + w11 * data[q + 4]!;
            bl += w00 * data[p + 2]! + w01 * data[p + 5]! + w10 * data[q + 2]! + w11 * data[q + 5]!;
          } else {
            // At the edge (or outside): the one sampler's neighbour rules.
            acc[0] = 0; acc[1] = 0; acc[2] = 0;
            addBilinearSample(data, width, height, sx, sy, acc);
            r += acc[0]; g += acc[1]; bl += acc[2];
          }
        }
      }
      const p = (y * outWidth + x) * 3;
      out[p] = Math.round(r * inv);
      out[p + 1] = Math.round(g * inv);
      out[p + 2] = Math.round(bl * inv);
    }
  }
  return out;
}
