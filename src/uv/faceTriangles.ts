import { POSITION_MAP_SIZE } from '../model/resfcn.js';

/** Triangle count of the official `triangles.txt` (and of {@link faceTriangles} on the official `face_ind.txt`). */
export const FACE_TRIANGLE_COUNT = 86907;

/**
 * Rebuilds the official PRNet triangle list from `faceIndices` (the official
 * `triangles.txt` is not distributed with the code we use).
 *
 * Rule: triangulate the whole UV grid, two triangles per 2×2 pixel block
 * `a=(x,y) b=(x+1,y) c=(x,y+1) d=(x+1,y+1)` split along the b–c diagonal into
 * `(a, b, c)` and `(b, d, c)`, and keep every triangle whose three corners are face
 * pixels. On the official `face_ind.txt` this gives exactly 86,907 triangles
 * (43,425 full blocks give 86,850; 57 come from blocks with three face corners).
 * Requiring all four corners would give 86,850; the a–d diagonal would also give
 * 86,907 but different triangles.
 *
 * Winding: with the usual cross product `(v1 − v0) × (v2 − v0)` on positions in
 * image coordinates (x right, y down, z toward the viewer), the normal of a
 * front-facing triangle has z > 0, i.e. the triangles keep the UV map's orientation.
 * Formats with y up (OBJ, glTF) flip y, so writers reverse each triangle there, as
 * the official `write_obj_with_colors` does (`f v2 v1 v0` after `y = h − 1 − y`).
 *
 * Triangles are ordered by block (rows top to bottom, columns left to right), and
 * their indices point into the `faceIndices` (vertex) order.
 *
 * ```ts
 * const triangles = faceTriangles(assets.faceIndices); // Uint32Array(86907 · 3)
 * ```
 */
export function faceTriangles(faceIndices: Uint32Array, uvSize: number = POSITION_MAP_SIZE): Uint32Array {
  const vertexOf = new Int32Array(uvSize * uvSize).fill(-1);
  for (let i = 0; i < faceIndices.length; i++) {
    const p = faceIndices[i]!;
    if (p >= uvSize * uvSize) throw new Error(`face index ${p} is outside a ${uvSize}×${uvSize} UV map`);
    vertexOf[p] = i;
  }
  const out: number[] = [];
  for (let y = 0; y < uvSize - 1; y++) {
    for (let x = 0; x < uvSize - 1; x++) {
      const a = vertexOf[y * uvSize + x]!;
      const b = vertexOf[y * uvSize + x + 1]!;
      const c = vertexOf[(y + 1) * uvSize + x]!;
      const d = vertexOf[(y + 1) * uvSize + x + 1]!;
      if (a >= 0 && b >= 0 && c >= 0) out.push(a, b, c);
      if (b >= 0 && d >= 0 && c >= 0) out.push(b, d, c);
    }
  }
  return Uint32Array.from(out);
}
