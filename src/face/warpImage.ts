import type { RgbImage } from '../io/rgbImage.js';
import { affineInvert, affineScale } from '../geometry/affine2d.js';

/**
 * Warps an image into a square crop for the network: output pixel (x, y) samples the
 * source at `transform⁻¹(x, y)` bilinearly (pixel centres at integer coordinates, as
 * skimage), neighbours outside the image count as 0 — what official
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
  const dst = out ?? new Float32Array(n);
  const inv = affineInvert(transform);
  const { width: w, height: h, data } = image;
  const k = 1 / 255;
  let o = 0;
  for (let y = 0; y < outSize; y++) {
    for (let x = 0; x < outSize; x++, o += 3) {
      const sx = inv[0]! * x + inv[1]! * y + inv[2]!;
      const sy = inv[3]! * x + inv[4]! * y + inv[5]!;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let r = 0;
      let g = 0;
      let b = 0;
      // Four neighbours; those outside the image contribute 0.
      for (let j = 0; j < 2; j++) {
        const yy = y0 + j;
        if (yy < 0 || yy >= h) continue;
        const wy = j ? fy : 1 - fy;
        for (let i = 0; i < 2; i++) {
          const xx = x0 + i;
          if (xx < 0 || xx >= w) continue;
          const wgt = wy * (i ? fx : 1 - fx);
          if (wgt === 0) continue;
          const p = (yy * w + xx) * 3;
          r += wgt * data[p]!;
          g += wgt * data[p + 1]!;
          b += wgt * data[p + 2]!;
        }
      }
      dst[o] = r * k;
      dst[o + 1] = g * k;
      dst[o + 2] = b * k;
    }
  }
  return dst;
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
