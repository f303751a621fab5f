import { pointsBounds } from '../../geometry/pointsBounds.js';

/** face3d's generator: crop side = int(1.5 × the mean side of the keypoint box). */
export const POSMAP_CROP_FACTOR = 1.5;
/** Largest random centre shift, fraction of the keypoint box's mean side (per axis, uniform ±). */
export const POSMAP_CROP_MAX_SHIFT = 0.1;
/** Range of the random crop-size multiplier. */
export const POSMAP_CROP_SCALE_RANGE: readonly [number, number] = [0.9, 1.1];

/** The square of the photo a sample is cropped from. */
export interface KeypointCrop {
  /** Centre `[x, y]`, photo pixels. */
  center: [number, number];
  /** Side, photo pixels. */
  size: number;
}

/**
 * The crop square of a 300W-LP sample from its 68 projected keypoints, exactly as face3d's
 * `8_generate_posmap_300WLP.py`: keypoints cast to int (truncation toward 0), box centre,
 * `old_size = (w + h) / 2`, `size = int(old_size · 1.5)`; with `rng`, the centre moves by
 * `(2r − 1) · 0.1 · old_size` per axis and the size is multiplied by `0.9 + 0.2r`
 * (three draws in this order, as `np.random.rand()` there).
 *
 * ```ts
 * const crop = keypointCrop(imageVertices, model.keypointIndices, createTrainRandom(1));
 * ```
 *
 * @param vertices `n × 3` image vertices (`imageVertices3ddfa`).
 * @param rng uniform [0, 1) source, or null for no jitter.
 */
export function keypointCrop(vertices: Float64Array, keypointIndices: ArrayLike<number>, rng: (() => number) | null): KeypointCrop {
  const keypoints = new Float64Array(keypointIndices.length * 2);
  for (let j = 0; j < keypointIndices.length; j++) {
    const p = keypointIndices[j]! * 3;
    // numpy astype(int32): truncation toward zero.
    keypoints[j * 2] = Math.trunc(vertices[p]!);
    keypoints[j * 2 + 1] = Math.trunc(vertices[p + 1]!);
  }
  const [left, top, right, bottom] = pointsBounds(keypoints);
  const center: [number, number] = [right - (right - left) / 2, bottom - (bottom - top) / 2];
  const oldSize = (right - left + bottom - top) / 2;
  if (!(oldSize > 0) || !Number.isFinite(oldSize)) throw new Error(`the 68 keypoints span no area (box ${left}…${right} × ${top}…${bottom})`);
  let size = Math.trunc(oldSize * POSMAP_CROP_FACTOR);
  if (rng) {
    const marg = oldSize * POSMAP_CROP_MAX_SHIFT;
    center[0] += rng() * marg * 2 - marg;
    center[1] += rng() * marg * 2 - marg;
    const [lo, hi] = POSMAP_CROP_SCALE_RANGE;
    size *= lo + (hi - lo) * rng();
  }
  if (!(size > 0)) throw new Error(`the 68 keypoints' box is too small for a crop (mean side ${oldSize} px)`);
  return { center, size };
}
