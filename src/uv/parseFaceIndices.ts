import { POSITION_MAP_SIZE } from '../model/resfcn.js';

/**
 * Parses the official `face_ind.txt`: one number per line (written by NumPy as
 * floats, e.g. `1.285000000000000000e+03`), each the flat row-major index
 * `y · uvSize + x` of a UV pixel that is a face vertex. Order matters: it is the
 * vertex order of every mesh, of `canonical_vertices.npy` and of the triangles.
 *
 * ```ts
 * const faceIndices = parseFaceIndices(text); // Uint32Array(43867)
 * ```
 */
export function parseFaceIndices(text: string, uvSize: number = POSITION_MAP_SIZE, name = 'face_ind.txt'): Uint32Array {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length === 0) throw new Error(`${name}: no indices found`);
  const out = new Uint32Array(tokens.length);
  const limit = uvSize * uvSize;
  const seen = new Uint8Array(limit);
  for (let i = 0; i < tokens.length; i++) {
    const v = Number(tokens[i]);
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new Error(`${name}: entry ${i + 1} ('${tokens[i]}') is not an index into a ${uvSize}×${uvSize} map`);
    }
    if (seen[v]) throw new Error(`${name}: index ${v} appears twice`);
    seen[v] = 1;
    out[i] = v;
  }
  return out;
}
