/**
 * The official PRNet `frontalize`: fits, by least squares, the 3×4 affine map taking the
 * reconstructed vertices onto the canonical face, and applies it. The result is the face
 * in the canonical frame — pose removed, looking straight ahead — in canonical units.
 *
 * ```ts
 * const front = frontalize(face.vertices, assets.canonicalVertices);
 * ```
 *
 * @param vertices n×3 reconstructed vertices (image pixels).
 * @param canonicalVertices n×3 canonical face, same vertex order.
 * @returns n×3 frontalized vertices (float32).
 */
export function frontalize(vertices: Float32Array | Float64Array, canonicalVertices: Float32Array | Float64Array): Float32Array {
  const n = vertices.length / 3;
  if (canonicalVertices.length !== vertices.length) throw new Error(`frontalize: ${n} vertices but ${canonicalVertices.length / 3} canonical vertices`);
  // Normal equations in float64 around the centroid (better conditioned than raw
  // homogeneous coordinates, same least-squares solution).
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) mean[k] += vertices[3 * i + k];
  for (let k = 0; k < 3; k++) mean[k] /= n;
  const ata = new Float64Array(16);
  const atb = new Float64Array(12); // 4 rows × 3 targets
  const row = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    row[0] = vertices[3 * i] - mean[0];
    row[1] = vertices[3 * i + 1] - mean[1];
    row[2] = vertices[3 * i + 2] - mean[2];
    row[3] = 1;
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) ata[4 * a + b] += row[a] * row[b];
      for (let t = 0; t < 3; t++) atb[3 * a + t] += row[a] * canonicalVertices[3 * i + t];
    }
  }
  const p = solve4(ata, atb); // 4×3: rows of the (centred) affine map
  const out = new Float32Array(vertices.length);
  for (let i = 0; i < n; i++) {
    const x = vertices[3 * i] - mean[0], y = vertices[3 * i + 1] - mean[1], z = vertices[3 * i + 2] - mean[2];
    for (let t = 0; t < 3; t++) out[3 * i + t] = x * p[t] + y * p[3 + t] + z * p[6 + t] + p[9 + t];
  }
  return out;
}

/** Solves the 4×4 system `A X = B` (B: 4×3) by Gaussian elimination with partial pivoting. */
function solve4(a: Float64Array, b: Float64Array): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[4 * r + c]) > Math.abs(m[4 * piv + c])) piv = r;
    if (!(Math.abs(m[4 * piv + c]) > 1e-12)) throw new Error('frontalize: degenerate vertices (all on a plane or a line)');
    if (piv !== c) {
      for (let k = 0; k < 4; k++) [m[4 * c + k], m[4 * piv + k]] = [m[4 * piv + k], m[4 * c + k]];
      for (let k = 0; k < 3; k++) [x[3 * c + k], x[3 * piv + k]] = [x[3 * piv + k], x[3 * c + k]];
    }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = m[4 * r + c] / m[4 * c + c];
      if (f === 0) continue;
      for (let k = c; k < 4; k++) m[4 * r + k] -= f * m[4 * c + k];
      for (let k = 0; k < 3; k++) x[3 * r + k] -= f * x[3 * c + k];
    }
  }
  for (let r = 0; r < 4; r++) for (let k = 0; k < 3; k++) x[3 * r + k] /= m[4 * r + r];
  return x;
}
