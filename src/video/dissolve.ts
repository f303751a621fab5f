/**
 * Whether the last frames of a video were a cross-dissolve from one shot to another: a
 * change too gradual for {@link sceneCut}, which compares consecutive frames only. Over a
 * span of frames, the first and the last must differ as a cut does, and every frame
 * between must be their mix, `(1 − α)·first + α·last` with α rising: a dissolve is
 * exactly that, in the thumbnails' grey levels (a cell's mean of a blend is the blend of
 * the means). Camera motion gives frames that no mix of the ends matches; a change of
 * light alone is a mix too, of two thumbnails that correlate, and is left alone. Isomorphic.
 */
import { withDefaults } from '../io/withDefaults.js';
import type { FrameSignature } from './frameSignature.js';
import { sceneCut, type SceneCutOptions } from './sceneCut.js';

/** Options of {@link dissolveSpan}. */
export interface DissolveOptions {
  /** Spans tried, in frames from the first frame to the last (a dissolve of 0.5–2 s at 30 fps fills most of one). */
  spans?: readonly number[];
  /** Largest RMS distance of a middle frame's thumbnail from the nearest mix of the ends, as a fraction of the ends' RMS distance. */
  maxResidual?: number;
  /** Largest correlation of the two ends' thumbnails: above it the ends are one picture in other light. */
  maxCorrelation?: number;
  /** What makes the ends differ as a cut (the thresholds of {@link sceneCut}). */
  cut?: SceneCutOptions;
}

/**
 * Defaults of {@link DissolveOptions}, measured on 300 helen-afw68 training photos
 * (`npm run bench -- dissolve`, 40-frame synthetic sequences): 98.7 % of dissolves over 8,
 * 16 and 32 frames and 99.7 % of fades to black found; no firing on a still shot, pans,
 * shake, a zoom or light rising 50 %. A residual of 0.16 began to fire on light rising
 * during a pan (0.3 %); a correlation bound of 0.6 missed 3 % more dissolves.
 */
export const DISSOLVE_DEFAULTS: Required<Omit<DissolveOptions, 'cut'>> & { cut: SceneCutOptions } = {
  spans: [8, 16, 32],
  maxResidual: 0.12,
  maxCorrelation: 0.8,
  cut: {},
};

/** The frames {@link dissolveSpan} needs to hold at the most. */
export function dissolveHistoryLength(options: DissolveOptions = {}): number {
  return Math.max(...withDefaults(DISSOLVE_DEFAULTS, options).spans) + 1;
}

/**
 * The span of a dissolve that ends at the last of `history` (oldest first), or 0 when
 * there is none.
 *
 * ```ts
 * history.push(frameSignature(frame));
 * if (dissolveSpan(history) > 0) history.length = 0; // a new shot: start again
 * ```
 */
export function dissolveSpan(history: readonly FrameSignature[], options: DissolveOptions = {}): number {
  const o = withDefaults(DISSOLVE_DEFAULTS, options);
  const last = history.length - 1;
  for (const span of o.spans) {
    if (span < 2 || span > last) continue;
    const a = history[last - span]!, b = history[last]!;
    if (!sceneCut(a, b, o.cut)) continue;
    if (correlation(a.thumbnail, b.thumbnail) > o.maxCorrelation) continue;
    if (isMix(history, last - span, last, o.maxResidual)) return span;
  }
  return 0;
}

/** Pearson correlation of two thumbnails; 0 when either is flat (a black frame correlates with nothing). */
function correlation(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let k = 0; k < n; k++) { ma += a[k]!; mb += b[k]!; }
  ma /= n; mb /= n;
  let ab = 0, aa = 0, bb = 0;
  for (let k = 0; k < n; k++) {
    const x = a[k]! - ma, y = b[k]! - mb;
    ab += x * y; aa += x * x; bb += y * y;
  }
  return aa > 1e-6 * n && bb > 1e-6 * n ? ab / Math.sqrt(aa * bb) : 0;
}

/** Whether every frame strictly between `from` and `to` is a mix of the two, the weight of `to` rising. */
function isMix(history: readonly FrameSignature[], from: number, to: number, maxResidual: number): boolean {
  const a = history[from]!.thumbnail, b = history[to]!.thumbnail;
  const n = a.length;
  let dd = 0;
  for (let k = 0; k < n; k++) dd += (b[k]! - a[k]!) ** 2;
  const limit = maxResidual * maxResidual * dd; // on sums of squares over the n cells
  let previous = -Infinity;
  for (let i = from + 1; i < to; i++) {
    const f = history[i]!.thumbnail;
    let fd = 0;
    for (let k = 0; k < n; k++) fd += (f[k]! - a[k]!) * (b[k]! - a[k]!);
    const alpha = fd / dd;
    // α may pause (frames before and after the dissolve inside the span) but not go back.
    if (alpha < previous - 0.1) return false;
    previous = Math.max(previous, alpha);
    let r = 0;
    for (let k = 0; k < n; k++) r += (f[k]! - a[k]! - alpha * (b[k]! - a[k]!)) ** 2;
    if (r > limit) return false;
  }
  return true;
}
