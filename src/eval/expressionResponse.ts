/**
 * How far a method follows one expression: the annotated and the predicted amount of it per
 * face (e.g. the mouth's opening, {@link landmarkGap} of the inner lips over the face size),
 * compared over a set of faces. A method that draws one fixed face scores a slope near 0
 * however small its landmark error; one that follows the expression in full scores 1.
 */

import { landmarkGap, LANDMARKS_68 } from '../geometry/landmarks68.js';

/** One face's annotated and predicted amount of an expression. */
export interface ExpressionAmount {
  annotated: number;
  predicted: number;
}

/** The expressions an evaluation record carries. */
export interface ExpressionAmounts {
  /** How far the mouth is open: the inner lips' gap over the NME's normaliser. */
  mouthOpening?: ExpressionAmount;
  /** How far the eyes are open: the eyelids' gap over the normaliser. */
  eyeOpening?: ExpressionAmount;
}

/** {@link expressionResponse}'s figures. */
export interface ExpressionResponse {
  /** Faces compared. */
  count: number;
  /** Pearson's r of predicted against annotated (NaN when either is constant). */
  r: number;
  /** Slope of the least-squares line predicted = a + slope · annotated (1: followed in full; 0: a fixed face). */
  slope: number;
  /** Mean annotated amount over the tenth of the faces that show the most of it. */
  topAnnotated: number;
  /** Mean predicted amount over those same faces. */
  topPredicted: number;
}

/**
 * Compares predicted with annotated amounts of an expression, face by face.
 *
 * ```ts
 * const mouth = expressionResponse(annotatedGaps, predictedGaps);
 * console.log(`mouth opening followed with slope ${mouth.slope.toFixed(2)} (r ${mouth.r.toFixed(2)})`);
 * ```
 */
export function expressionResponse(annotated: readonly number[], predicted: readonly number[]): ExpressionResponse {
  if (annotated.length !== predicted.length) throw new Error(`expressionResponse: ${annotated.length} annotated vs ${predicted.length} predicted amounts`);
  const n = annotated.length;
  if (n === 0) return { count: 0, r: NaN, slope: NaN, topAnnotated: NaN, topPredicted: NaN };
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += annotated[i]!; my += predicted[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = annotated[i]! - mx, dy = predicted[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  const top = annotated.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, Math.max(1, Math.round(n / 10)));
  return {
    count: n,
    r: sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN,
    slope: sxx > 0 ? sxy / sxx : NaN,
    topAnnotated: top.reduce((s, [v]) => s + v, 0) / top.length,
    topPredicted: top.reduce((s, [, i]) => s + predicted[i]!, 0) / top.length,
  };
}

/**
 * The mouth's and eyes' opening of one face, annotated and predicted (68 points, `stride`
 * numbers each, x and y first), over `normalizer` (the NME's).
 *
 * ```ts
 * const amounts = expressionAmounts(gt.landmarks, prediction.landmarks, boxNormalizer(gt.landmarks));
 * ```
 */
export function expressionAmounts(annotated: ArrayLike<number>, predicted: ArrayLike<number>, normalizer: number, annotatedStride = 3): Required<ExpressionAmounts> {
  const amount = (pairs: typeof LANDMARKS_68.innerLipPairs | typeof LANDMARKS_68.eyelidPairs) => ({ annotated: landmarkGap(annotated, pairs, annotatedStride) / normalizer, predicted: landmarkGap(predicted, pairs) / normalizer });
  return { mouthOpening: amount(LANDMARKS_68.innerLipPairs), eyeOpening: amount(LANDMARKS_68.eyelidPairs) };
}

/**
 * {@link expressionResponse} of the mouth and the eyes over the records that carry their amounts.
 *
 * ```ts
 * const { mouth, eyes } = summarizeExpressions(records.filter((r) => r.status === 'ok'));
 * ```
 */
export function summarizeExpressions(records: readonly ExpressionAmounts[]): { mouth: ExpressionResponse; eyes: ExpressionResponse } {
  const of = (key: keyof ExpressionAmounts) => {
    const have = records.map((r) => r[key]).filter((a): a is ExpressionAmount => a !== undefined);
    return expressionResponse(have.map((a) => a.annotated), have.map((a) => a.predicted));
  };
  return { mouth: of('mouthOpening'), eyes: of('eyeOpening') };
}
