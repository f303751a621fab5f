/**
 * Step 3 of the pipeline: the network's position maps (crop pixels) back to image
 * coordinates, smoothed (`mapSmoothing` texels, 0 = not), then per-face post-processing.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { restorePositionMap } from '../face/warpImage.js';
import type { LocatedFace } from './locateFaces.js';
import { faceResult, type FaceOutputs, type FaceResult } from './faceResult.js';
import { smoothPositionMap } from '../uv/smoothPositionMap.js';

/**
 * Turns the batch output for `faces` (`n · 256 · 256 · 3` floats, crop pixels) into
 * {@link FaceResult}s. `offset` is the index of the first of these faces in `maps`, so one
 * batch may hold the faces of several images. Throws when a face's map holds NaN or ±∞ (a
 * broken model), rather than returning a face made of NaN.
 *
 * ```ts
 * const maps = await model.predict(input, count);
 * const results = restoreFaces(image, assets, faces, transforms, maps, { texture: true });
 * ```
 */
export function restoreFaces(
  image: RgbImage,
  assets: UvAssets,
  faces: readonly LocatedFace[],
  transforms: readonly Float64Array[],
  maps: Float32Array,
  outputs: Partial<FaceOutputs> = {},
  offset = 0,
  mapSmoothing = 0,
): FaceResult[] {
  const per = assets.uvSize * assets.uvSize * 3;
  if (maps.length < (offset + faces.length) * per) throw new Error(`model returned ${maps.length / per} position maps, expected at least ${offset + faces.length}`);
  return faces.map((face, i) => {
    const crop = maps.subarray((offset + i) * per, (offset + i + 1) * per);
    // NaN or ±∞ would run through to NaN meshes and landmarks (`null` in the JSON).
    if (!allFinite(crop)) throw new Error('the network returned non-finite values (NaN or ±∞) for this face: the model is broken (a diverged training run, an fp16 overflow?)');
    const positionMap = restorePositionMap(crop, transforms[i]);
    // In place: the restored map is this face's own.
    if (mapSmoothing > 0) smoothPositionMap(positionMap, assets.uvSize, { sigma: mapSmoothing, mask: assets.faceMask, out: positionMap });
    return faceResult(image, assets, { positionMap, box: face.box, score: face.score, crop: face.crop, cropTransform: transforms[i] }, outputs);
  });
}

/** Whether every value is finite (a plain loop: a 256² map per face, 0.2 ms). */
function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
