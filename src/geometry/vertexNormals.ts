import { hypot3 } from '../io/hypot3.js';

/** Options of {@link vertexNormals}. */
export interface VertexNormalsOptions {
  /** Read each triangle with corners b and c swapped (the opposite winding). */
  reverse?: boolean;
  /** Where to write (a new `Float32Array(positions.length)` by default); may be an interleaved vertex buffer. */
  out?: Float32Array;
  /** Floats from one vertex's normal to the next in `out`. */
  stride?: number;
  /** Index in `out` of the first vertex's normal. */
  offset?: number;
}

/** Defaults of {@link VertexNormalsOptions}. */
export const VERTEX_NORMALS_DEFAULTS = { reverse: false, stride: 3, offset: 0 };

/**
 * Area-weighted smooth vertex normals of a triangle mesh (each triangle's cross product
 * added to its three corners, then normalised, in float64); an unused or degenerate vertex
 * gets +z (toward the viewer). Used by the GLB writer and the demo's 3D view.
 *
 * ```ts
 * const normals = vertexNormals(face.vertices, assets.triangles);
 * vertexNormals(positions, triangles, { out: interleaved, stride: 8, offset: 3 });
 * ```
 */
export function vertexNormals(positions: Float32Array, triangles: Uint32Array | Int32Array, options: VertexNormalsOptions = {}): Float32Array {
  const reverse = options.reverse ?? VERTEX_NORMALS_DEFAULTS.reverse;
  const stride = options.stride ?? VERTEX_NORMALS_DEFAULTS.stride;
  const offset = options.offset ?? VERTEX_NORMALS_DEFAULTS.offset;
  const p = positions;
  const out = options.out ?? new Float32Array(p.length);
  const n = Math.floor(p.length / 3);
  if (out.length < offset + stride * (n - 1) + 3) throw new Error(`vertexNormals: out holds ${out.length} floats, ${n} normals need ${offset + stride * (n - 1) + 3}`);
  const acc = new Float64Array(3 * n);
  const m = Math.floor(triangles.length / 3);
  const kb = reverse ? 2 : 1, kc = reverse ? 1 : 2;
  for (let t = 0; t < m; t++) {
    const a = 3 * (triangles[3 * t]! >>> 0), b = 3 * (triangles[3 * t + kb]! >>> 0), c = 3 * (triangles[3 * t + kc]! >>> 0);
    const ux = p[b]! - p[a]!, uy = p[b + 1]! - p[a + 1]!, uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!, vy = p[c + 1]! - p[a + 1]!, vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    acc[a] += nx; acc[a + 1] += ny; acc[a + 2] += nz;
    acc[b] += nx; acc[b + 1] += ny; acc[b + 2] += nz;
    acc[c] += nx; acc[c + 1] += ny; acc[c + 2] += nz;
  }
  for (let i = 0, o = offset; i < 3 * n; i += 3, o += stride) {
    const x = acc[i]!, y = acc[i + 1]!, z = acc[i + 2]!;
    const l = hypot3(x, y, z);
    if (l > 0) { out[o] = x / l; out[o + 1] = y / l; out[o + 2] = z / l; }
    else { out[o] = 0; out[o + 1] = 0; out[o + 2] = 1; }
  }
  return out;
}
