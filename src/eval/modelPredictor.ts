import type { PositionMapModel } from '../model/session.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { facePipeline, type ReconstructOptions } from '../reconstruct/facePipeline.js';
import type { LandmarkPredictor } from './evaluateAflw2000.js';

/** Options of {@link modelPredictor}: the pipeline's accuracy options. */
export type ModelPredictorOptions = Partial<Pick<ReconstructOptions, 'refinePasses' | 'flipAverage' | 'maxBatch' | 'mapSmoothing'>>;

/**
 * A position-map model as a {@link LandmarkPredictor}: the reconstruction pipeline
 * (`facePipeline`) with PRNet's evaluation crop, the bounding box of the ground-truth 68
 * points (x, y) × 1.6 (its `landmarks` option), then — with `refinePasses` — again from
 * each pass's own landmarks, as a tracker would. A batch of images is one network run
 * (`predictFaces`); per image the 68 landmarks and the pose rotation are read from the
 * finished face.
 *
 * ```ts
 * const predictor = modelPredictor(await loadOnnxModel('prnet.onnx'), assets, 'prnet', { flipAverage: true });
 * ```
 */
export function modelPredictor(model: PositionMapModel, assets: UvAssets, name = 'model', options: ModelPredictorOptions = {}): LandmarkPredictor {
  // The benchmark's protocol is the ground-truth crop: no refinement unless asked for.
  const pipeline = facePipeline({ model, assets }, { ...options, refinePasses: options.refinePasses ?? 0, outputs: { pose: true, colors: false } });
  return {
    name,
    needsImage: true,
    async predict(items) {
      const prepared = await Promise.all(items.map((it) => {
        if (!it.image) throw new Error('modelPredictor needs the images');
        const xy = new Float64Array(136);
        for (let k = 0; k < 68; k++) {
          xy[2 * k] = it.groundTruth.landmarks[3 * k]!;
          xy[2 * k + 1] = it.groundTruth.landmarks[3 * k + 1]!;
        }
        return pipeline.prepareFaces(it.image, { landmarks: xy });
      }));
      const { batch, maps } = await pipeline.predictFaces(prepared);
      let offset = 0;
      return batch.map((p) => {
        const [face] = pipeline.finishFaces(p, maps, {}, offset);
        offset += p.faces.length;
        return { landmarks: face!.landmarks, rotation: face!.pose!.rotation };
      });
    },
  };
}
