/**
 * The normalized coordinate code (NCC) of 3DDFA (Zhu et al., "Face Alignment Across Large
 * Poses: A 3D Solution", CVPR 2016): each vertex of the mean face coloured by its own
 * x, y, z, each axis scaled to 0…1 over the face. Rendered with a face's pose it is the
 * PNCC picture ({@link renderPncc}), a dense correspondence map: a pixel's colour names the
 * face point it shows, whatever the face's shape or pose.
 */

/**
 * Per-vertex NCC colours of a mean face: `(v − min) / (max − min)` per axis.
 *
 * ```ts
 * const ncc = nccColors(assets.canonicalVertices); // 43,867×3 in 0…1
 * ```
 *
 * @param canonicalVertices `n×3` mean-face vertices, row-major.
 */
export function nccColors(canonicalVertices: Float32Array | Float64Array): Float32Array {
  const n = canonicalVertices.length / 3;
  if (!Number.isInteger(n) || n === 0) throw new Error(`nccColors: ${canonicalVertices.length} values are not n×3 vertices`);
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = canonicalVertices[i * 3 + c]!;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  for (let c = 0; c < 3; c++) if (!(max[c]! > min[c]!)) throw new Error(`nccColors: the mean face is flat along axis ${'xyz'[c]}`);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = (canonicalVertices[i * 3 + c]! - min[c]!) / (max[c]! - min[c]!);
  return out;
}
