import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link harmonicFill}. */
export interface HarmonicFillOptions {
  /** Gauss–Seidel over-relaxation sweeps. */
  sweeps: number;
  /** Over-relaxation factor (1 = plain Gauss–Seidel). */
  omega: number;
}

/** Defaults of {@link harmonicFill}. */
export const HARMONIC_FILL_DEFAULTS: HarmonicFillOptions = { sweeps: 400, omega: 1.9 };

/**
 * Fills the unknown pixels of a square multi-channel map with a harmonic (Laplace)
 * extension of the known ones, in place: first the nearest known value (breadth-first, so
 * the relaxation starts close), then over-relaxed Gauss–Seidel sweeps with a Neumann border.
 * `sweeps: 0` leaves the nearest-value fill.
 *
 * ```ts
 * harmonicFill(map, known, 256, 3); // map: 256·256·3, known: 256·256 flags
 * ```
 */
export function harmonicFill(map: Float64Array, known: Uint8Array, size: number, channels: number, options: Partial<HarmonicFillOptions> = {}): Float64Array {
  const o = withDefaults(HARMONIC_FILL_DEFAULTS, options);
  const n = size, C = channels;
  if (map.length !== n * n * C || known.length !== n * n) throw new Error(`harmonicFill: a ${n}×${n}×${C} map needs ${n * n * C} values and ${n * n} flags`);
  const seen = known.slice();
  let frontier: number[] = [];
  for (let p = 0; p < n * n; p++) if (known[p]) frontier.push(p);
  if (frontier.length === 0) throw new Error('harmonicFill: no known pixel');
  while (frontier.length) {
    const next: number[] = [];
    for (const p of frontier) {
      const x = p % n, y = (p - x) / n;
      const nb = [x > 0 ? p - 1 : -1, x < n - 1 ? p + 1 : -1, y > 0 ? p - n : -1, y < n - 1 ? p + n : -1];
      for (const q of nb) {
        if (q < 0 || seen[q]) continue;
        seen[q] = 1;
        for (let c = 0; c < C; c++) map[q * C + c] = map[p * C + c]!;
        next.push(q);
      }
    }
    frontier = next;
  }
  const unknown: number[] = [];
  for (let p = 0; p < n * n; p++) if (!known[p]) unknown.push(p);
  const w = o.omega;
  for (let sweep = 0; sweep < o.sweeps; sweep++) {
    for (const p of unknown) {
      const x = p % n, y = (p - x) / n;
      const nb = [x > 0 ? p - 1 : -1, x < n - 1 ? p + 1 : -1, y > 0 ? p - n : -1, y < n - 1 ? p + n : -1];
      let cnt = 0;
      for (const q of nb) if (q >= 0) cnt++;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (const q of nb) if (q >= 0) s += map[q * C + c]!;
        map[p * C + c] = (1 - w) * map[p * C + c]! + (w * s) / cnt;
      }
    }
  }
  return map;
}
