import type { Raster } from './rasterize.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options for {@link vertexVisibility}. */
export interface VertexVisibilityOptions {
  /**
   * How far (in z units, i.e. image pixels for PRNet meshes) a vertex may lie
   * behind the z-buffer and still count as visible. Needed because the z-buffer
   * at the rounded pixel comes from a neighbouring point of the surface, not the
   * vertex itself; on a face, 1 to 2 pixels separates the surface from a fold.
   */
  tolerance?: number;
}

export const VERTEX_VISIBILITY_DEFAULTS: Required<VertexVisibilityOptions> = {
  tolerance: 1,
};

/**
 * Which vertices are seen by the camera: a vertex is visible when it lies inside
 * the image and its z is at least the z-buffer at its rounded pixel minus
 * `tolerance` (an empty pixel, on the mesh border, counts as visible).
 *
 * ```ts
 * const raster = rasterize(vertices, triangles, w, h);
 * const visible = vertexVisibility(vertices, raster); // 1 visible, 0 hidden
 * ```
 *
 * @returns one byte per vertex: 1 visible, 0 hidden or outside the image.
 */
export function vertexVisibility(
  vertices: Float32Array | Float64Array,
  raster: Raster,
  options: VertexVisibilityOptions = {},
): Uint8Array {
  const { tolerance } = withDefaults(VERTEX_VISIBILITY_DEFAULTS, options);
  const { width, height, depth } = raster;
  const nv = vertices.length / 3;
  const visible = new Uint8Array(nv);
  for (let i = 0; i < nv; i++) {
    const x = Math.round(vertices[3 * i]);
    const y = Math.round(vertices[3 * i + 1]);
    if (!(x >= 0 && x < width && y >= 0 && y < height)) continue; // also rejects NaN
    if (vertices[3 * i + 2] >= depth[y * width + x] - tolerance) visible[i] = 1;
  }
  return visible;
}
