import type { RgbImage } from '../io/rgbImage.js';
import { rasterize, type Raster } from './rasterize.js';

/** Options for {@link renderTexture}. */
export interface RenderTextureOptions {
  /** A raster of the same vertices, triangles and size, if already computed. */
  raster?: Raster;
  /** Picture to draw over (copied, not modified); default black. Must be `width×height`. */
  background?: RgbImage;
  /**
   * Per-vertex opacity, 0…1 (`n` values), interpolated like the colours: each pixel is the
   * background mixed with the colour by it, and pixels of opacity 0 are left out (not in the
   * mask). Opaque by default.
   */
  opacity?: Float32Array;
}

/** Result of {@link renderTexture}. */
export interface TextureRendering {
  /** The rendered picture (the background where the mesh is absent). */
  image: RgbImage;
  /** Coverage, row-major `width·height`: 1 where the mesh was drawn, else 0. */
  mask: Uint8Array;
}

/**
 * Renders a mesh with per-vertex colours, interpolated across each triangle with
 * barycentric weights (the official `render_texture`, used for face swapping).
 * For a UV texture, turn it into per-vertex colours first with
 * {@link uvTextureColors}.
 *
 * ```ts
 * const colors = uvTextureColors(newTexture, uv.faceIndices);
 * const { image, mask } = renderTexture(colors, vertices, triangles, w, h, { background: photo });
 * ```
 *
 * @param colors `n×3` per vertex: floats in 0…1, or bytes 0…255 (Uint8Array).
 */
export function renderTexture(
  colors: Float32Array | Float64Array | Uint8Array,
  vertices: Float32Array | Float64Array,
  triangles: Uint32Array | Int32Array,
  width: number,
  height: number,
  options: RenderTextureOptions = {},
): TextureRendering {
  if (colors.length !== vertices.length) {
    throw new Error(`renderTexture: ${colors.length / 3} colours for ${vertices.length / 3} vertices`);
  }
  const raster = options.raster ?? rasterize(vertices, triangles, width, height);
  if (raster.width !== width || raster.height !== height) {
    throw new Error(`renderTexture: raster is ${raster.width}×${raster.height}, expected ${width}×${height}`);
  }
  const bg = options.background;
  if (bg && (bg.width !== width || bg.height !== height)) {
    throw new Error(`renderTexture: background is ${bg.width}×${bg.height}, expected ${width}×${height}`);
  }
  const opacity = options.opacity;
  if (opacity && opacity.length * 3 !== vertices.length) throw new Error(`renderTexture: ${opacity.length} opacities for ${vertices.length / 3} vertices`);
  const scale = colors instanceof Uint8Array ? 1 : 255;
  const data = bg ? bg.data.slice() : new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height);
  const ids = raster.triangleIds;
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const t = ids[p];
      if (t < 0) continue;
      const i0 = 3 * triangles[3 * t], i1 = 3 * triangles[3 * t + 1], i2 = 3 * triangles[3 * t + 2];
      const ax = vertices[i0], ay = vertices[i0 + 1];
      const bx = vertices[i1], by = vertices[i1 + 1];
      const cx = vertices[i2], cy = vertices[i2 + 1];
      const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
      const w1 = ((x - ax) * (cy - ay) - (y - ay) * (cx - ax)) / area;
      const w2 = ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / area;
      const w0 = 1 - w1 - w2;
      const o = 3 * p;
      let r = (w0 * colors[i0] + w1 * colors[i1] + w2 * colors[i2]) * scale;
      let g = (w0 * colors[i0 + 1] + w1 * colors[i1 + 1] + w2 * colors[i2 + 1]) * scale;
      let b = (w0 * colors[i0 + 2] + w1 * colors[i1 + 2] + w2 * colors[i2 + 2]) * scale;
      if (opacity) {
        const a = w0 * opacity[i0 / 3] + w1 * opacity[i1 / 3] + w2 * opacity[i2 / 3];
        if (!(a > 0)) continue;
        if (a < 1) {
          r = data[o] * (1 - a) + r * a;
          g = data[o + 1] * (1 - a) + g * a;
          b = data[o + 2] * (1 - a) + b * a;
        }
      }
      // Clamp, then round half up (+0.5 and truncation by the Uint8Array store).
      data[o] = r <= 0 ? 0 : r >= 255 ? 255 : r + 0.5;
      data[o + 1] = g <= 0 ? 0 : g >= 255 ? 255 : g + 0.5;
      data[o + 2] = b <= 0 ? 0 : b >= 255 ? 255 : b + 0.5;
      mask[p] = 1;
    }
  }
  return { image: { width, height, data }, mask };
}
