import type { RgbImage } from '../io/rgbImage.js';
import { affineInvert, affineScale } from '../geometry/affine2d.js';
import { warpBilinear } from '../geometry/bilinear.js';

/**
 * Warps an image into a square crop for the network: output pixel (x, y) samples the
 * source at `transform⁻¹(x, y)` bilinearly ({@link warpBilinear}: pixel centres at integer
 * coordinates, as skimage), neighbours outside the image count as 0 — what official
 * `warp(image / 255, tform.inverse, output_shape=…)` does (order 1, constant 0).
 * Returns `outSize · outSize · 3` floats, RGB in [0, 1], HWC (one NHWC batch item);
 * pass `out` to write into part of a batch buffer instead.
 *
 * ```ts
 * const input = warpImage(image, cropTransform(center, size, 256), 256);
 * ```
 */
export function warpImage(image: RgbImage, transform: ArrayLike<number>, outSize: number, out?: Float32Array): Float32Array {
  const n = outSize * outSize * 3;
  if (out && out.length < n) throw new Error(`warpImage: output buffer holds ${out.length} floats, needs ${n}`);
  return warpBilinear(image.data, image.width, image.height, affineInvert(transform), outSize, { out });
}

/**
 * Restores a position map from crop pixels to image coordinates, as official `api.py`:
 * x, y go through `transform⁻¹`, z is divided by the transform's scale (official
 * `z / tform.params[0, 0]`, the same for PRNet's unrotated crops), so z keeps the
 * image's pixel units. `positionMap` is `k · 3` floats (any number of points); `transform`
 * is the image → crop map the map was predicted in (256×256 frame).
 *
 * ```ts
 * const inImage = restorePositionMap(cropMap, cropTransform(center, size, 256));
 * ```
 */
export function restorePositionMap(positionMap: Float32Array, transform: ArrayLike<number>): Float32Array {
  if (positionMap.length % 3 !== 0) throw new Error(`position map length ${positionMap.length} is not a multiple of 3`);
  const inv = affineInvert(transform);
  const zScale = 1 / affineScale(transform);
  const out = new Float32Array(positionMap.length);
  for (let i = 0; i < positionMap.length; i += 3) {
    const x = positionMap[i]!;
    const y = positionMap[i + 1]!;
    out[i] = inv[0]! * x + inv[1]! * y + inv[2]!;
    out[i + 1] = inv[3]! * x + inv[4]! * y + inv[5]!;
    out[i + 2] = positionMap[i + 2]! * zScale;
  }
  return out;
}
