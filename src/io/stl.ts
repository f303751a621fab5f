/**
 * Binary STL, the file slicers read for 3D printing: an 80-byte header, the triangle
 * count, then per triangle its unit normal, three corners (float32, little-endian) and a
 * 16-bit attribute (0). STL has no units; slicers take millimetres. Isomorphic.
 */

/** Bytes of a binary STL header. */
const STL_HEADER_BYTES = 80;
/** Bytes per triangle: normal and three corners (12 float32) and the attribute word. */
const STL_TRIANGLE_BYTES = 50;

/** A triangle mesh to write (`n×3` positions, `m×3` indices, counter-clockwise seen from outside). */
export interface StlMesh {
  vertices: Float32Array | Float64Array;
  triangles: Uint32Array | Int32Array;
}

/**
 * Encodes a mesh as binary STL. Normals are computed from each triangle's winding
 * (zero for a degenerate triangle, which slicers recompute).
 *
 * ```ts
 * await writeFile('face.stl', encodeStl(faceRelief(face.frontalVertices, assets.triangles)));
 * ```
 *
 * @param header Text for the 80-byte header (ASCII, cut at 80; must not start with "solid",
 *   which would make readers take the file for ASCII STL).
 */
export function encodeStl(mesh: StlMesh, header = 'prnet face relief, millimetres'): Uint8Array {
  const { vertices: v, triangles: t } = mesh;
  if (v.length % 3 !== 0 || t.length % 3 !== 0) throw new Error(`encodeStl: need n×3 vertices and m×3 indices, got ${v.length} and ${t.length} values`);
  if (/^\s*solid/i.test(header)) throw new Error('encodeStl: a binary STL header must not start with "solid"');
  const m = t.length / 3;
  const n = v.length / 3;
  const out = new Uint8Array(STL_HEADER_BYTES + 4 + m * STL_TRIANGLE_BYTES);
  const view = new DataView(out.buffer);
  for (let i = 0; i < Math.min(header.length, STL_HEADER_BYTES); i++) out[i] = header.charCodeAt(i) & 0x7f;
  view.setUint32(STL_HEADER_BYTES, m, true);
  let o = STL_HEADER_BYTES + 4;
  for (let k = 0; k < m; k++) {
    const a = t[3 * k]!, b = t[3 * k + 1]!, c = t[3 * k + 2]!;
    if (a >= n || b >= n || c >= n) throw new Error(`encodeStl: triangle ${k} refers to vertex ${Math.max(a, b, c)} of ${n}`);
    const ax = v[3 * a]!, ay = v[3 * a + 1]!, az = v[3 * a + 2]!;
    const ux = v[3 * b]! - ax, uy = v[3 * b + 1]! - ay, uz = v[3 * b + 2]! - az;
    const wx = v[3 * c]! - ax, wy = v[3 * c + 1]! - ay, wz = v[3 * c + 2]! - az;
    let nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
    const len = Math.hypot(nx, ny, nz);
    if (len > 0) { nx /= len; ny /= len; nz /= len; }
    view.setFloat32(o, nx, true); view.setFloat32(o + 4, ny, true); view.setFloat32(o + 8, nz, true);
    o += 12;
    for (const p of [a, b, c]) {
      view.setFloat32(o, v[3 * p]!, true); view.setFloat32(o + 4, v[3 * p + 1]!, true); view.setFloat32(o + 8, v[3 * p + 2]!, true);
      o += 12;
    }
    o += 2; // attribute byte count: 0
  }
  return out;
}
