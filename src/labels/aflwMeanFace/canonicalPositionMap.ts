import type { UvAssets } from '../../uv/uvAssets.js';
import { harmonicFill, HARMONIC_FILL_DEFAULTS, type HarmonicFillOptions } from '../../uv/harmonicFill.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link canonicalPositionMap}: those of its harmonic fill. */
export type CanonicalPositionMapOptions = HarmonicFillOptions;

/** Defaults of {@link canonicalPositionMap}. */
export const CANONICAL_POSITION_MAP_DEFAULTS: CanonicalPositionMapOptions = HARMONIC_FILL_DEFAULTS;

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
  const o = withDefaults(CANONICAL_POSITION_MAP_DEFAULTS, options);
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
  return harmonicFill(map, known, n, 3, o);
}
