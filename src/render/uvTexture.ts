import type { RgbImage } from '../io/rgbImage.js';
import { withDefaults } from '../io/withDefaults.js';
import { addBilinearSample } from '../geometry/bilinear.js';

/** Options for {@link uvTexture}. */
export interface UvTextureOptions {
  /** Per texel (`size·size`): texels where it is 0 are left black (e.g. the UV face mask, or invisible texels). */
  mask?: Uint8Array;
  /**
   * `'bilinear'` (smooth), or `'nearest'` (the nearest pixel) as the official
   * demo's `cv2.remap(..., INTER_NEAREST)`.
   */
  interpolation?: 'bilinear' | 'nearest';
}

export const UV_TEXTURE_DEFAULTS: Required<Omit<UvTextureOptions, 'mask'>> = {
  interpolation: 'bilinear',
};

/**
 * Pulls the photo into UV space: `texture[v, u] = image(positionMap[v, u].xy)`, the
 * official `cv2.remap(image, pos[:, :, :2], ...)` with a black border (samples
 * outside the photo read 0, like `BORDER_CONSTANT`).
 *
 * ```ts
 * const texture = uvTexture(photo, positionMap, { mask: uv.faceMask });
 * ```
 *
 * @param positionMap `size×size×3` row-major, x and y in photo pixels (z unused).
 * @returns a `size×size` RGB texture, `size = sqrt(positionMap.length / 3)`.
 */
export function uvTexture(
  image: RgbImage,
  positionMap: Float32Array | Float64Array,
  options: UvTextureOptions = {},
): RgbImage {
  const { interpolation } = withDefaults(UV_TEXTURE_DEFAULTS, options);
  const mask = options.mask;
  const size = Math.round(Math.sqrt(positionMap.length / 3));
  if (size * size * 3 !== positionMap.length) {
    throw new Error(`uvTexture: position map has ${positionMap.length} values, not size×size×3`);
  }
  if (mask && mask.length !== size * size) {
    throw new Error(`uvTexture: mask has ${mask.length} values, expected ${size}×${size}`);
  }
  const { width, height, data } = image;
  const out = new Uint8Array(size * size * 3);
  const acc = new Float64Array(3);
  for (let i = 0; i < size * size; i++) {
    if (mask && mask[i] === 0) continue;
    const x = positionMap[3 * i], y = positionMap[3 * i + 1];
    if (!(x > -1 && x < width && y > -1 && y < height)) continue; // fully outside (or NaN): border 0
    const o = 3 * i;
    if (interpolation === 'nearest') {
      const xi = Math.round(x), yi = Math.round(y);
      if (xi < 0 || xi >= width || yi < 0 || yi >= height) continue;
      const p = 3 * (yi * width + xi);
      out[o] = data[p];
      out[o + 1] = data[p + 1];
      out[o + 2] = data[p + 2];
      continue;
    }
    // Neighbours outside the image contribute the border value 0.
    acc[0] = 0; acc[1] = 0; acc[2] = 0;
    addBilinearSample(data, width, height, x, y, acc);
    out[o] = Math.round(acc[0]); // Uint8Array assignment would truncate
    out[o + 1] = Math.round(acc[1]);
    out[o + 2] = Math.round(acc[2]);
  }
  return { width: size, height: size, data: out };
}
