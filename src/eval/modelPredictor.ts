import type { PositionMapModel } from '../model/session.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { facePipeline, type FacePipelineParts, type ReconstructOptions } from '../reconstruct/facePipeline.js';
import type { LandmarkPredictor } from './evaluateAflw2000.js';
import { matchFace } from './matchFace.js';

/** Where a benchmark's crops come from. */
export type BenchmarkCrop = 'landmarks' | 'detector';

/** Options of {@link modelPredictor}: the pipeline's accuracy options and the crop. */
export interface ModelPredictorOptions extends Partial<Pick<ReconstructOptions, 'refinePasses' | 'flipAverage' | 'maxBatch' | 'mapSmoothing'>> {
  /**
   * `landmarks` (default): the benchmark's protocol, the ground truth's box × 1.6, no
   * refinement unless asked for. `detector`: the real path, as `prnet reconstruct` runs
   * it (the detector's faces, its default refinement); the face nearest the ground truth
   * is scored (`matchFace`), and an image without one fails "no face found at the annotation".
   */
  crop?: BenchmarkCrop;
  /** The face detector, for `crop: 'detector'`. */
  detector?: FacePipelineParts['detector'];
}

/** The failure of an image whose detected faces all lie away from its annotation. */
export const NO_FACE_AT_ANNOTATION = 'no face found at the annotation';

/**
 * A position-map model as a {@link LandmarkPredictor}: the reconstruction pipeline
 * (`facePipeline`) with PRNet's evaluation crop, the bounding box of the ground-truth 68
 * points (x, y) × 1.6 (its `landmarks` option), then — with `refinePasses` — again from
 * each pass's own landmarks, as a tracker would; or, with `crop: 'detector'`, the
 * detector's crops. A batch of images is one network run (`predictFaces`); per image the
 * 68 landmarks and the pose rotation are read from the finished face.
 *
 * ```ts
 * const predictor = modelPredictor(await loadOnnxModel('prnet.onnx'), assets, 'prnet', { flipAverage: true });
 * const real = modelPredictor(model, assets, 'prnet, detector crops', { crop: 'detector', detector: await loadDetector() });
 * ```
 */
export function modelPredictor(model: PositionMapModel, assets: UvAssets, name = 'model', options: ModelPredictorOptions = {}): LandmarkPredictor {
  const { crop = 'landmarks', detector, ...accuracy } = options;
  if (crop !== 'landmarks' && crop !== 'detector') throw new Error(`unknown crop '${String(crop)}' (landmarks or detector)`);
  if (crop === 'detector' && !detector) throw new Error('modelPredictor: crop "detector" needs a detector');
  // The benchmark's protocol is the ground-truth crop: no refinement unless asked for. The
  // detector path keeps the pipeline's own defaults, as `prnet reconstruct` runs it.
  const pipeline = facePipeline({ model, assets, detector }, {
    ...accuracy,
    ...(crop === 'landmarks' ? { refinePasses: accuracy.refinePasses ?? 0 } : {}),
    outputs: { pose: true, colors: false },
  });
  return {
    name,
    needsImage: true,
    async predict(items) {
      const prepared = await Promise.all(items.map((it) => {
        if (!it.image) throw new Error('modelPredictor needs the images');
        if (crop === 'detector') return pipeline.prepareFaces(it.image);
        const xy = new Float64Array(136);
        for (let k = 0; k < 68; k++) {
          xy[2 * k] = it.groundTruth.landmarks[3 * k]!;
          xy[2 * k + 1] = it.groundTruth.landmarks[3 * k + 1]!;
        }
        return pipeline.prepareFaces(it.image, { landmarks: xy });
      }));
      const { batch, maps } = await pipeline.predictFaces(prepared);
      let offset = 0;
      return batch.map((p, i) => {
        const first = offset;
        offset += p.faces.length;
        let faces;
        try {
          faces = pipeline.finishFaces(p, maps, {}, first);
        } catch (err) {
          return { error: (err as Error).message }; // this image fails, not its whole batch
        }
        const k = crop === 'detector' ? matchFace(faces.map((f) => f.landmarks), items[i]!.groundTruth.landmarks, 3) : 0;
        const face = faces[k];
        if (!face) return { error: NO_FACE_AT_ANNOTATION };
        return { landmarks: face.landmarks, rotation: face.pose!.rotation };
      });
    },
  };
}
