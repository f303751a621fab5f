import type { ImageEvaluation } from './evaluateAflw2000.js';
import { summarizeExpressions, type ExpressionResponse } from './expressionResponse.js';

/** The |yaw| bins of the yaw-balanced NME (degrees): [0, 30], (30, 60], (60, ∞). */
export const YAW_BINS: readonly { label: string; min: number; max: number }[] = [
  { label: '[0°, 30°]', min: -Infinity, max: 30 },
  { label: '(30°, 60°]', min: 30, max: 60 },
  // AFLW2000-3D has a few ground-truth yaws beyond 90°; they join the last bin (as 3DDFA's benchmark does).
  { label: '(60°, 90°]', min: 60, max: Infinity },
];

/** Aggregate figures of an evaluation (NME as fractions, angles in degrees). */
export interface EvaluationSummary {
  images: number;
  evaluated: number;
  failed: number;
  nme2d: number;
  nme3d: number;
  yawBins: { label: string; count: number; nme2d: number; nme3d: number }[];
  /** Mean of the bin means over non-empty bins. */
  yawBalancedNme2d: number;
  yawBalancedNme3d: number;
  /** Mean absolute pose errors over images whose ground truth is within the angle limit. */
  pose: { evaluated: number; excluded: number; pitch: number; yaw: number; roll: number; mean: number; rotation: number };
  /** Whether the method follows the mouth's and eyes' opening (`expressionResponse`). */
  expression: { mouth: ExpressionResponse; eyes: ExpressionResponse };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * Summarises per-image results: mean NME (2D, 3D), yaw-balanced NME over {@link YAW_BINS},
 * mean absolute pose errors.
 *
 * ```ts
 * const s = summarizeEvaluation(records); // s.nme2d * 100 → %
 * ```
 */
export function summarizeEvaluation(records: readonly ImageEvaluation[]): EvaluationSummary {
  const ok = records.filter((r) => r.status === 'ok');
  const yawBins = YAW_BINS.map((bin) => {
    const inBin = ok.filter((r) => Math.abs(r.yaw!) > bin.min && Math.abs(r.yaw!) <= bin.max);
    return { label: bin.label, count: inBin.length, nme2d: mean(inBin.map((r) => r.nme2d!)), nme3d: mean(inBin.map((r) => r.nme3d!)) };
  });
  const filled = yawBins.filter((b) => b.count > 0);
  const posed = ok.filter((r) => r.poseError);
  const pe = (k: 'pitch' | 'yaw' | 'roll') => mean(posed.map((r) => r.poseError![k]));
  const [pitch, yaw, roll] = [pe('pitch'), pe('yaw'), pe('roll')];
  return {
    images: records.length,
    evaluated: ok.length,
    failed: records.length - ok.length,
    nme2d: mean(ok.map((r) => r.nme2d!)),
    nme3d: mean(ok.map((r) => r.nme3d!)),
    yawBins,
    yawBalancedNme2d: mean(filled.map((b) => b.nme2d)),
    yawBalancedNme3d: mean(filled.map((b) => b.nme3d)),
    pose: { evaluated: posed.length, excluded: ok.length - posed.length, pitch, yaw, roll, mean: (pitch + yaw + roll) / 3, rotation: mean(ok.map((r) => r.rotationError!)) },
    expression: summarizeExpressions(ok),
  };
}
