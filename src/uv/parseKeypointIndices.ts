import { POSITION_MAP_SIZE } from '../model/resfcn.js';

/** Number of landmarks in the 68-point (Multi-PIE / 300W) markup. */
export const LANDMARK_COUNT = 68;

/**
 * Parses the official `uv_kpt_ind.txt` (2 rows × 68 numbers: UV x, then UV y) into
 * flat UV indices `y · uvSize + x`, one per landmark, in the 68-point order.
 * The official code reads landmarks as `pos[kpt[1], kpt[0], :]`.
 *
 * ```ts
 * const keypointIndices = parseKeypointIndices(text); // Uint32Array(68)
 * ```
 */
export function parseKeypointIndices(text: string, uvSize: number = POSITION_MAP_SIZE, name = 'uv_kpt_ind.txt'): Uint32Array {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(/\s+/).map(Number));
  if (rows.length !== 2) throw new Error(`${name}: expected 2 rows (UV x, UV y), found ${rows.length}`);
  const [xs, ys] = rows as [number[], number[]];
  if (xs.length !== ys.length || xs.length === 0) {
    throw new Error(`${name}: rows have ${xs.length} and ${ys.length} entries, expected equal non-empty rows`);
  }
  const out = new Uint32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= uvSize || y >= uvSize) {
      throw new Error(`${name}: landmark ${i} at (${x}, ${y}) is not a pixel of a ${uvSize}×${uvSize} map`);
    }
    out[i] = y * uvSize + x;
  }
  return out;
}
