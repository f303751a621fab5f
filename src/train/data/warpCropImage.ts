import { warpBilinear, type WarpBilinearOptions } from '../../geometry/bilinear.js';

/** Options of {@link warpCropImage}. */
export interface WarpCropImageOptions extends WarpBilinearOptions {
  /** Output side S (the crop is S×S). */
  side: number;
}

/**
 * Samples an S×S float crop (RGB in [0, 1], HWC) from an 8-bit RGB image with bilinear
 * interpolation, like skimage `warp(order=1, mode='constant', cval=0)` as the official
 * generator uses: pixel centres at integer coordinates, and a neighbour outside the
 * source counts as black, so the crop fades to black at the source's edge. The training
 * name of {@link warpBilinear} (the one sampler, which the inference crop uses too).
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
  return warpBilinear(src, width, height, sourceFromCrop, options.side, options);
}
