/**
 * Barycentric weights of the point (x, y) in triangle `t`, in the triangle's own
 * vertex order: `p = w0·v0 + w1·v1 + w2·v2`, `w0 + w1 + w2 = 1`. Pair it with
 * {@link rasterize}'s triangle ids to interpolate any per-vertex attribute at a
 * pixel without storing weights for every overdrawn pixel.
 *
 * ```ts
 * const w = new Float64Array(3);
 * const t = raster.triangleIds[y * raster.width + x];
 * if (t >= 0) barycentric(vertices, triangles, t, x, y, w);
 * ```
 *
 * @returns `out`, or `out` filled with NaN for a degenerate triangle.
 */
export function barycentric(
  vertices: Float32Array | Float64Array,
  triangles: Uint32Array | Int32Array,
  t: number,
  x: number,
  y: number,
  out: Float64Array | Float32Array = new Float64Array(3),
): Float64Array | Float32Array {
  const i0 = 3 * triangles[3 * t], i1 = 3 * triangles[3 * t + 1], i2 = 3 * triangles[3 * t + 2];
  const ax = vertices[i0], ay = vertices[i0 + 1];
  const bx = vertices[i1], by = vertices[i1 + 1];
  const cx = vertices[i2], cy = vertices[i2 + 1];
  const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  if (area === 0) {
    out[0] = out[1] = out[2] = NaN;
    return out;
  }
  const w1 = ((x - ax) * (cy - ay) - (y - ay) * (cx - ax)) / area;
  const w2 = ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / area;
  out[0] = 1 - w1 - w2;
  out[1] = w1;
  out[2] = w2;
  return out;
}
