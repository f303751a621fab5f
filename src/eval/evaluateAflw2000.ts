import type { RgbImage } from '../io/rgbImage.js';
import type { Aflw2000GroundTruth, PoseAngles } from './aflw2000GroundTruth.js';
import { landmarkNme } from './landmarkNme.js';
import { rotationToAflwPose, aflwPoseToRotation, rotationAngle } from './aflwPose.js';
import { withDefaults } from '../io/withDefaults.js';

/** One image of the benchmark: its name and a loader for its image and ground truth. */
export interface Aflw2000Sample {
  name: string;
  /** Loads the ground truth, and the image when `withImage` (a baseline may not need it). */
  load(withImage: boolean): Promise<{ image?: RgbImage; groundTruth: Aflw2000GroundTruth }>;
}

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
  /** Predicts a batch; one result per item, in order. */
  predict(items: { image?: RgbImage; groundTruth: Aflw2000GroundTruth }[]): Promise<LandmarkPrediction[]>;
}

/** The result for one image. */
export interface ImageEvaluation {
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

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * Runs a method over AFLW2000-3D images in batches and scores every image. Loading
 * (decoding) of the next batch overlaps the current batch's prediction. A failure to
 * load or predict an image is recorded as that image's failure and the run goes on.
 *
 * ```ts
 * const records = await evaluateAflw2000(samples, meanFacePredictor(assets), { batchSize: 8 });
 * const summary = summarizeEvaluation(records);
 * ```
 */
export async function evaluateAflw2000(
  samples: readonly Aflw2000Sample[],
  predictor: LandmarkPredictor,
  options: EvaluateAflw2000Options = {},
): Promise<ImageEvaluation[]> {
  const { batchSize } = withDefaults(EVALUATE_AFLW2000_DEFAULTS, options);
  if (!(batchSize >= 1)) throw new Error(`batch size must be ≥ 1, got ${batchSize}`);
  type Loaded = { sample: Aflw2000Sample; value?: Awaited<ReturnType<Aflw2000Sample['load']>>; error?: string };
  const loadBatch = (start: number): Promise<Loaded[]> =>
    Promise.all(
      samples.slice(start, start + batchSize).map((sample) =>
        sample.load(predictor.needsImage).then(
          (value) => ({ sample, value }),
          (err: unknown) => ({ sample, error: message(err) }),
        ),
      ),
    );
  const records: ImageEvaluation[] = [];
  let pending = samples.length > 0 ? loadBatch(0) : undefined;
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = await pending!;
    // Start decoding the next batch while this one runs through the model.
    pending = start + batchSize < samples.length ? loadBatch(start + batchSize) : undefined;
    const ok = batch.filter((b) => b.value);
    let predictions: LandmarkPrediction[] = [];
    let batchError: string | undefined;
    if (ok.length > 0) {
      try {
        predictions = await predictor.predict(ok.map((b) => b.value!));
      } catch (err) {
        batchError = message(err);
      }
    }
    let k = 0;
    for (const b of batch) {
      if (!b.value) {
        records.push({ name: b.sample.name, status: 'failed', error: b.error });
        continue;
      }
      const p = predictions[k++];
      if (batchError || !p) {
        records.push({ name: b.sample.name, status: 'failed', error: batchError ?? 'no prediction returned', yaw: b.value.groundTruth.pose.yaw });
        continue;
      }
      try {
        records.push(scorePrediction(b.sample.name, b.value.groundTruth, p));
      } catch (err) {
        records.push({ name: b.sample.name, status: 'failed', error: message(err), yaw: b.value.groundTruth.pose.yaw });
      }
    }
    options.onProgress?.(Math.min(start + batchSize, samples.length), samples.length);
  }
  return records;
}
