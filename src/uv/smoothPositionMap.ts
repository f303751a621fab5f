/**
 * A Gaussian blur of a UV position map, per channel: the map's neighbouring texels are
 * neighbouring points of the face, so a blur of a texel or two smooths the surface (the
 * ripple a network's transposed convolutions leave from texel to texel) without moving
 * it. Separable, with the map's edge texels repeated beyond its border. Isomorphic.
 */
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link smoothPositionMap}. */
export interface SmoothPositionMapOptions {
  /** Standard deviation of the Gaussian, texels (> 0). The kernel reaches 3σ on each side. */
  sigma: number;
  /** Where to write (`size²·3` floats; not the input). A new array by default. */
  out?: Float32Array;
}

/** Defaults of {@link SmoothPositionMapOptions}. */
export const SMOOTH_POSITION_MAP_DEFAULTS: SmoothPositionMapOptions = { sigma: 1 };

/**
 * Blurs `map` (`size × size × 3`, row-major texels of x, y, z).
 *
 * ```ts
 * const smooth = smoothPositionMap(face.positionMap, assets.uvSize, { sigma: 1 });
 * const vertices = positionMapVertices(smooth, assets);
 * ```
 */
export function smoothPositionMap(map: Float32Array, size: number, options: Partial<SmoothPositionMapOptions> = {}): Float32Array {
  const o = withDefaults(SMOOTH_POSITION_MAP_DEFAULTS, options);
  if (!(o.sigma > 0 && Number.isFinite(o.sigma))) throw new Error(`smoothPositionMap: sigma must be a positive number, got ${o.sigma}`);
  if (map.length !== size * size * 3) throw new Error(`smoothPositionMap: a ${size}×${size}×3 map has ${size * size * 3} values, got ${map.length}`);
  const out = o.out ?? new Float32Array(map.length);
  if (out === map) throw new Error('smoothPositionMap: out must not be the input');
  const r = Math.ceil(3 * o.sigma);
  const kernel = new Float32Array(2 * r + 1);
  let total = 0;
  for (let k = -r; k <= r; k++) total += kernel[k + r] = Math.exp(-(k * k) / (2 * o.sigma * o.sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= total;
  const clamp = (i: number) => (i < 0 ? 0 : i >= size ? size - 1 : i);
  // Rows into a scratch map, then columns into `out`.
  const tmp = new Float32Array(map.length);
  for (let v = 0; v < size; v++) {
    const row = v * size;
    for (let u = 0; u < size; u++) {
      let x = 0, y = 0, z = 0;
      for (let k = -r; k <= r; k++) {
        const w = kernel[k + r]!, i = 3 * (row + clamp(u + k));
        x += w * map[i]!; y += w * map[i + 1]!; z += w * map[i + 2]!;
      }
      const o3 = 3 * (row + u);
      tmp[o3] = x; tmp[o3 + 1] = y; tmp[o3 + 2] = z;
    }
  }
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let x = 0, y = 0, z = 0;
      for (let k = -r; k <= r; k++) {
        const w = kernel[k + r]!, i = 3 * (clamp(v + k) * size + u);
        x += w * tmp[i]!; y += w * tmp[i + 1]!; z += w * tmp[i + 2]!;
      }
      const o3 = 3 * (v * size + u);
      out[o3] = x; out[o3 + 1] = y; out[o3 + 2] = z;
    }
  }
  return out;
}
