/**
 * A Gaussian blur of a UV position map, per channel: the map's neighbouring texels are
 * neighbouring points of the face, so a blur of a texel or two smooths the surface (the
 * ripple a network's transposed convolutions leave from texel to texel) without moving
 * it. With a mask (the face's texels), only the texels whose whole kernel lies inside it
 * are blurred: the map outside the face was never trained, and a blur cut by the rim (a
 * normalised, one-sided one) would pull the rim inward by about a texel; the rim band keeps
 * the network's values. Separable, with the map's edge texels repeated beyond its border.
 * Isomorphic.
 */
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link smoothPositionMap}. */
export interface SmoothPositionMapOptions {
  /** Standard deviation of the Gaussian, texels (> 0). The kernel reaches 2σ on each side (95 % of its weight). */
  sigma: number;
  /** The face's texels (`size²`, non-zero = in; e.g. `assets.faceMask`): only those whose whole kernel lies inside are blurred, the others keep their values. All texels by default. */
  mask?: Uint8Array;
  /** Where to write (`size²·3` floats; the input itself is allowed). A new array by default. */
  out?: Float32Array;
}

/** Defaults of {@link SmoothPositionMapOptions}. */
export const SMOOTH_POSITION_MAP_DEFAULTS: SmoothPositionMapOptions = { sigma: 1 };

/**
 * Blurs `map` (`size × size × 3`, row-major texels of x, y, z).
 *
 * ```ts
 * const smooth = smoothPositionMap(face.positionMap, assets.uvSize, { sigma: 1, mask: assets.faceMask });
 * const vertices = positionMapVertices(smooth, assets);
 * ```
 */
export function smoothPositionMap(map: Float32Array, size: number, options: Partial<SmoothPositionMapOptions> = {}): Float32Array {
  const o = withDefaults(SMOOTH_POSITION_MAP_DEFAULTS, options);
  if (!(o.sigma > 0 && Number.isFinite(o.sigma))) throw new Error(`smoothPositionMap: sigma must be a positive number, got ${o.sigma}`);
  const n = size * size;
  if (map.length !== n * 3) throw new Error(`smoothPositionMap: a ${size}×${size}×3 map has ${n * 3} values, got ${map.length}`);
  if (o.mask && o.mask.length !== n) throw new Error(`smoothPositionMap: the mask has ${o.mask.length} texels, the map ${n}`);
  const out = o.out ?? new Float32Array(map.length);
  if (out.length !== map.length) throw new Error(`smoothPositionMap: out has ${out.length} values, the map ${map.length}`);
  const r = Math.ceil(2 * o.sigma);
  const kernel = new Float32Array(2 * r + 1);
  let total = 0;
  for (let k = -r; k <= r; k++) total += kernel[k + r] = Math.exp(-(k * k) / (2 * o.sigma * o.sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= total;
  // Separable: a row pass into a scratch map (only the rows the blurred texels reach), then a
  // column pass written at the texels to blur.
  const shape = o.mask ? maskShape(o.mask, size, r) : undefined;
  const tmp = scratchArray(3 * n);
  rowPass(map, tmp, size, kernel, r, shape ? Math.max(0, shape.v0 - r) : 0, shape ? Math.min(size - 1, shape.v1 + r) : size - 1);
  columnPass(tmp, map, out, size, kernel, r, shape);
  return out;
}

/** The row pass's scratch map, kept for the next call (the pipeline smooths one map per face). */
let scratch: Float32Array | undefined;
function scratchArray(length: number): Float32Array {
  if (scratch?.length !== length) scratch = new Float32Array(length);
  return scratch;
}

/** What the column pass needs of a mask: the texels to blur (those r texels or more inside it) and their rows' extent. */
interface MaskShape { v0: number; v1: number; inner: Uint8Array }
const shapeCache = new WeakMap<Uint8Array, Map<number, MaskShape>>();
function maskShape(mask: Uint8Array, size: number, r: number): MaskShape {
  let byRadius = shapeCache.get(mask);
  if (!byRadius) shapeCache.set(mask, (byRadius = new Map()));
  const cached = byRadius.get(r);
  if (cached) return cached;
  // The mask eroded by a (2r + 1)² square: rows first, then columns.
  const rows = new Uint8Array(size * size), inner = new Uint8Array(size * size);
  const inside = (u: number, v: number) => u >= 0 && v >= 0 && u < size && v < size && mask[v * size + u] !== 0;
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) {
    let all = 1;
    for (let k = -r; k <= r && all; k++) if (!inside(u + k, v)) all = 0;
    rows[v * size + u] = all;
  }
  let v0 = size, v1 = -1;
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) {
    let all = 1;
    for (let k = -r; k <= r && all; k++) if (v + k < 0 || v + k >= size || !rows[(v + k) * size + u]) all = 0;
    inner[v * size + u] = all;
    if (all) { v0 = Math.min(v0, v); v1 = Math.max(v1, v); }
  }
  const shape = { v0, v1, inner };
  byRadius.set(r, shape);
  return shape;
}

/** Rows `v0…v1` of `dst` ← the row blur of `map`; beyond a row's ends its end texel repeats. */
function rowPass(map: Float32Array, dst: Float32Array, size: number, kernel: Float32Array, r: number, v0: number, v1: number): void {
  const [g0, g1, g2] = [kernel[0]!, kernel[1]!, kernel[2]!];
  for (let v = v0; v <= v1; v++) {
    const row = v * size;
    for (let u = 0; u < size; u++) {
      let x = 0, y = 0, z = 0;
      if (r === 2 && u >= 2 && u < size - 2) {
        // σ ≤ 1, the default: five taps written out (about twice as fast as the loop in V8).
        const c = 3 * (row + u), a = c - 6, b = c - 3, d = c + 3, e = c + 6;
        x = g0 * (map[a]! + map[e]!) + g1 * (map[b]! + map[d]!) + g2 * map[c]!;
        y = g0 * (map[a + 1]! + map[e + 1]!) + g1 * (map[b + 1]! + map[d + 1]!) + g2 * map[c + 1]!;
        z = g0 * (map[a + 2]! + map[e + 2]!) + g1 * (map[b + 2]! + map[d + 2]!) + g2 * map[c + 2]!;
      } else {
        for (let k = -r; k <= r; k++) {
          const i = 3 * (row + (u + k < 0 ? 0 : u + k >= size ? size - 1 : u + k));
          const g = kernel[k + r]!;
          x += g * map[i]!; y += g * map[i + 1]!; z += g * map[i + 2]!;
        }
      }
      const o = 3 * (row + u);
      dst[o] = x; dst[o + 1] = y; dst[o + 2] = z;
    }
  }
}

/**
 * `out` ← the column blur of the row-blurred `src` at the texels to blur (all without a
 * mask); the others take `map`'s values. Beyond a column's ends its end texel repeats.
 */
function columnPass(src: Float32Array, map: Float32Array, out: Float32Array, size: number, kernel: Float32Array, r: number, shape: MaskShape | undefined): void {
  const [g0, g1, g2] = [kernel[0]!, kernel[1]!, kernel[2]!];
  const stride = 3 * size;
  const v0 = shape ? shape.v0 : 0, v1 = shape ? shape.v1 : size - 1;
  if (shape && out !== map) {
    for (let t = 0; t < size * size; t++) {
      if (shape.inner[t]) continue;
      out[3 * t] = map[3 * t]!; out[3 * t + 1] = map[3 * t + 1]!; out[3 * t + 2] = map[3 * t + 2]!;
    }
  }
  for (let v = v0; v <= v1; v++) {
    for (let u = 0; u < size; u++) {
      const t = v * size + u;
      if (shape && !shape.inner[t]) continue;
      let x = 0, y = 0, z = 0;
      if (r === 2 && v >= 2 && v < size - 2) {
        const c = 3 * t, a = c - 2 * stride, b = c - stride, d = c + stride, e = c + 2 * stride;
        x = g0 * (src[a]! + src[e]!) + g1 * (src[b]! + src[d]!) + g2 * src[c]!;
        y = g0 * (src[a + 1]! + src[e + 1]!) + g1 * (src[b + 1]! + src[d + 1]!) + g2 * src[c + 1]!;
        z = g0 * (src[a + 2]! + src[e + 2]!) + g1 * (src[b + 2]! + src[d + 2]!) + g2 * src[c + 2]!;
      } else {
        for (let k = -r; k <= r; k++) {
          const i = 3 * ((v + k < 0 ? 0 : v + k >= size ? size - 1 : v + k) * size + u);
          const g = kernel[k + r]!;
          x += g * src[i]!; y += g * src[i + 1]!; z += g * src[i + 2]!;
        }
      }
      const o = 3 * t;
      out[o] = x; out[o + 1] = y; out[o + 2] = z;
    }
  }
}
