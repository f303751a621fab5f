import type { UvAssets } from './uvAssets.js';
import { gatherPositionMap } from './positionMapVertices.js';

/**
 * Reads the 68 landmarks out of a position map: official `pos[kpt[1], kpt[0], :]`.
 * Returns `68 × 3` floats (x, y, z), row-major, in the 68-point order.
 *
 * ```ts
 * const landmarks = positionMapLandmarks(positionMap, assets); // Float32Array(204)
 * ```
 */
export function positionMapLandmarks(
  positionMap: Float32Array,
  assets: Pick<UvAssets, 'uvSize' | 'keypointIndices'>,
): Float32Array {
  return gatherPositionMap(positionMap, assets.keypointIndices, assets.uvSize);
}
