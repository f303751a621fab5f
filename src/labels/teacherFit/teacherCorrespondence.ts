import type { UvMorphableModel } from '../uvMorphableModel.js';
import type { FaceFit } from './teacherFit.js';
import { withDefaults } from '../../io/withDefaults.js';

/** One annotated face as the correspondence search sees it. */
export interface CorrespondenceFace {
  /** The teacher's pose and coefficients in the image. */
  teacher: FaceFit;
  /** `m × 2` human points. */
  human: ArrayLike<number>;
  /** `m` flags: annotated or not. */
  visible: ArrayLike<number>;
  /** Face size that normalises distances (pixels). */
  faceSize: number;
}

/** Options of {@link teacherCorrespondence}. */
export interface TeacherCorrespondenceOptions {
  /** Search radius around each start pixel, UV pixels. */
  radius: number;
  /** Per-point radius overrides (e.g. the ears, which may sit far from any start). */
  radii: Readonly<Record<number, number>>;
  /** A face's normalised distance counts at most this much (outliers and mislabels). */
  clip: number;
}

/** Defaults of {@link teacherCorrespondence}. */
export const TEACHER_CORRESPONDENCE_DEFAULTS: TeacherCorrespondenceOptions = { radius: 24, radii: {}, clip: 0.1 };

/**
 * Where human-annotated points lie on the morphable model, learnt from the teacher: for
 * each point, the UV pixel near its start whose position, posed by the teacher's estimate
 * of each face, lies closest to the annotation on average (distance ÷ face size, clipped).
 * The teacher is an unbiased 3D face estimate trained on other data, so this finds the
 * annotators' convention on the model without fitting anything to the annotation itself.
 * Only pixels of `allowed` (e.g. the face region) are candidates.
 *
 * ```ts
 * const { pixels, cost } = teacherCorrespondence(model, faces, aflw21UvIndices(), faceMask);
 * ```
 *
 * @param start `m` flat UV indices to search around.
 * @returns the chosen flat UV indices and each point's mean clipped distance there and at the start.
 */
export function teacherCorrespondence(
  model: UvMorphableModel,
  faces: readonly CorrespondenceFace[],
  start: ArrayLike<number>,
  allowed: Uint8Array,
  options: Partial<TeacherCorrespondenceOptions> = {},
): { pixels: Uint32Array; cost: Float64Array; startCost: Float64Array } {
  const o = withDefaults(TEACHER_CORRESPONDENCE_DEFAULTS, options);
  const N = model.size, P = N * N, K = model.shapeCount + model.expressionCount;
  const m = start.length;
  const pixels = new Uint32Array(m), cost = new Float64Array(m), startCost = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const s0 = start[j]!;
    const u0 = s0 % N, v0 = (s0 - u0) / N;
    const r = o.radii[j] ?? o.radius;
    const cand: number[] = [];
    for (let v = Math.max(0, v0 - r); v <= Math.min(N - 1, v0 + r); v++) {
      for (let u = Math.max(0, u0 - r); u <= Math.min(N - 1, u0 + r); u++) {
        const p = v * N + u;
        if ((u - u0) ** 2 + (v - v0) ** 2 <= r * r && (allowed[p] || p === s0)) cand.push(p);
      }
    }
    const sum = new Float64Array(cand.length);
    let count = 0;
    for (const f of faces) {
      if (!f.visible[j]) continue;
      count++;
      const R = f.teacher.rotation, s = f.teacher.scale, c = f.teacher.coefficients;
      const hx = f.human[j * 2]!, hy = f.human[j * 2 + 1]!;
      cand.forEach((p, i) => {
        let X = model.mean[p * 3]!, Y = model.mean[p * 3 + 1]!, Z = model.mean[p * 3 + 2]!;
        for (let k = 0; k < K; k++) {
          const b = k * P * 3 + p * 3, a = c[k]!;
          X += a * model.basis[b]!; Y += a * model.basis[b + 1]!; Z += a * model.basis[b + 2]!;
        }
        const x = s * (R[0]! * X + R[1]! * Y + R[2]! * Z) + f.teacher.translation[0];
        const y = s * (R[3]! * X + R[4]! * Y + R[5]! * Z) + f.teacher.translation[1];
        sum[i] = sum[i]! + Math.min(Math.hypot(x - hx, y - hy) / f.faceSize, o.clip);
      });
    }
    let best = 0;
    for (let i = 1; i < cand.length; i++) if (sum[i]! < sum[best]!) best = i;
    pixels[j] = cand[best]!;
    cost[j] = count ? sum[best]! / count : NaN;
    startCost[j] = count ? sum[cand.indexOf(s0)]! / count : NaN;
  }
  return { pixels, cost, startCost };
}
