/**
 * The 68-point benchmarks annotated in 2D (300-W and its parts HELEN, LFPW, AFW, iBUG;
 * Menpo's frontal set; any folder of images with iBUG `.pts` files): NME over all 68
 * points and over the 51 inner points (no jaw line), with 300-W's normalisation by
 * default, failure rate and the area under the CED curve up to a threshold, and whether the
 * method follows the mouth's and eyes' opening ({@link expressionResponse}). The jaw line
 * is reported apart because 300-W annotates the *visible* face contour, which on a turned
 * head is not where a 3D model's jaw points project. Isomorphic.
 */
import type { LandmarkHint, LandmarkPrediction, LandmarkPredictor } from './evaluateAflw2000.js';
import { evaluateSamples, type EvaluationSample } from './evaluateSamples.js';
import { NME_NORMALIZERS, type NmeNormalization } from './nmeNormalizers.js';
import { LANDMARK_COUNT } from '../uv/parseKeypointIndices.js';
import { expressionAmounts, summarizeExpressions, type ExpressionAmounts, type ExpressionResponse } from './expressionResponse.js';

/** The first of the 51 inner points (brows, nose, eyes, mouth) in 300-W's order; 0–16 are the jaw line. */
export const INNER_LANDMARKS_START = 17;

/** The ground truth of one image: its 68 points (x, y, and z = 0: the annotation is 2D). */
export type PtsGroundTruth = Pick<LandmarkHint, 'landmarks'>;

/** One image of a `.pts` benchmark. */
export type PtsSample = EvaluationSample<PtsGroundTruth>;

/** The result for one image (NME as fractions; the mouth's and eyes' opening, {@link ExpressionAmounts}). */
export interface PtsEvaluation extends ExpressionAmounts {
  name: string;
  status: 'ok' | 'failed';
  /** Why it failed (one line). */
  error?: string;
  /** NME over the 68 points. */
  nme?: number;
  /** NME over the 51 inner points (17–67). */
  nmeInner?: number;
}

/** Options of {@link evaluatePts}. */
export interface EvaluatePtsOptions {
  /** What the error is divided by (`NME_NORMALIZERS`). */
  normalization: NmeNormalization;
  /** Images per `predict` call. */
  batchSize: number;
  /** Called after every batch with the number of images done. */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of {@link EvaluatePtsOptions}: 300-W's inter-ocular normalisation. */
export const EVALUATE_PTS_DEFAULTS: EvaluatePtsOptions = { normalization: 'interocular', batchSize: 8 };

/**
 * The 2D NME of `predicted` (`68 × 3`) against `groundTruth` (`68 × stride`) over the
 * points from `from` on, divided by `normalizer`.
 */
export function pointsNme(predicted: ArrayLike<number>, groundTruth: ArrayLike<number>, normalizer: number, from = 0, stride = 3): number {
  if (predicted.length !== LANDMARK_COUNT * 3 || groundTruth.length !== LANDMARK_COUNT * stride) {
    throw new Error(`pointsNme: ${predicted.length / 3} predicted vs ${groundTruth.length / stride} ground-truth points, expected ${LANDMARK_COUNT}`);
  }
  let sum = 0;
  for (let i = from; i < LANDMARK_COUNT; i++) sum += Math.hypot(predicted[3 * i]! - groundTruth[stride * i]!, predicted[3 * i + 1]! - groundTruth[stride * i + 1]!);
  return sum / (LANDMARK_COUNT - from) / normalizer;
}

/**
 * Scores one prediction: NME over the 68 and the inner 51 points.
 *
 * ```ts
 * const rec = scorePts('helen/testset/296814969_3', gt, prediction, 'interocular');
 * ```
 */
export function scorePts(name: string, gt: PtsGroundTruth, p: LandmarkPrediction, normalization: NmeNormalization = EVALUATE_PTS_DEFAULTS.normalization): PtsEvaluation {
  const d = NME_NORMALIZERS[normalization](gt.landmarks, 3);
  return {
    name, status: 'ok', nme: pointsNme(p.landmarks, gt.landmarks, d), nmeInner: pointsNme(p.landmarks, gt.landmarks, d, INNER_LANDMARKS_START),
    ...expressionAmounts(gt.landmarks, p.landmarks, d),
  };
}

/**
 * Runs a method over a `.pts` benchmark and scores every image ({@link evaluateSamples}).
 *
 * ```ts
 * const records = await evaluatePts(samples, modelPredictor(model, assets, 'prnet'), { normalization: 'interocular' });
 * const summary = summarizePts(records, 0.08);
 * ```
 */
export function evaluatePts(samples: readonly PtsSample[], predictor: LandmarkPredictor, options: Partial<EvaluatePtsOptions> = {}): Promise<PtsEvaluation[]> {
  const o = { ...EVALUATE_PTS_DEFAULTS, ...options };
  if (!(o.normalization in NME_NORMALIZERS)) throw new Error(`unknown normalisation '${o.normalization}' (known: ${Object.keys(NME_NORMALIZERS).join(', ')})`);
  return evaluateSamples<PtsGroundTruth, LandmarkPrediction, PtsEvaluation>(samples, {
    needsImage: predictor.needsImage,
    predict: (items) => predictor.predict(items),
    score: (name, gt, p) => scorePts(name, gt, p, o.normalization),
    failed: (name, error) => ({ name, status: 'failed', error }),
  }, { batchSize: o.batchSize, onProgress: o.onProgress });
}

/** Aggregates of one point set (NME and failure rate as fractions). */
export interface PtsSetSummary {
  /** Mean NME. */
  nme: number;
  /** Fraction of the evaluated images whose NME exceeds the threshold. */
  failureRate: number;
  /** Area under the CED curve from 0 to the threshold, divided by the threshold (1 = every error 0). */
  auc: number;
}

/** Aggregate figures of a `.pts` evaluation. */
export interface PtsSummary {
  images: number;
  evaluated: number;
  failed: number;
  /** The NME threshold of the failure rate and AUC (a fraction, e.g. 0.08). */
  threshold: number;
  /** The 68 points. */
  all: PtsSetSummary;
  /** The 51 inner points (no jaw line). */
  inner: PtsSetSummary;
  /** Whether the method follows the mouth's and the eyes' opening ({@link expressionResponse}). */
  expression: { mouth: ExpressionResponse; eyes: ExpressionResponse };
}

/**
 * Summarises per-image results. The AUC is exact for the step-shaped CED curve: the
 * mean over images of `max(0, 1 − e / threshold)`. Images that failed count in
 * `failed`, not in the NME, failure rate or AUC.
 *
 * ```ts
 * const s = summarizePts(records, 0.08); // s.inner.nme * 100 → %
 * ```
 */
export function summarizePts(records: readonly PtsEvaluation[], threshold = 0.08): PtsSummary {
  if (!(threshold > 0)) throw new Error(`the threshold must be a positive fraction, got ${threshold}`);
  const ok = records.filter((r) => r.status === 'ok');
  const set = (errors: number[]): PtsSetSummary => {
    const n = errors.length;
    if (n === 0) return { nme: NaN, failureRate: NaN, auc: NaN };
    let sum = 0, fails = 0, area = 0;
    for (const e of errors) {
      sum += e;
      if (e > threshold) fails++;
      area += Math.max(0, 1 - e / threshold);
    }
    return { nme: sum / n, failureRate: fails / n, auc: area / n };
  };
  return {
    images: records.length,
    evaluated: ok.length,
    failed: records.length - ok.length,
    threshold,
    all: set(ok.map((r) => r.nme!)),
    inner: set(ok.map((r) => r.nmeInner!)),
    expression: summarizeExpressions(ok),
  };
}

/** The summary of the images of one folder of a benchmark. */
export interface PtsFolderSummary {
  /** The folder below the benchmark's root (`helen/testset`, `ibug`), `.` for the root itself. */
  folder: string;
  summary: PtsSummary;
}

/**
 * Summaries per folder, in name order: a 300-W tree gives its parts apart (`afw`,
 * `helen/testset`, `ibug`, `lfpw/testset`), from which its common and challenging
 * subsets are read. Names are `folder/…/name` paths (as `listPtsSamples` makes them).
 *
 * ```ts
 * for (const { folder, summary } of summarizePtsByFolder(records)) console.log(folder, summary.inner.nme);
 * ```
 */
export function summarizePtsByFolder(records: readonly PtsEvaluation[], threshold = 0.08): PtsFolderSummary[] {
  const groups = new Map<string, PtsEvaluation[]>();
  for (const r of records) {
    const cut = r.name.lastIndexOf('/');
    const folder = cut < 0 ? '.' : r.name.slice(0, cut);
    const list = groups.get(folder) ?? [];
    list.push(r);
    groups.set(folder, list);
  }
  return [...groups.keys()].sort().map((folder) => ({ folder, summary: summarizePts(groups.get(folder)!, threshold) }));
}
