/**
 * The one bilinear sampler of 8-bit interleaved RGB images (`width · height · 3` bytes,
 * row-major): pixel centres at integer coordinates, and a neighbour outside the image
 * counts as black — skimage `warp(order=1, mode='constant', cval=0)`, as official PRNet
 * crops its input and face3d crops its training data. Pure and isomorphic.
 */

/**
 * Adds the bilinear sample of `data` at `(x, y)` to `acc[0..2]` (0–255 scale), one
 * weighted neighbour at a time in the order (x0, y0), (x0 + 1, y0), (x0, y0 + 1),
 * (x0 + 1, y0 + 1); neighbours outside the image add nothing. Adding into a float64
 * accumulator lets a caller average several samples per output pixel (supersampling)
 * with the same rounding as sampling them one by one.
 *
 * ```ts
 * const acc = [0, 0, 0];
 * addBilinearSample(image.data, image.width, image.height, 10.25, 4.5, acc); // acc: r, g, b
 * ```
 */
export function addBilinearSample(data: ArrayLike<number>, width: number, height: number, x: number, y: number, acc: Float64Array | number[]): void {
  const x0 = Math.floor(x), y0 = Math.floor(y);
  if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) return; // all four neighbours outside
  const fx = x - x0, fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
    // Interior: all four neighbours inside.
    const p = (y0 * width + x0) * 3, q = p + width * 3;
    const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
    acc[0] += w00 * data[p]!; acc[0] += w01 * data[p + 3]!; acc[0] += w10 * data[q]!; acc[0] += w11 * data[q + 3]!;
    acc[1] += w00 * data[p + 1]!; acc[1] += w01 * data[p + 4]!; acc[1] += w10 * data[q + 1]!; acc[1] += w11 * data[q + 4]!;
    acc[2] += w00 * data[p + 2]!; acc[2] += w01 * data[p + 5]!; acc[2] += w10 * data[q + 2]!; acc[2] += w11 * data[q + 5]!;
    return;
  }
  for (let dy = 0; dy < 2; dy++) {
    const yy = y0 + dy;
    if (yy < 0 || yy >= height) continue;
    const wy = dy ? fy : 1 - fy;
    for (let dx = 0; dx < 2; dx++) {
      const xx = x0 + dx;
      if (xx < 0 || xx >= width) continue;
      const w = wy * (dx ? fx : 1 - fx);
      const p = (yy * width + xx) * 3;
      acc[0] += w * data[p]!; acc[1] += w * data[p + 1]!; acc[2] += w * data[p + 2]!;
    }
  }
}

/** Options of {@link warpBilinear}. */
export interface WarpBilinearOptions {
  /**
   * Per-channel multipliers applied after sampling (colour augmentation); the results are
   * clamped to at most 1.
   */
  colorScale?: readonly [number, number, number];
  /** Write here (at `offset`) instead of allocating. */
  out?: Float32Array;
  /** Element offset into `out`. */
  offset?: number;
}

/**
 * Warps an 8-bit RGB image into a `side × side` float crop, RGB in [0, 1], HWC: output
 * pixel `(x, y)` is {@link addBilinearSample} of the source at `sourceFromOut(x, y)`,
 * divided by 255 (times `colorScale`, clamped to ≤ 1).
 *
 * ```ts
 * const crop = warpBilinear(image.data, image.width, image.height, affineInvert(imageToCrop), 256);
 * ```
 *
 * @param sourceFromOut 2×3 affine `[a, b, tx, c, d, ty]` taking output pixels to source pixels.
 */
export function warpBilinear(
  data: ArrayLike<number>,
  width: number,
  height: number,
  sourceFromOut: ArrayLike<number>,
  side: number,
  options: WarpBilinearOptions = {},
): Float32Array {
  const n = side * side * 3;
  const base = options.offset ?? 0;
  if (options.out && options.out.length < base + n) throw new Error(`warpBilinear: output buffer holds ${options.out.length} floats, needs ${base + n}`);
  const out = options.out ?? new Float32Array(n);
  const cs = options.colorScale;
  const s0 = (cs ? cs[0] : 1) / 255, s1 = (cs ? cs[1] : 1) / 255, s2 = (cs ? cs[2] : 1) / 255;
  const [a, b, tx, c, d, ty] = [sourceFromOut[0]!, sourceFromOut[1]!, sourceFromOut[2]!, sourceFromOut[3]!, sourceFromOut[4]!, sourceFromOut[5]!];
  const acc = new Float64Array(3);
  let o = base;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++, o += 3) {
      acc[0] = 0; acc[1] = 0; acc[2] = 0;
      addBilinearSample(data, width, height, a * x + b * y + tx, c * x + d * y + ty, acc);
      const r = acc[0] * s0, g = acc[1] * s1, bl = acc[2] * s2;
      out[o] = r > 1 ? 1 : r; out[o + 1] = g > 1 ? 1 : g; out[o + 2] = bl > 1 ? 1 : bl;
    }
  }
  return out;
}
