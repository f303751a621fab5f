import { POSITION_MAP_SIZE } from '../model/resfcn.js';

/**
 * The position map of the mirror image of a crop, from the map of the crop: PRNet's
 * UV layout is left–right symmetric about its middle column (a face point at UV column
 * `u` mirrors to column `size − 1 − u`, checked against the canonical face in the
 * tests), and mirroring the crop maps x to `size − 1 − x` in its 256-pixel frame
 * (`cropTransform` puts the crop's edges at 0 and size − 1). So
 * `out(v, u) = (size − 1 − x, y, z)` of `map(v, size − 1 − u)`.
 * Mirroring twice gives the map back.
 *
 * ```ts
 * // The map predicted from a horizontally flipped crop, in the unflipped crop's frame:
 * const map = mirrorPositionMap(model.predict(flippedCrop));
 * ```
 */
export function mirrorPositionMap(positionMap: Float32Array, size = POSITION_MAP_SIZE, out = new Float32Array(size * size * 3)): Float32Array {
  if (positionMap.length !== size * size * 3) throw new Error(`position map has ${positionMap.length} floats, expected ${size}×${size}×3`);
  if (out === positionMap) throw new Error('mirrorPositionMap: out must not be the input');
  const last = size - 1;
  for (let v = 0; v < size; v++) {
    const row = v * size * 3;
    for (let u = 0; u < size; u++) {
      const o = row + u * 3, i = row + (last - u) * 3;
      out[o] = last - positionMap[i]!;
      out[o + 1] = positionMap[i + 1]!;
      out[o + 2] = positionMap[i + 2]!;
    }
  }
  return out;
}
