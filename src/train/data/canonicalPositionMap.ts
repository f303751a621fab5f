import type { UvAssets } from '../../uv/uvAssets.js';

/** Options of {@link canonicalPositionMap}. */
export interface CanonicalPositionMapOptions {
  /** Gauss–Seidel over-relaxation sweeps of the harmonic fill. */
  sweeps: number;
  /** Over-relaxation factor (1 = plain Gauss–Seidel). */
  omega: number;
}

/** Defaults of {@link canonicalPositionMap}. */
export const CANONICAL_POSITION_MAP_DEFAULTS: CanonicalPositionMapOptions = { sweeps: 400, omega: 1.9 };

/**
 * The canonical face as a full UV position map (`uvSize² × 3`, float64): the 43,867 face
 * pixels hold `canonicalVertices`; every other pixel holds a harmonic (Laplace) extension
 * of them. WHY: the official loss weight mask is non-zero on 21,413 neck/border pixels that
 * are no face vertex (300W-LP renders the whole BFM mesh there); AFLW has no neck, so we
 * continue the face smoothly instead of leaving zeros that would pull the face border down.
 * Every pseudo-label is a similarity of this one map, so it is computed once.
 *
 * ```ts
 * const canon = canonicalPositionMap(assets); // Float64Array(256 * 256 * 3)
 * ```
 */
export function canonicalPositionMap(
  assets: Pick<UvAssets, 'uvSize' | 'faceIndices' | 'canonicalVertices'>,
  options: Partial<CanonicalPositionMapOptions> = {},
): Float64Array {
  const o = { ...CANONICAL_POSITION_MAP_DEFAULTS, ...options };
  const n = assets.uvSize;
  const map = new Float64Array(n * n * 3);
  const known = new Uint8Array(n * n);
  const { faceIndices, canonicalVertices } = assets;
  if (canonicalVertices.length !== faceIndices.length * 3) {
    throw new Error(`canonical vertices (${canonicalVertices.length / 3}) and face indices (${faceIndices.length}) differ in count`);
  }
  for (let i = 0; i < faceIndices.length; i++) {
    const p = faceIndices[i]!;
    known[p] = 1;
    for (let c = 0; c < 3; c++) map[p * 3 + c] = canonicalVertices[i * 3 + c]!;
  }
  // Start from the nearest known pixel (breadth-first), so the relaxation converges fast.
  const seen = known.slice();
  let frontier: number[] = [];
  for (let p = 0; p < n * n; p++) if (known[p]) frontier.push(p);
  while (frontier.length) {
    const next: number[] = [];
    for (const p of frontier) {
      const x = p % n, y = (p - x) / n;
      const nb = [x > 0 ? p - 1 : -1, x < n - 1 ? p + 1 : -1, y > 0 ? p - n : -1, y < n - 1 ? p + n : -1];
      for (const q of nb) {
        if (q < 0 || seen[q]) continue;
        seen[q] = 1;
        for (let c = 0; c < 3; c++) map[q * 3 + c] = map[p * 3 + c]!;
        next.push(q);
      }
    }
    frontier = next;
  }
  const unknown: number[] = [];
  for (let p = 0; p < n * n; p++) if (!known[p]) unknown.push(p);
  for (let sweep = 0; sweep < o.sweeps; sweep++) {
    for (const p of unknown) {
      const x = p % n, y = (p - x) / n;
      let cnt = 0, sx = 0, sy = 0, sz = 0;
      // Neumann border: only neighbours inside the map count.
      if (x > 0) { cnt++; sx += map[(p - 1) * 3]!; sy += map[(p - 1) * 3 + 1]!; sz += map[(p - 1) * 3 + 2]!; }
      if (x < n - 1) { cnt++; sx += map[(p + 1) * 3]!; sy += map[(p + 1) * 3 + 1]!; sz += map[(p + 1) * 3 + 2]!; }
      if (y > 0) { cnt++; sx += map[(p - n) * 3]!; sy += map[(p - n) * 3 + 1]!; sz += map[(p - n) * 3 + 2]!; }
      if (y < n - 1) { cnt++; sx += map[(p + n) * 3]!; sy += map[(p + n) * 3 + 1]!; sz += map[(p + n) * 3 + 2]!; }
      const w = o.omega;
      map[p * 3] = (1 - w) * map[p * 3]! + (w * sx) / cnt;
      map[p * 3 + 1] = (1 - w) * map[p * 3 + 1]! + (w * sy) / cnt;
      map[p * 3 + 2] = (1 - w) * map[p * 3 + 2]! + (w * sz) / cnt;
    }
  }
  return map;
}
