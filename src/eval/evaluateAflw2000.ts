import type { RgbImage } from '../io/rgbImage.js';
import type { Aflw2000GroundTruth, PoseAngles } from './aflw2000GroundTruth.js';
import { boxNormalizer, landmarkNme } from './landmarkNme.js';
import { expressionAmounts, type ExpressionAmounts } from './expressionResponse.js';
import { rotationToAflwPose, aflwPoseToRotation, rotationAngle } from './aflwPose.js';
import { withDefaults } from '../io/withDefaults.js';
import { evaluateSamples, type EvaluationSample, type PredictionFailure } from './evaluateSamples.js';

/** One image of the benchmark: its name and a loader for its image and ground truth. */
export type Aflw2000Sample = EvaluationSample<Aflw2000GroundTruth>;

/**
 * What a predictor may read of an image's ground truth: the 68 points (x, y; z is 0 where
 * a benchmark has none) for the benchmark's crop or for picking the detected face, and
 * AFLW's 21 human points where the benchmark has them.
 */
export type LandmarkHint = Pick<Aflw2000GroundTruth, 'landmarks'> & Partial<Pick<Aflw2000GroundTruth, 'points21'>>;

/** What a method predicts for one image. */
export interface LandmarkPrediction {
  /** 68×3 row-major, image pixels (x right, y down, z toward the viewer). */
  landmarks: ArrayLike<number>;
  /** Head rotation, 3×3 row-major, PRNet image frame (canonical face → image). */
  rotation: ArrayLike<number>;
}

/** A method under evaluation (a model, or the mean-face baseline). */
export interface LandmarkPredictor {
  /** Label in reports. */
  name: string;
  /** Whether {@link LandmarkPredictor.predict} needs the decoded images. */
  needsImage: boolean;
  /** Predicts a batch; one result (or failure, e.g. no face detected there) per item, in order. */
  predict(items: { image?: RgbImage; groundTruth: LandmarkHint }[]): Promise<(LandmarkPrediction | PredictionFailure)[]>;
}

/** The result for one image (with the mouth's and eyes' opening over the NME's box normaliser, {@link ExpressionAmounts}). */
export interface ImageEvaluation extends ExpressionAmounts {
  name: string;
  status: 'ok' | 'failed';
  /** Why it failed (one line). */
  error?: string;
  /** Ground-truth yaw, degrees (`Pose_Para`). */
  yaw?: number;
  /** 68-point NME, 2D and 3D (fractions). */
  nme2d?: number;
  nme3d?: number;
  /** Predicted pose in the dataset's convention, degrees. */
  predictedPose?: PoseAngles;
  /**
   * Absolute angle errors against `Pose_Para`, degrees; absent when a ground-truth angle
   * lies outside ±{@link POSE_ANGLE_LIMIT}° (the usual AFLW2000 head-pose protocol drops those).
   */
  poseError?: PoseAngles;
  /** Geodesic angle between predicted and ground-truth rotations, degrees. */
  rotationError?: number;
}

/** Ground-truth angles beyond this (degrees) are excluded from pose errors (Hopenet/FSA-Net protocol). */
export const POSE_ANGLE_LIMIT = 99;

/** Options of {@link evaluateAflw2000}. */
export interface EvaluateAflw2000Options {
  /** Images per `predict` call. */
  batchSize?: number;
  /** Called after every batch with the number of images done. */
  onProgress?: (done: number, total: number) => void;
}

export const EVALUATE_AFLW2000_DEFAULTS: Required<Omit<EvaluateAflw2000Options, 'onProgress'>> = { batchSize: 8 };

function wrap180(d: number): number {
  return ((((d + 180) % 360) + 360) % 360) - 180;
}

/**
 * Scores one prediction against its ground truth.
 *
 * ```ts
 * const rec = scorePrediction('image00002', gt, prediction);
 * ```
 */
export function scorePrediction(name: string, gt: Aflw2000GroundTruth, p: LandmarkPrediction): ImageEvaluation {
  const predictedPose = rotationToAflwPose(p.rotation);
  const rec: ImageEvaluation = {
    name,
    status: 'ok',
    yaw: gt.pose.yaw,
    nme2d: landmarkNme(p.landmarks, gt.landmarks, 2),
    nme3d: landmarkNme(p.landmarks, gt.landmarks, 3),
    ...expressionAmounts(gt.landmarks, p.landmarks, boxNormalizer(gt.landmarks)),
    predictedPose,
    rotationError: rotationAngle(p.rotation, aflwPoseToRotation(gt.pose)),
  };
  const { pitch, yaw, roll } = gt.pose;
  if (Math.max(Math.abs(pitch), Math.abs(yaw), Math.abs(roll)) <= POSE_ANGLE_LIMIT) {
    rec.poseError = {
      pitch: Math.abs(wrap180(predictedPose.pitch - pitch)),
      yaw: Math.abs(wrap180(predictedPose.yaw - yaw)),
      roll: Math.abs(wrap180(predictedPose.roll - roll)),
    };
  }
  return rec;
}

/**
 * Runs a method over AFLW2000-3D images in batches and scores every image
 * ({@link evaluateSamples}: the next batch decodes while this one is predicted; an image
 * that fails to load, predict or score is recorded as failed and the run goes on).
 *
 * ```ts
 * const records = await evaluateAflw2000(samples, meanFacePredictor(assets), { batchSize: 8 });
 * const summary = summarizeEvaluation(records);
 * ```
 */
export function evaluateAflw2000(
  samples: readonly Aflw2000Sample[],
  predictor: LandmarkPredictor,
  options: EvaluateAflw2000Options = {},
): Promise<ImageEvaluation[]> {
  const { batchSize } = withDefaults(EVALUATE_AFLW2000_DEFAULTS, options);
  return evaluateSamples<Aflw2000GroundTruth, LandmarkPrediction, ImageEvaluation>(samples, {
    needsImage: predictor.needsImage,
    predict: (items) => predictor.predict(items),
    score: scorePrediction,
    failed: (name, error, gt) => ({ name, status: 'failed', error, ...(gt ? { yaw: gt.pose.yaw } : {}) }),
  }, { batchSize, onProgress: options.onProgress });
}
