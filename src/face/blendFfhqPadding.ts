/**
 * FFHQ's treatment of the photo's padding (NVlabs ffhq-dataset, `recreate_aligned_images`,
 * Karras et al. 2019), done in the aligned picture instead of in the padded photo. The
 * recipe pads the photo by reflection where its crop quad reaches past it, then blends the
 * padded area toward a Gaussian blur of the padded photo (σ = 0.02 · the quad's side) and
 * toward the padded photo's per-channel median, so the padding does not show as a sharp
 * mirror image:
 *
 * - `mask(x, y) = max(1 − min(x / padL, (W−1−x) / padR), 1 − min(y / padT, (H−1−y) / padB))`
 *   over the padded photo (0 on the crop's edge, 1 on the padded photo's edge, negative inside);
 * - `img += (blur(img) − img) · clip(3 · mask + 1, 0, 1)`;
 * - `img += (median(img) − img) · clip(mask, 0, 1)`.
 *
 * The picture is a similarity warp of the photo, and blurring then warping equals warping
 * then blurring with σ scaled by the warp (up to interpolation), so here the mask is
 * evaluated at each picture pixel's source position in the photo (with the recipe's own
 * integer crop and pads, {@link ffhqPadding}), the photo is warped again onto a grid over the
 * picture and the margin the blur reaches into, coarse enough that σ (in picture pixels,
 * 0.02 · the picture's side) spans about 4 of its pixels, blurred there with three box passes
 * ({@link boxGaussianBlur}) and read back bilinearly; and the median is the histogram median
 * of the padded crop's pixels, each counted as often as the reflection repeats it (the recipe
 * takes it after the blur's blend; the difference is within the tests' bounds). Isomorphic.
 */
import type { RgbImage } from '../io/rgbImage.js';
import { affineCompose, affineScale } from '../geometry/affine2d.js';
import { boxGaussianBlur } from '../geometry/boxGaussianBlur.js';
import { reflect, warpRgb, type WarpBorder } from '../geometry/warpRgb.js';
import { withDefaults } from '../io/withDefaults.js';
import { ffhqPadding } from './ffhqPadding.js';

/** Options of {@link blendFfhqPadding}. */
export interface BlendFfhqPaddingOptions {
  /** What the picture was warped with past the photo's edges (FFHQ's: `reflect`); the blur's margin is warped the same way. */
  border: WarpBorder;
  /** σ of the padding's blur as a fraction of the crop quad's side (FFHQ's 0.02). */
  blur: number;
}

/** Defaults of {@link BlendFfhqPaddingOptions}: FFHQ's. */
export const BLEND_FFHQ_PADDING_DEFAULTS: BlendFfhqPaddingOptions = { border: 'reflect', blur: 0.02 };

/** Box passes of the blur ({@link boxGaussianBlur}'s default). */
const PASSES = 3;
/** The blur runs on a grid coarse enough that σ is about this many of its pixels (at least). */
const COARSE_SIGMA = 4;
/**
 * Variance (in coarse pixels²) that the coarse grid adds by itself and is taken off the
 * blur's: the box average over each coarse pixel (1/12) and the bilinear read-back
 * (1/6 on average over positions).
 */
const COARSE_VARIANCE = 1 / 4;


/**
 * Blends the padding of an aligned picture the way FFHQ does. `picture` is the
 * `size × size` RGB warp of `image` by `sourceFromOut` (picture pixels → photo pixels, a
 * similarity; `warpRgb` with `options.border`), whose square is the crop quad. Returns a new
 * picture, or `picture` itself where the quad and a tenth of its side around it lie inside
 * the photo (where FFHQ's recipe does not pad, but for squares under about 35 px, which it
 * pads all the same and which are left as they are here). Pixels the blend does not reach
 * (mask ≤ −1/3) keep their bytes.
 *
 * ```ts
 * const sourceFromOut = affineInvert(transform);
 * const plain = warpRgb(image.data, image.width, image.height, sourceFromOut, 1024, 1024, { border: 'reflect' });
 * const ffhq = blendFfhqPadding(image, sourceFromOut, plain, 1024);
 * ```
 */
export function blendFfhqPadding(image: RgbImage, sourceFromOut: ArrayLike<number>, picture: Uint8Array, size: number, options: Partial<BlendFfhqPaddingOptions> = {}): Uint8Array {
  const o = withDefaults(BLEND_FFHQ_PADDING_DEFAULTS, options);
  if (!(o.blur >= 0 && Number.isFinite(o.blur))) throw new Error(`blendFfhqPadding: blur must be a finite number ≥ 0, got ${o.blur}`);
  if (picture.length !== size * size * 3) throw new Error(`blendFfhqPadding: a ${size}×${size} picture needs ${size * size * 3} bytes, got ${picture.length}`);
  const [a, b, tx, c, d, ty] = [sourceFromOut[0]!, sourceFromOut[1]!, sourceFromOut[2]!, sourceFromOut[3]!, sourceFromOut[4]!, sourceFromOut[5]!];
  // The quad: the picture's corners (pixel edges) in the photo.
  const e = size - 0.5;
  const quad = [[-0.5, -0.5], [-0.5, e], [e, e], [e, -0.5]].flatMap(([x, y]) => [a * x! + b * y! + tx, c * x! + d * y! + ty]);
  const box = ffhqPadding(quad, image.width, image.height);
  // A square whose border lies inside the photo is left as it is, even the small ones the
  // recipe pads (there the blend would only touch the picture's outermost pixels).
  if (!box || box.reach.every((p) => p === 0)) return picture;
  const [cx0, cy0, cx1, cy1] = box.crop;
  const [pl, pt, pr, pb] = box.pad;
  const cw = cx1 - cx0, ch = cy1 - cy0;

  // The blur, σ in picture pixels: on a grid `f` times coarser (a wide Gaussian loses nothing
  // there), warped straight from the photo with each coarse pixel averaged over its footprint,
  // over the picture plus the blur's reach, then read back bilinearly. The coarse grid's pixel
  // j sits at picture coordinate `o + j·f`.
  const sigma = (o.blur * box.qsize) / affineScale(sourceFromOut);
  const f = Math.max(1, Math.floor(sigma / COARSE_SIGMA));
  const coarseSigma = f === 1 ? sigma : Math.sqrt(Math.max(0, (sigma * sigma) / (f * f) - COARSE_VARIANCE));
  const reach = Math.ceil(Math.sqrt(3 * PASSES) * coarseSigma) + PASSES + 1;
  const origin = -reach * f;
  const n = Math.ceil((size - 1 - origin) / f) + reach + 1;
  const coarse = warpRgb(image.data, image.width, image.height, affineCompose(sourceFromOut, [f, 0, origin, 0, f, origin]), n, n, { border: o.border });
  const blurred = boxGaussianBlur(coarse, n, n, coarseSigma, { passes: PASSES });

  // The padded crop's per-channel median: each crop pixel counted as often as the reflection repeats it.
  const countX = new Float64Array(cw), countY = new Float64Array(ch);
  for (let i = 0; i < cw + pl + pr; i++) countX[reflect(i - pl, cw)]!++;
  for (let i = 0; i < ch + pt + pb; i++) countY[reflect(i - pt, ch)]!++;
  const hist = new Float64Array(3 * 256);
  for (let y = 0; y < ch; y++) {
    const row = ((cy0 + y) * image.width + cx0) * 3;
    for (let x = 0; x < cw; x++) {
      const times = countY[y]! * countX[x]!, p = row + 3 * x;
      hist[image.data[p]!]! += times; hist[256 + image.data[p + 1]!]! += times; hist[512 + image.data[p + 2]!]! += times;
    }
  }
  const total = (cw + pl + pr) * (ch + pt + pb);
  const median = [0, 1, 2].map((k) => {
    // numpy's median: the middle value, or the mean of the two middle ones.
    const at = (rank: number) => { let s = 0; for (let v = 0; v < 256; v++) { s += hist[256 * k + v]!; if (s > rank) return v; } return 255; };
    return total % 2 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
  });

  // The blend, at the pixels whose mask (at their source position; u, v in the crop's pixels) exceeds −1/3.
  const out = picture.slice();
  const [il, it, ir, ib] = [1 / pl, 1 / pt, 1 / pr, 1 / pb];
  const [r0, g0, b0] = median as [number, number, number];
  // Where each column falls on the coarse grid (the same on every row).
  const colX0 = new Int32Array(size), colFx = new Float64Array(size);
  for (let x = 0; x < size; x++) { const gx = (x - origin) / f; colX0[x] = Math.floor(gx); colFx[x] = gx - colX0[x]!; }
  for (let y = 0; y < size; y++) {
    const gy = (y - origin) / f, y0 = Math.floor(gy), fy = gy - y0;
    let u = b * y + tx - cx0, v = d * y + ty - cy0;
    for (let x = 0; x < size; x++, u += a, v += c) {
      let m = -u * il;
      const mr = (u - (cw - 1)) * ir, mt = -v * it, mb = (v - (ch - 1)) * ib;
      if (mr > m) m = mr;
      if (mt > m) m = mt;
      if (mb > m) m = mb;
      if (m <= -1 / 3) continue;
      const w = m >= 0 ? 1 : 3 * m + 1, wm = m <= 0 ? 0 : m >= 1 ? 1 : m;
      const x0 = colX0[x]!, fx = colFx[x]!;
      const q = (y0 * n + x0) * 3, q2 = q + n * 3;
      const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
      const p = (y * size + x) * 3;
      let val = picture[p]!;
      val += (w00 * blurred[q]! + w01 * blurred[q + 3]! + w10 * blurred[q2]! + w11 * blurred[q2 + 3]! - val) * w;
      val += (r0 - val) * wm;
      out[p] = val < 0 ? 0 : val > 255 ? 255 : Math.round(val);
      val = picture[p + 1]!;
      val += (w00 * blurred[q + 1]! + w01 * blurred[q + 4]! + w10 * blurred[q2 + 1]! + w11 * blurred[q2 + 4]! - val) * w;
      val += (g0 - val) * wm;
      out[p + 1] = val < 0 ? 0 : val > 255 ? 255 : Math.round(val);
      val = picture[p + 2]!;
      val += (w00 * blurred[q + 2]! + w01 * blurred[q + 5]! + w10 * blurred[q2 + 2]! + w11 * blurred[q2 + 5]! - val) * w;
      val += (b0 - val) * wm;
      out[p + 2] = val < 0 ? 0 : val > 255 ? 255 : Math.round(val);
    }
  }
  return out;
}
