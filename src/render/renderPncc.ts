import type { RgbImage } from '../io/rgbImage.js';
import { renderTexture } from './renderTexture.js';

/**
 * The PNCC picture of a photo's faces (3DDFA's projected normalized coordinate code): every
 * face's mesh drawn with its vertices' NCC colours ({@link nccColors}) into one z-buffer,
 * so where faces overlap the nearest surface shows; black where no face is. Red, green and
 * blue are the mean face's x, y and z of the point each pixel shows.
 *
 * ```ts
 * const ncc = nccColors(assets.canonicalVertices);
 * const pncc = renderPncc(faces.map((f) => f.vertices), assets.triangles, ncc, photo.width, photo.height);
 * ```
 *
 * @param meshes each face's `n×3` vertices in image coordinates (x right, y down, z toward the viewer).
 * @param triangles the shared `m×3` triangles.
 * @param ncc `n×3` colours in 0…1, one per vertex.
 */
export function renderPncc(
  meshes: ReadonlyArray<Float32Array | Float64Array>,
  triangles: Uint32Array | Int32Array,
  ncc: Float32Array,
  width: number,
  height: number,
): RgbImage {
  const n = ncc.length / 3;
  for (const m of meshes) if (m.length !== ncc.length) throw new Error(`renderPncc: a mesh has ${m.length / 3} vertices, the colours ${n}`);
  if (meshes.length === 0) return { width, height, data: new Uint8Array(width * height * 3) };
  // One mesh of all faces, so one z-buffer decides between them.
  const vertices = new Float32Array(meshes.length * n * 3);
  const colors = new Float32Array(meshes.length * n * 3);
  const tris = new Uint32Array(meshes.length * triangles.length);
  meshes.forEach((m, k) => {
    vertices.set(m, k * n * 3);
    colors.set(ncc, k * n * 3);
    for (let i = 0; i < triangles.length; i++) tris[k * triangles.length + i] = triangles[i]! + k * n;
  });
  return renderTexture(colors, vertices, tris, width, height).image;
}
