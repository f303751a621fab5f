import { tddfaImagePose } from '../../face/tddfa/tddfaImagePose.js';
import { tddfaParameters } from '../../face/tddfa/tddfaParameters.js';
import type { TddfaRoiBox } from '../../face/tddfa/tddfaRoiBox.js';
import type { UvMorphableModel } from '../uvMorphableModel.js';
import { pointsBounds } from '../../geometry/pointsBounds.js';
import { faceFitPoints } from './faceFitPoints.js';
import { teacherFit, type FaceFit, type FitPoints, type TeacherFitOptions, type TeacherFitResult } from './teacherFit.js';
import { withDefaults } from '../../io/withDefaults.js';

/**
 * The face size the teacher fit measures errors in: √(w·h) of the 2D box of the points
 * (each side at least 1e-6).
 *
 * ```ts
 * const size = pointBoxSize(faceFitPoints(teacher, landmarkPoints)); // n × 3
 * ```
 */
export function pointBoxSize(p: ArrayLike<number>, stride = 3): number {
  const [x0, y0, x1, y1] = pointsBounds(p, stride);
  return Math.sqrt(Math.max(x1 - x0, 1e-6) * Math.max(y1 - y0, 1e-6));
}

/** One face's training label. */
export interface TeacherLabel {
  /** The fitted pose and coefficients (image frame of the data set). */
  fit: TeacherFitResult;
  /** The teacher's own estimate the fit started from. */
  teacher: FaceFit;
  /** 68 landmarks of the fit, `68 × 3` image pixels (z min 0). */
  landmarks: Float64Array;
  /** Why the label is left out, or null when it is kept. */
  rejected: string | null;
}

/** Options of {@link teacherLabel}. */
export interface TeacherLabelOptions {
  /** Fit settings. */
  fit: Partial<TeacherFitOptions>;
  /** Reject a face whose teacher and annotation disagree by more than this (RMS ÷ face size). */
  maxTeacherGap: number;
  /** Reject a face whose fit misses its points by more than this (RMS ÷ face size). */
  maxFitError: number;
  /** Reject a face with fewer annotated points. */
  minPoints: number;
}

/** Defaults of {@link teacherLabel} (docs/teacher-labels.md says how they were chosen). */
export const TEACHER_LABEL_DEFAULTS: TeacherLabelOptions = { fit: {}, maxTeacherGap: 0.15, maxFitError: 0.06, minPoints: 4 };

/** What {@link teacherLabel} needs besides the face: the model and where the human points sit on it. */
export interface TeacherLabelContext {
  model: UvMorphableModel;
  /** The human points' places on the model. */
  points: FitPoints;
  /** The model's 68 landmark pixels as fit points. */
  landmarks: FitPoints;
  /** 62 output means and spreads of the teacher. */
  paramMean: ArrayLike<number>;
  paramStd: ArrayLike<number>;
}

/**
 * Makes one face's label: the teacher's raw output de-whitened and posed in the image
 * (`roi` is the crop the teacher saw), then pulled toward the human points (`teacherFit`),
 * with the quality figures and a rejection reason when the fit is implausible.
 *
 * ```ts
 * const label = teacherLabel(raw62, roi, human, weights, context);
 * if (!label.rejected) keep(label);
 * ```
 */
export function teacherLabel(
  raw: ArrayLike<number>,
  roi: TddfaRoiBox,
  human: ArrayLike<number>,
  weights: ArrayLike<number>,
  context: TeacherLabelContext,
  options: Partial<TeacherLabelOptions> = {},
): TeacherLabel {
  const o = withDefaults(TEACHER_LABEL_DEFAULTS, options);
  const params = tddfaParameters(raw, context.paramMean, context.paramStd);
  const pose = tddfaImagePose(params, roi);
  const K = context.model.shapeCount + context.model.expressionCount;
  const coefficients = new Float64Array(K);
  coefficients.set(params.shape);
  coefficients.set(params.expression, context.model.shapeCount);
  const teacher: FaceFit = { ...pose, coefficients };
  const start = faceFitPoints(teacher, context.landmarks);
  const faceSize = pointBoxSize(start);
  const std = Array.from(context.paramStd).slice(12);
  const fit = teacherFit(context.points, human, weights, teacher, std, context.model.shapeCount, faceSize, o.fit);
  const landmarks = faceFitPoints(fit, context.landmarks);
  let rejected: string | null = null;
  if (fit.pointCount < o.minPoints) rejected = `${fit.pointCount} annotated points (< ${o.minPoints})`;
  else if (!(fit.teacherGap <= o.maxTeacherGap)) rejected = `teacher and annotation disagree by ${(fit.teacherGap * 100).toFixed(1)} % of the face (> ${(o.maxTeacherGap * 100).toFixed(0)} %)`;
  else if (!(fit.fitError <= o.maxFitError)) rejected = `the fit misses the annotation by ${(fit.fitError * 100).toFixed(1)} % of the face (> ${(o.maxFitError * 100).toFixed(0)} %)`;
  return { fit, teacher, landmarks, rejected };
}
