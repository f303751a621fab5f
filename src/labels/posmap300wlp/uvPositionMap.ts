import { barycentric } from '../../render/barycentric.js';
import { rasterize } from '../../render/rasterize.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link uvPositionMap}. */
export interface UvPositionMapOptions {
  /**
   * Reproduce face3d's `render_colors` border rule: a pixel within 2 of the map's edge is
   * written by the first triangle whose bounding box holds it, inside or not (values
   * extrapolated). Off: only pixels inside a triangle are written.
   */
  borderFill: boolean;
}

/** Defaults of {@link uvPositionMap}: as face3d. */
export const UV_POSITION_MAP_DEFAULTS: UvPositionMapOptions = { borderFill: true };

/**
 * The UV position map: the mesh drawn at its UV coordinates with each vertex's 3D position
 * as its colour (face3d `render_colors(uv_coords, full_triangles, position, h, w, c=3)`),
 * `size × size × 3` float32, HWC; pixels no triangle covers are 0.
 *
 * The UV vertices all have z = 0, so the depth test never replaces a pixel: the first
 * triangle (lowest index) that covers it wins, as in face3d (`p_depth > depth_buffer`,
 * strict). Our shared rasteriser keeps the lower index on equal depth too; it differs from
 * face3d only in who owns a pixel exactly on an edge (top-left rule vs face3d's
 * barycentric `u ≥ 0, v ≥ 0, u + v < 1`), where both triangles interpolate the same value
 * on a shared edge.
 *
 * ```ts
 * const map = uvPositionMap(model.uvCoords, model.triangles, position, 256);
 * ```
 *
 * @param uvCoords `n × 3` UV pixel coordinates (z ignored).
 * @param triangles `m × 3` vertex indices.
 * @param position `n × 3` colours (the vertices' crop positions).
 */
export function uvPositionMap(
  uvCoords: Float32Array | Float64Array,
  triangles: Uint32Array,
  position: Float64Array | Float32Array,
  size: number,
  options: Partial<UvPositionMapOptions> = {},
): Float32Array {
  const o = withDefaults(UV_POSITION_MAP_DEFAULTS, options);
  if (position.length !== uvCoords.length) throw new Error(`uvPositionMap: ${position.length / 3} positions for ${uvCoords.length / 3} UV vertices`);
  // Flat UV plane: depth 0 everywhere (face3d's process_uv appends z = 0).
  const flat = uvCoords instanceof Float32Array ? new Float32Array(uvCoords.length) : new Float64Array(uvCoords.length);
  for (let i = 0; i < uvCoords.length; i += 3) {
    flat[i] = uvCoords[i]!;
    flat[i + 1] = uvCoords[i + 1]!;
  }
  const { triangleIds } = rasterize(flat, triangles, size, size);
  if (o.borderFill) borderOwners(flat, triangles, size, triangleIds);

  const out = new Float32Array(size * size * 3);
  const w = new Float64Array(3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      const t = triangleIds[p]!;
      if (t < 0) continue;
      barycentric(flat, triangles, t, x, y, w);
      // face3d's weights of a zero-area triangle are (1, 0, 0).
      if (Number.isNaN(w[0]!)) { w[0] = 1; w[1] = 0; w[2] = 0; }
      const a = triangles[t * 3]! * 3, b = triangles[t * 3 + 1]! * 3, c = triangles[t * 3 + 2]! * 3;
      for (let k = 0; k < 3; k++) out[p * 3 + k] = w[0]! * position[a + k]! + w[1]! * position[b + k]! + w[2]! * position[c + k]!;
    }
  }
  return out;
}

/**
 * face3d's border rule: within 2 pixels of the edge, the owner is the first triangle whose
 * (clipped, integer) bounding box holds the pixel. Overwrites those pixels of `ids`.
 */
function borderOwners(uv: Float32Array | Float64Array, triangles: Uint32Array, size: number, ids: Int32Array): void {
  const owner = new Int32Array(size * size).fill(-1);
  const m = triangles.length / 3;
  const mark = (x: number, y: number, t: number) => {
    const p = y * size + x;
    if (owner[p]! < 0) owner[p] = t;
  };
  for (let t = 0; t < m; t++) {
    const a = triangles[t * 3]! * 3, b = triangles[t * 3 + 1]! * 3, c = triangles[t * 3 + 2]! * 3;
    const x0 = Math.max(Math.ceil(Math.min(uv[a]!, uv[b]!, uv[c]!)), 0);
    const x1 = Math.min(Math.floor(Math.max(uv[a]!, uv[b]!, uv[c]!)), size - 1);
    const y0 = Math.max(Math.ceil(Math.min(uv[a + 1]!, uv[b + 1]!, uv[c + 1]!)), 0);
    const y1 = Math.min(Math.floor(Math.max(uv[a + 1]!, uv[b + 1]!, uv[c + 1]!)), size - 1);
    if (x1 < x0 || y1 < y0) continue;
    for (let y = y0; y <= y1; y++) {
      if (y < 2 || y > size - 3) {
        for (let x = x0; x <= x1; x++) mark(x, y, t);
      } else {
        for (let x = x0; x <= Math.min(x1, 1); x++) mark(x, y, t);
        for (let x = Math.max(x0, size - 2); x <= x1; x++) mark(x, y, t);
      }
    }
  }
  for (let p = 0; p < owner.length; p++) if (owner[p]! >= 0) ids[p] = owner[p]!;
}
