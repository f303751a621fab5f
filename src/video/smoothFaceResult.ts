/**
 * Temporal smoothing of one face: the face pixels of its position map (the 43,867 mesh
 * vertices, the 68 landmarks among them) through a {@link OneEuroFilter}, then landmarks,
 * mesh and pose from the smoothed map, so they move together. The one step `prnet video`'s
 * {@link faceTracker} and the webcam demo share. Pure and isomorphic.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { faceResult, type FaceOutputs, type FaceResult, type FaceResultInput } from '../reconstruct/faceResult.js';
import { withDefaults } from '../io/withDefaults.js';
import type { OneEuroFilter } from './oneEuroFilter.js';
import { pointsBox } from '../geometry/pointsBounds.js';
import { positionMapVertices } from '../uv/positionMapVertices.js';

/** Options of {@link smoothFaceResult}. */
export interface SmoothFaceResultOptions {
  /** Optional outputs computed from the smoothed map (see {@link FaceOutputs}); vertices and landmarks always are. */
  outputs?: Partial<FaceOutputs>;
  /**
   * Write the smoothed values into `face.positionMap` itself instead of a copy: for a caller
   * that owns the map (the tracker's freshly restored one), one 786 kB copy less per frame.
   */
  overwrite?: boolean;
}

/** Defaults of {@link SmoothFaceResultOptions}: pose, no colours (as `prnet video`), the input map left as it is. */
export const SMOOTH_FACE_RESULT_DEFAULTS = {
  outputs: { pose: true, colors: false } as Partial<FaceOutputs>,
  overwrite: false,
};

/**
 * Filters one face's position map (image coordinates) taken at `time` seconds with `filter`
 * (one filter per face, kept across frames), speeds in crop sizes per second, and builds
 * the {@link FaceResult} from the smoothed map; its box is the smoothed landmarks' bounding box.
 * Only the face pixels are filtered (two thirds of the map, and all that any output reads);
 * the texels outside the face mask keep the network's values.
 *
 * ```ts
 * const filter = oneEuroFilter(); // ONE_EURO_FILTER_DEFAULTS
 * for (const { image, time } of frames) {
 *   const [raw] = (await prn.reconstruct(image, { outputs: { pose: false, colors: false } })).faces;
 *   const face = smoothFaceResult(image, assets, raw, filter, time, { outputs: { pose: true } });
 * }
 * ```
 */
export function smoothFaceResult(image: RgbImage, assets: UvAssets, face: FaceResultInput, filter: OneEuroFilter, time: number, options: SmoothFaceResultOptions = {}): FaceResult {
  const o = withDefaults(SMOOTH_FACE_RESULT_DEFAULTS, options);
  const vertices = filter.filter(positionMapVertices(face.positionMap, assets), time, face.crop.size);
  const positionMap = o.overwrite ? face.positionMap : face.positionMap.slice();
  const { faceIndices } = assets;
  for (let i = 0; i < faceIndices.length; i++) {
    const p = faceIndices[i]! * 3;
    positionMap[p] = vertices[3 * i]!;
    positionMap[p + 1] = vertices[3 * i + 1]!;
    positionMap[p + 2] = vertices[3 * i + 2]!;
  }
  const { box, score, crop, cropTransform } = face;
  const result = faceResult(image, assets, { positionMap, box, score, crop, cropTransform, vertices }, o.outputs);
  result.box = pointsBox(result.landmarks, 3);
  return result;
}
