/**
 * The One Euro filter (Casiez, Roussel and Vogel, CHI 2012), the filter of MediaPipe's
 * landmark smoothing and 3DDFA_V2's video demo, over a whole vector of values at once:
 * 68 landmarks, a pose, or a 256×256×3 position map. Pure and isomorphic.
 */
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link oneEuroFilter}. Frequencies in hertz, speeds in `scale` units per second. */
export interface OneEuroFilterOptions {
  /**
   * Cut-off frequency at rest (Hz). Lower: less jitter on a still face, more lag when it
   * starts to move. Chosen by `bench/video.ts` (README "Video").
   */
  minCutoff?: number;
  /**
   * How fast the cut-off rises with speed (Hz per `scale`/s). Higher: less lag in motion,
   * more jitter in motion. Speeds are divided by the `scale` given to
   * {@link OneEuroFilter.filter} (the face size for landmarks), so one value serves faces of any size.
   */
  beta?: number;
  /** Cut-off frequency of the speed estimate itself (Hz); the paper's 1 Hz. */
  derivativeCutoff?: number;
  /**
   * `'each'`: every value gets its own cut-off from its own speed (the paper's filter).
   * `'mean'`: one cut-off for the whole vector, from the mean absolute speed of its values:
   * a face moves as a whole, and averaging the speeds of many values cancels their noise.
   */
  speed?: 'each' | 'mean';
  /** Frame interval assumed when a time does not increase (seconds). */
  fallbackInterval?: number;
}

/** Defaults of {@link OneEuroFilterOptions}, chosen by `npm run bench -- video` (README "Video"). */
export const ONE_EURO_FILTER_DEFAULTS: Required<OneEuroFilterOptions> = {
  minCutoff: 0.5,
  beta: 40,
  derivativeCutoff: 1,
  speed: 'each',
  fallbackInterval: 1 / 30,
};

/** A running filter over vectors of one fixed length. */
export interface OneEuroFilter {
  /**
   * Filters one sample taken at `time` (seconds) and returns the filtered vector (a new
   * array). The first sample passes unchanged. `scale` divides speeds (see `beta`).
   */
  filter(values: ArrayLike<number>, time: number, scale?: number): Float32Array;
  /** Forgets the past: the next sample passes unchanged. */
  reset(): void;
}

/** Smoothing factor of a first-order low-pass at cut-off `cutoff` Hz for a step of `dt` s. */
function alpha(cutoff: number, dt: number): number {
  const tau = 1 / (2 * Math.PI * cutoff);
  return 1 / (1 + tau / dt);
}

/**
 * Creates a One Euro filter.
 *
 * ```ts
 * const smooth = oneEuroFilter({ minCutoff: 1, beta: 20 });
 * for (const frame of frames) {
 *   const landmarks = smooth.filter(frame.landmarks, frame.time, faceSize);
 * }
 * ```
 */
export function oneEuroFilter(options: OneEuroFilterOptions = {}): OneEuroFilter {
  const o = withDefaults(ONE_EURO_FILTER_DEFAULTS, options);
  if (!(o.minCutoff > 0) || !(o.derivativeCutoff > 0) || !(o.beta >= 0) || !(o.fallbackInterval > 0)) {
    throw new Error(`oneEuroFilter: minCutoff and derivativeCutoff must be > 0, beta ≥ 0 (got ${o.minCutoff}, ${o.derivativeCutoff}, ${o.beta})`);
  }
  if (o.speed !== 'each' && o.speed !== 'mean') throw new Error(`oneEuroFilter: speed must be 'each' or 'mean', got '${String(o.speed)}'`);
  let previous: Float32Array | undefined;
  let derivative: Float32Array | undefined;
  let lastTime = 0;
  return {
    filter(values, time, scale = 1) {
      const n = values.length;
      if (!previous || previous.length !== n) {
        previous = Float32Array.from(values);
        derivative = new Float32Array(n);
        lastTime = time;
        return previous.slice();
      }
      const dt = time > lastTime ? time - lastTime : o.fallbackInterval;
      lastTime = time > lastTime ? time : lastTime + dt;
      const d = derivative!;
      const prev = previous;
      const aD = alpha(o.derivativeCutoff, dt);
      const invScale = scale > 0 ? 1 / scale : 1;
      // The state is updated in place and copied once into the array returned.
      const out = new Float32Array(n);
      if (o.speed === 'mean') {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const v = d[i] + aD * ((values[i] - prev[i]) / dt - d[i]);
          d[i] = v;
          sum += Math.abs(v);
        }
        const a = alpha(o.minCutoff + o.beta * (n ? sum / n : 0) * invScale, dt);
        for (let i = 0; i < n; i++) out[i] = prev[i] = prev[i] + a * (values[i] - prev[i]);
      } else {
        // alpha(fc, dt) = k·fc / (k·fc + 1) with k = 2π·dt: one division per value.
        const k = 2 * Math.PI * dt, kMin = k * o.minCutoff, kBeta = k * o.beta * invScale, invDt = 1 / dt;
        for (let i = 0; i < n; i++) {
          const x = values[i], p = prev[i];
          const v = d[i] + aD * ((x - p) * invDt - d[i]);
          d[i] = v;
          const kf = kMin + kBeta * Math.abs(v);
          out[i] = prev[i] = p + (kf / (kf + 1)) * (x - p);
        }
      }
      return out;
    },
    reset() {
      previous = undefined;
      derivative = undefined;
    },
  };
}
