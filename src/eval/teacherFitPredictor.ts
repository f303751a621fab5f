import { teacherLabel, type TeacherLabelContext, type TeacherLabelOptions } from '../labels/teacherFit/teacherLabel.js';
import type { LandmarkPrediction, LandmarkPredictor } from './evaluateAflw2000.js';
import { tddfaOnItems, type TddfaBfm, type TddfaRegressor } from './tddfaPredictor.js';

/**
 * The label maker itself as a {@link LandmarkPredictor}: the teacher on each benchmark
 * image, fitted to that image's own 21 AFLW points (`pt2d`) exactly as training labels are
 * made (`teacherLabel` with a label set's correspondence and settings). It shows how good
 * the labels are where the benchmark's ground truth exists. Images without `pt2d` fail.
 *
 * ```ts
 * const predictor = teacherFitPredictor(teacher, pieces, context, labelSet.info.settings);
 * ```
 */
export function teacherFitPredictor(
  network: TddfaRegressor, bfm: TddfaBfm, context: TeacherLabelContext, options: Partial<TeacherLabelOptions> = {}, name = 'teacher fitted to pt2d',
): LandmarkPredictor {
  return {
    name,
    needsImage: true,
    async predict(items): Promise<LandmarkPrediction[]> {
      const runs = await tddfaOnItems(network, bfm, items);
      return items.map((it, i) => {
        const pts = it.groundTruth.points21;
        if (!pts) throw new Error('the ground truth has no pt2d (AFLW 21 points) to fit to');
        const weights = new Float64Array(21);
        for (let j = 0; j < 21; j++) weights[j] = Number.isFinite(pts[j * 2]!) ? 1 : 0;
        const raw = new Float64Array(62);
        const p = runs[i]!.params;
        // Back to raw outputs: teacherLabel de-whitens itself.
        for (let k = 0; k < 62; k++) {
          const v = k < 12 ? p.camera[k]! : k < 52 ? p.shape[k - 12]! : p.expression[k - 52]!;
          raw[k] = (v - bfm.paramMean[k]!) / bfm.paramStd[k]!;
        }
        const label = teacherLabel(raw, runs[i]!.roi, pts, weights, context, { ...options, maxTeacherGap: Infinity, maxFitError: Infinity });
        return { landmarks: label.landmarks, rotation: label.fit.rotation };
      });
    },
  };
}
