/** Options of {@link warpCropImage}. */
export interface WarpCropImageOptions {
  /** Output side S (the crop is S×S). */
  side: number;
  /** Per-channel multipliers applied after sampling (colour augmentation); results are clamped to [0, 1]. */
  colorScale?: readonly [number, number, number];
  /** Write here (at `offset`) instead of allocating. */
  out?: Float32Array;
  /** Element offset into `out`. */
  offset?: number;
}

/**
 * Samples an S×S float crop (RGB in [0, 1], HWC) from an 8-bit RGB image with bilinear
 * interpolation, like skimage `warp(order=1, mode='constant', cval=0)` as the official
 * generator uses: pixel centres at integer coordinates, and a neighbour outside the
 * source counts as black, so the crop fades to black at the source's edge.
 *
 * ```ts
 * const crop = warpCropImage(rgb, 120, 120, sourceFromCrop, { side: 256 });
 * ```
 *
 * @param sourceFromCrop 2×3 affine taking crop pixels to source pixels.
 */
export function warpCropImage(
  src: Uint8Array,
  width: number,
  height: number,
  sourceFromCrop: ArrayLike<number>,
  options: WarpCropImageOptions,
): Float32Array {
  const { side } = options;
  const out = options.out ?? new Float32Array(side * side * 3);
  const base = options.offset ?? 0;
  const cs = options.colorScale ?? [1, 1, 1];
  const s0 = cs[0] / 255, s1 = cs[1] / 255, s2 = cs[2] / 255;
  const [a, b, c, d, e, f] = [sourceFromCrop[0]!, sourceFromCrop[1]!, sourceFromCrop[2]!, sourceFromCrop[3]!, sourceFromCrop[4]!, sourceFromCrop[5]!];
  const clamp = (v: number) => (v > 1 ? 1 : v);
  for (let y = 0; y < side; y++) {
    let sx = b * y + c, sy = e * y + f;
    for (let x = 0; x < side; x++, sx += a, sy += d) {
      const o = base + (y * side + x) * 3;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        out[o] = 0; out[o + 1] = 0; out[o + 2] = 0;
        continue;
      }
      const fx = sx - x0, fy = sy - y0;
      let r = 0, g = 0, bl = 0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        // Interior fast path.
        const p = (y0 * width + x0) * 3, q = p + width * 3;
        const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        r = w00 * src[p]! + w01 * src[p + 3]! + w10 * src[q]! + w11 * src[q + 3]!;
        g = w00 * src[p + 1]! + w01 * src[p + 4]! + w10 * src[q + 1]! + w11 * src[q + 4]!;
        bl = w00 * src[p + 2]! + w01 * src[p + 5]! + w10 * src[q + 2]! + w11 * src[q + 5]!;
      } else {
        for (let dy = 0; dy < 2; dy++) {
          const yy = y0 + dy;
          if (yy < 0 || yy >= height) continue;
          const wy = dy ? fy : 1 - fy;
          for (let dx = 0; dx < 2; dx++) {
            const xx = x0 + dx;
            if (xx < 0 || xx >= width) continue;
            const w = wy * (dx ? fx : 1 - fx);
            const p = (yy * width + xx) * 3;
            r += w * src[p]!; g += w * src[p + 1]!; bl += w * src[p + 2]!;
          }
        }
      }
      out[o] = clamp(r * s0); out[o + 1] = clamp(g * s1); out[o + 2] = clamp(bl * s2);
    }
  }
  return out;
}
