import { POSITION_MAP_SIZE } from '../../model/resfcn.js';

/** AFLW annotates 21 points per face. */
export const AFLW21_POINT_COUNT = 21;

/** The 21 AFLW points in data-set order; left and right as seen in the image. */
export const AFLW21_POINT_NAMES: readonly string[] = [
  'left brow outer', 'left brow centre', 'left brow inner',
  'right brow inner', 'right brow centre', 'right brow outer',
  'left eye outer corner', 'left eye centre', 'left eye inner corner',
  'right eye inner corner', 'right eye centre', 'right eye outer corner',
  'left ear',
  'nose left', 'nose tip', 'nose right',
  'right ear',
  'mouth left corner', 'mouth centre', 'mouth right corner',
  'chin',
];

/**
 * Where each AFLW point lies on the canonical face, as a UV pixel `[u, v]` of the 256×256
 * position map (so the same table reads the point from any predicted map). Chosen from the
 * data: starting from the 68-landmark correspondence (brows 17/19/21, 22/24/26; eye corners
 * 36/39, 42/45 and eye centres = mean of 36–41, 42–47; nose 31/30/35; mouth 48, ½(62+66),
 * 54; chin 8; ears at the canonical face's side edge), six rounds of "fit every pose, then
 * move each point to the face vertex (within 25 units, ears: anywhere on the side) that
 * minimises the summed clipped NME" on 1,500 then 3,000 AFLW images (none of them in the
 * 500 used to measure it); see docs/training-data.md for the table and the errors.
 */
export const AFLW21_UV: readonly (readonly [number, number])[] = [
  [58, 43], [83, 38], [107, 42],
  [148, 42], [170, 39], [192, 42],
  [73, 61], [90, 61], [102, 62],
  [154, 62], [166, 60], [180, 61],
  [15, 124],
  [111, 107], [128, 100], [144, 107],
  [239, 125],
  [108, 143], [128, 145], [147, 143],
  [128, 193],
];

/** Bump when {@link AFLW21_UV} changes (pose-fit caches key on it). */
export const AFLW21_CORRESPONDENCE_VERSION = 2;

/**
 * Flat UV indices (`v · 256 + u`) of the 21 AFLW points.
 *
 * ```ts
 * const idx = aflw21UvIndices(); // Uint32Array(21)
 * ```
 */
export function aflw21UvIndices(): Uint32Array {
  return Uint32Array.from(AFLW21_UV, ([u, v]) => v * POSITION_MAP_SIZE + u);
}

/**
 * The 21 AFLW points on a full UV position map (`256² × 3`, e.g. the canonical face):
 * `21 × 3` model points for pose fitting.
 *
 * ```ts
 * const model = aflw21ModelPoints(canonicalPositionMap(assets));
 * ```
 */
export function aflw21ModelPoints(positionMap: ArrayLike<number>): Float64Array {
  if (positionMap.length !== POSITION_MAP_SIZE * POSITION_MAP_SIZE * 3) throw new Error(`aflw21ModelPoints: need a ${POSITION_MAP_SIZE}×${POSITION_MAP_SIZE}×3 map`);
  const idx = aflw21UvIndices();
  const out = new Float64Array(AFLW21_POINT_COUNT * 3);
  for (let j = 0; j < AFLW21_POINT_COUNT; j++) for (let c = 0; c < 3; c++) out[j * 3 + c] = positionMap[idx[j]! * 3 + c]!;
  return out;
}
