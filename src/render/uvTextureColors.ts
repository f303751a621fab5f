import type { RgbImage } from '../io/rgbImage.js';

/**
 * Per-vertex colours read from a UV texture: vertex i takes the texel at
 * `faceIndices[i]` (the official `get_colors_from_texture`). Inverse of
 * scattering vertex colours into UV space; feeds {@link renderTexture}.
 *
 * ```ts
 * const colors = uvTextureColors(texture, uv.faceIndices); // Float32Array n×3, 0…1
 * ```
 *
 * @param texture a square UV texture (256×256 for PRNet).
 * @param faceIndices flat row-major texel index of each vertex.
 */
export function uvTextureColors(texture: RgbImage, faceIndices: Uint32Array | Int32Array): Float32Array {
  const n = texture.width * texture.height;
  const out = new Float32Array(faceIndices.length * 3);
  const s = 1 / 255;
  for (let i = 0; i < faceIndices.length; i++) {
    const k = faceIndices[i];
    if (k >= n) throw new Error(`uvTextureColors: face index ${k} is outside the ${texture.width}×${texture.height} texture`);
    out[3 * i] = texture.data[3 * k] * s;
    out[3 * i + 1] = texture.data[3 * k + 1] * s;
    out[3 * i + 2] = texture.data[3 * k + 2] * s;
  }
  return out;
}
