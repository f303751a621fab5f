/** Test helpers for the render tests: a seeded RNG and synthetic meshes. */

import { seededRandom } from '../support/random.js';

/** Mulberry32: small, seeded, deterministic. */
export const rng = seededRandom;

/** A (cols+1)×(rows+1) vertex grid from (x0,y0) with the given step, 2 triangles per cell. */
export function gridMesh(
  cols: number,
  rows: number,
  x0: number,
  y0: number,
  step: number,
  z: (x: number, y: number) => number,
  jitter = 0,
  random: () => number = Math.random,
): { vertices: Float64Array; triangles: Uint32Array } {
  const vertices = new Float64Array((cols + 1) * (rows + 1) * 3);
  for (let j = 0, k = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++, k++) {
      const inner = i > 0 && j > 0 && i < cols && j < rows;
      const x = x0 + i * step + (inner ? (random() - 0.5) * jitter : 0);
      const y = y0 + j * step + (inner ? (random() - 0.5) * jitter : 0);
      vertices[3 * k] = x;
      vertices[3 * k + 1] = y;
      vertices[3 * k + 2] = z(x, y);
    }
  }
  const triangles = new Uint32Array(cols * rows * 6);
  for (let j = 0, t = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const a = j * (cols + 1) + i, b = a + 1, c = a + cols + 1, d = c + 1;
      // Alternate the diagonal so both edge directions are exercised.
      if ((i + j) % 2 === 0) triangles.set([a, b, d, a, d, c], t);
      else triangles.set([a, b, c, b, d, c], t);
      t += 6;
    }
  }
  return { vertices, triangles };
}
