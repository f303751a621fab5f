import type { PositionMapModel } from '../model/session.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { POSITION_MAP_SIZE } from '../model/resfcn.js';
import { cropTransform } from '../face/cropTransform.js';
import { cropFromLandmarks } from '../face/cropFromLandmarks.js';
import { warpImage, restorePositionMap } from '../face/warpImage.js';
import { positionMapLandmarks } from '../uv/positionMapLandmarks.js';
import { positionMapVertices } from '../uv/positionMapVertices.js';
import { estimatePose } from '../geometry/estimatePose.js';
import type { LandmarkPredictor } from './evaluateAflw2000.js';

/**
 * A position-map model as a {@link LandmarkPredictor}, with PRNet's evaluation crop
 * (`refinePasses` > 0: then again from each pass's own landmarks, as a tracker would):
 * the bounding box of the ground-truth 68 points (x, y) × 1.6 (`cropFromLandmarks`),
 * warped to the model's input size; the predicted map is restored to image
 * coordinates, the 68 landmarks read at the UV keypoints, and the pose fitted on all
 * vertices against the canonical face.
 *
 * ```ts
 * const predictor = modelPredictor(await loadOnnxModel('prnet.onnx'), assets);
 * ```
 */
export function modelPredictor(model: PositionMapModel, assets: UvAssets, name = 'model', options: { refinePasses?: number } = {}): LandmarkPredictor {
  const refinePasses = options.refinePasses ?? 0;
  const inSize = model.inputSize;
  const per = inSize * inSize * 3;
  const mapPer = POSITION_MAP_SIZE * POSITION_MAP_SIZE * 3;
  return {
    name,
    needsImage: true,
    async predict(items) {
      // First pass from the ground-truth points; each refinement pass re-crops from the last pass's landmarks.
      let points: Float64Array[] = items.map((it) => {
        if (!it.image) throw new Error('modelPredictor needs the images');
        const xy = new Float64Array(136);
        for (let k = 0; k < 68; k++) {
          xy[2 * k] = it.groundTruth.landmarks[3 * k]!;
          xy[2 * k + 1] = it.groundTruth.landmarks[3 * k + 1]!;
        }
        return xy;
      });
      let results: { landmarks: ArrayLike<number>; rotation: ArrayLike<number> }[] = [];
      for (let pass = 0; pass <= refinePasses; pass++) {
        const input = new Float32Array(per * items.length);
        const transforms = items.map((it, i) => {
          const { center, size } = cropFromLandmarks(points[i]!);
          warpImage(it.image!, cropTransform(center, size, inSize), inSize, input.subarray(i * per, (i + 1) * per));
          return cropTransform(center, size, POSITION_MAP_SIZE);
        });
        const maps = await model.predict(input, items.length);
        if (maps.length < mapPer * items.length) throw new Error(`model returned ${maps.length} floats, expected ${mapPer * items.length}`);
        results = transforms.map((T, i) => {
          const positionMap = restorePositionMap(maps.subarray(i * mapPer, (i + 1) * mapPer), T);
          const landmarks = positionMapLandmarks(positionMap, assets);
          const rotation = estimatePose(positionMapVertices(positionMap, assets), assets.canonicalVertices).rotation;
          return { landmarks, rotation };
        });
        points = results.map((r) => Float64Array.from({ length: 136 }, (_, k) => r.landmarks[(k >> 1) * 3 + (k & 1)]!));
      }
      return results;
    },
  };
}
