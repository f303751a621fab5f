import type { GrayImage } from '../io/grayImage.js';
import { rasterize, type Raster } from './rasterize.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options for {@link renderDepth}. */
export interface RenderDepthOptions {
  /**
   * How z becomes 8 bits. `'range'`: the nearest pixel is 255 and the farthest 1
   * (background 0), so the relief is visible whatever the face's distance.
   * `'max'`: `255·z / max z` like the official `get_depth_image(isShow=True)`,
   * clamped to 0…255 (far faces look flat).
   */
  normalize?: 'range' | 'max';
  /** A raster of the same mesh and size, if already computed (saves a pass). */
  raster?: Raster;
}

export const RENDER_DEPTH_DEFAULTS: Required<Omit<RenderDepthOptions, 'raster'>> = {
  normalize: 'range',
};

/** Result of {@link renderDepth}. */
export interface DepthRendering {
  /** Raw z-buffer, row-major, `-Infinity` where no surface. */
  depth: Float32Array;
  /** 8-bit depth picture for a PNG: brighter is closer, 0 is background. */
  image: GrayImage;
}

/**
 * Depth map of a mesh in image space (the official `get_depth_image`).
 *
 * ```ts
 * const { depth, image } = renderDepth(vertices, triangles, photo.width, photo.height);
 * await writeFileAtomic('depth.png', await encodePng(image));
 * ```
 */
export function renderDepth(
  vertices: Float32Array | Float64Array,
  triangles: Uint32Array | Int32Array,
  width: number,
  height: number,
  options: RenderDepthOptions = {},
): DepthRendering {
  const { normalize } = withDefaults(RENDER_DEPTH_DEFAULTS, options);
  const raster = options.raster ?? rasterize(vertices, triangles, width, height);
  if (raster.width !== width || raster.height !== height) {
    throw new Error(`renderDepth: raster is ${raster.width}×${raster.height}, expected ${width}×${height}`);
  }
  const depth = raster.depth;
  const n = width * height;
  let zMin = Infinity, zMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const z = depth[i];
    if (z === -Infinity) continue;
    if (z < zMin) zMin = z;
    if (z > zMax) zMax = z;
  }
  const data = new Uint8Array(n);
  if (zMax > -Infinity) {
    if (normalize === 'max') {
      const s = zMax > 0 ? 255 / zMax : 0;
      for (let i = 0; i < n; i++) {
        const z = depth[i];
        if (z !== -Infinity) data[i] = Math.min(255, Math.max(0, Math.round(z * s)));
      }
    } else {
      // Map [zMin, zMax] to [1, 255]; 0 stays reserved for "no surface".
      const s = zMax > zMin ? 254 / (zMax - zMin) : 0;
      for (let i = 0; i < n; i++) {
        const z = depth[i];
        if (z !== -Infinity) data[i] = 1 + Math.round((z - zMin) * s);
      }
    }
  }
  return { depth, image: { width, height, data, channels: 1 } };
}
