import { solveSpd } from '../../geometry/solveSpd.js';
import { withDefaults } from '../../io/withDefaults.js';
/**
 * Scaled-orthographic pose fitting of 3D model points to annotated 2D points: the
 * pseudo-label step that turns AFLW's sparse 21 points into a posed canonical face.
 */

/** A scaled-orthographic pose: image = scale · (rotation · X)[x, y] + translation. */
export interface FittedPose {
  /** Row-major 3×3 rotation (proper, det +1), model frame → image frame (x right, y down, z toward the viewer). */
  rotation: Float64Array;
  /** Isotropic scale, image pixels per model unit. */
  scale: number;
  /** Image-plane translation `[tx, ty]`, pixels. */
  translation: [number, number];
  /** Deformation coefficients (one per basis shape; empty without a basis). */
  deformation: Float64Array;
  /** Root-mean-square reprojection error over the visible points, pixels. */
  rmse: number;
}

/** Options of {@link fitPose}. */
export interface FitPoseOptions {
  /** Yaw angles (degrees) of the starting rotations; the best converged one wins (profile faces have local minima). */
  yawHypotheses: readonly number[];
  /** Levenberg–Marquardt iterations per hypothesis. */
  iterations: number;
  /**
   * Optional linear deformation basis: K shapes, each `n × 3` (row-major, same order as the
   * model points), flattened one after another (`K · n · 3` numbers). The fitted model is
   * `X + Σ αₖ Bₖ`.
   */
  basis?: Float64Array;
  /** Ridge weight on the deformation coefficients, in units of (normalised residual)² per α². */
  regularization: number;
}

/** Defaults of {@link fitPose}. */
export const FIT_POSE_DEFAULTS: FitPoseOptions = {
  yawHypotheses: [-90, -60, -30, 0, 30, 60, 90],
  iterations: 40,
  regularization: 1,
};

/** 3×3 row-major product `a · b`. */
function matMul3(a: Float64Array, b: Float64Array): Float64Array {
  const o = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) o[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  }
  return o;
}

/**
 * Rotation matrix of a rotation vector (Rodrigues), row-major.
 *
 * ```ts
 * const r = rotationFromVector(0, Math.PI / 2, 0); // 90° about y
 * ```
 */
export function rotationFromVector(wx: number, wy: number, wz: number): Float64Array {
  const th = Math.hypot(wx, wy, wz);
  const r = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  if (th < 1e-12) {
    // First order: I + [w]×, accurate enough at this size.
    r[1] = -wz; r[2] = wy; r[3] = wz; r[5] = -wx; r[6] = -wy; r[7] = wx;
    return r;
  }
  const kx = wx / th, ky = wy / th, kz = wz / th;
  const c = Math.cos(th), s = Math.sin(th), v = 1 - c;
  r[0] = c + kx * kx * v; r[1] = kx * ky * v - kz * s; r[2] = kx * kz * v + ky * s;
  r[3] = ky * kx * v + kz * s; r[4] = c + ky * ky * v; r[5] = ky * kz * v - kx * s;
  r[6] = kz * kx * v - ky * s; r[7] = kz * ky * v + kx * s; r[8] = c + kz * kz * v;
  return r;
}

/**
 * Fits a scaled-orthographic pose (rotation, scale, 2D translation, and optionally
 * deformation coefficients) of 3D model points to the visible 2D points, minimising the
 * squared reprojection error by Levenberg–Marquardt from several yaw hypotheses.
 * Works in a normalised image frame (centroid 0, RMS radius 1) so the damping and the
 * ridge weight are scale-free. Needs at least 3 visible points.
 *
 * ```ts
 * const pose = fitPose(model21x3, points21x2, visible21);
 * // image ≈ pose.scale · (pose.rotation · X)[0..1] + pose.translation
 * ```
 *
 * @param model `n × 3` model points, row-major.
 * @param image `n × 2` image points, row-major.
 * @param visible `n` flags; only points with a non-zero flag enter the fit.
 */
export function fitPose(
  model: ArrayLike<number>,
  image: ArrayLike<number>,
  visible: ArrayLike<number | boolean>,
  options: Partial<FitPoseOptions> = {},
): FittedPose {
  const o = withDefaults(FIT_POSE_DEFAULTS, options);
  const n = visible.length;
  if (model.length !== n * 3 || image.length !== n * 2) {
    throw new Error(`fitPose: ${n} points need ${n * 3} model and ${n * 2} image numbers, got ${model.length} and ${image.length}`);
  }
  const K = o.basis ? o.basis.length / (n * 3) : 0;
  if (!Number.isInteger(K)) throw new Error(`fitPose: basis length ${o.basis!.length} is not a multiple of ${n * 3}`);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) if (visible[i]) ids.push(i);
  const m = ids.length;
  if (m < 3) throw new Error(`fitPose: need at least 3 visible points, got ${m}`);

  // Normalise the image points.
  let cx = 0, cy = 0;
  for (const i of ids) { cx += image[i * 2]!; cy += image[i * 2 + 1]!; }
  cx /= m; cy /= m;
  let rad = 0;
  for (const i of ids) rad += (image[i * 2]! - cx) ** 2 + (image[i * 2 + 1]! - cy) ** 2;
  rad = Math.sqrt(rad / m) || 1;
  const xs = new Float64Array(m * 2);
  const Xs = new Float64Array(m * 3);
  const Bs = new Float64Array(K * m * 3);
  ids.forEach((i, r) => {
    xs[r * 2] = (image[i * 2]! - cx) / rad;
    xs[r * 2 + 1] = (image[i * 2 + 1]! - cy) / rad;
    for (let c = 0; c < 3; c++) Xs[r * 3 + c] = model[i * 3 + c]!;
    for (let k = 0; k < K; k++) for (let c = 0; c < 3; c++) Bs[(k * m + r) * 3 + c] = o.basis![(k * n + i) * 3 + c]!;
  });

  const shape = new Float64Array(m * 3);
  const rx = new Float64Array(m * 3); // R · shape
  const res = new Float64Array(m * 2 + K);
  const lam = Math.sqrt(o.regularization);

  const residuals = (R: Float64Array, s: number, tx: number, ty: number, a: Float64Array, out: Float64Array): number => {
    let e = 0;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < 3; c++) {
        let v = Xs[r * 3 + c]!;
        for (let k = 0; k < K; k++) v += a[k]! * Bs[(k * m + r) * 3 + c]!;
        shape[r * 3 + c] = v;
      }
      const X = shape[r * 3]!, Y = shape[r * 3 + 1]!, Z = shape[r * 3 + 2]!;
      for (let c = 0; c < 3; c++) rx[r * 3 + c] = R[c * 3]! * X + R[c * 3 + 1]! * Y + R[c * 3 + 2]! * Z;
      const dx = s * rx[r * 3]! + tx - xs[r * 2]!;
      const dy = s * rx[r * 3 + 1]! + ty - xs[r * 2 + 1]!;
      out[r * 2] = dx; out[r * 2 + 1] = dy;
      e += dx * dx + dy * dy;
    }
    for (let k = 0; k < K; k++) { out[m * 2 + k] = lam * a[k]!; e += out[m * 2 + k]! ** 2; }
    return e;
  };

  type State = { e: number; R: Float64Array; s: number; tx: number; ty: number; a: Float64Array };
  const Pmax = 6 + K; // δrotation(3), log s, tx, ty, α
  const J = new Float64Array((m * 2 + K) * Pmax);
  const H = new Float64Array(Pmax * Pmax);
  const g = new Float64Array(Pmax);
  const trial = new Float64Array(m * 2 + K);
  /** Levenberg–Marquardt from `st`, with the first `Ka` deformation coefficients free. */
  const refine = (st: State, Ka: number): State => {
    let { R, s, tx, ty, a } = st;
    const P = 6 + Ka;
    let e = residuals(R, s, tx, ty, a, res);
    let damping = 1e-3;
    for (let it = 0; it < o.iterations; it++) {
      // Jacobian at the current state (res, shape, rx are current).
      J.fill(0);
      for (let r = 0; r < m; r++) {
        const X = rx[r * 3]!, Y = rx[r * 3 + 1]!, Z = rx[r * 3 + 2]!;
        const jx = r * 2 * P, jy = (r * 2 + 1) * P;
        // Left perturbation R ← exp([δ]×) R: d(RX)/dδ = −[RX]×.
        J[jx + 1] = s * Z; J[jx + 2] = -s * Y;
        J[jy] = -s * Z; J[jy + 2] = s * X;
        J[jx + 3] = s * X; J[jy + 3] = s * Y;
        J[jx + 4] = 1; J[jy + 5] = 1;
        for (let k = 0; k < Ka; k++) {
          const b = (k * m + r) * 3;
          const bx = Bs[b]!, by = Bs[b + 1]!, bz = Bs[b + 2]!;
          J[jx + 6 + k] = s * (R[0]! * bx + R[1]! * by + R[2]! * bz);
          J[jy + 6 + k] = s * (R[3]! * bx + R[4]! * by + R[5]! * bz);
        }
      }
      for (let k = 0; k < Ka; k++) J[(m * 2 + k) * P + 6 + k] = lam;
      const rows = m * 2 + Ka;
      H.fill(0); g.fill(0);
      for (let q = 0; q < rows; q++) {
        const rq = res[q]!;
        for (let i = 0; i < P; i++) {
          const ji = J[q * P + i]!;
          if (ji === 0) continue;
          g[i] += ji * rq;
          for (let j = 0; j <= i; j++) H[i * P + j] += ji * J[q * P + j]!;
        }
      }
      for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) H[j * P + i] = H[i * P + j]!;
      let improved = false;
      while (damping < 1e10) {
        const A = H.slice(0, P * P);
        for (let i = 0; i < P; i++) A[i * P + i] += damping * (H[i * P + i]! + 1e-9);
        const d = new Float64Array(P);
        for (let i = 0; i < P; i++) d[i] = -g[i]!;
        if (!solveSpd(A, d, P)) { damping *= 10; continue; }
        const R2 = matMul3(rotationFromVector(d[0]!, d[1]!, d[2]!), R);
        const s2 = s * Math.exp(d[3]!);
        const a2 = a.slice();
        for (let k = 0; k < Ka; k++) a2[k] = a[k]! + d[6 + k]!;
        const e2 = residuals(R2, s2, tx + d[4]!, ty + d[5]!, a2, trial);
        if (e2 < e) {
          const gain = e - e2;
          R = R2; s = s2; tx += d[4]!; ty += d[5]!; a = a2; res.set(trial);
          e = e2;
          damping = Math.max(damping / 3, 1e-9);
          // Converged once a step gains less than a part in 10⁹ of the cost.
          improved = gain > 1e-9 * e + 1e-15;
          break;
        }
        damping *= 4;
      }
      // Restore shape / rx for the accepted state (trial evaluations overwrote them).
      residuals(R, s, tx, ty, a, res);
      if (!improved) break;
    }
    return { e, R, s, tx, ty, a };
  };

  // Rigid fits from every yaw hypothesis; the deformation joins only from the best one
  // (the hypotheses resolve the pose ambiguity, and rigid steps are cheap).
  let best: State | undefined;
  for (const yaw of o.yawHypotheses) {
    const R = rotationFromVector(0, (yaw * Math.PI) / 180, 0);
    // Least-squares scale and translation for this rotation.
    let mx = 0, my = 0;
    for (let r = 0; r < m; r++) {
      const X = Xs[r * 3]!, Y = Xs[r * 3 + 1]!, Z = Xs[r * 3 + 2]!;
      rx[r * 3] = R[0]! * X + R[1]! * Y + R[2]! * Z;
      rx[r * 3 + 1] = R[3]! * X + R[4]! * Y + R[5]! * Z;
      mx += rx[r * 3]!; my += rx[r * 3 + 1]!;
    }
    mx /= m; my /= m;
    let num = 0, den = 0;
    for (let r = 0; r < m; r++) {
      const ax = rx[r * 3]! - mx, ay = rx[r * 3 + 1]! - my;
      num += ax * xs[r * 2]! + ay * xs[r * 2 + 1]!;
      den += ax * ax + ay * ay;
    }
    const s = num > 0 && den > 0 ? num / den : 1 / Math.sqrt(den / m || 1);
    const st = refine({ e: Infinity, R, s, tx: -s * mx, ty: -s * my, a: new Float64Array(K) }, 0);
    if (!best || st.e < best.e) best = st;
  }
  if (K > 0) best = refine(best!, K);
  const b = best!;
  // Back to image pixels (res belongs to the last hypothesis: recompute for the best).
  residuals(b.R, b.s, b.tx, b.ty, b.a, res);
  let sq = 0;
  for (let r = 0; r < m * 2; r++) sq += res[r]! ** 2;
  return {
    rotation: b.R,
    scale: b.s * rad,
    translation: [b.tx * rad + cx, b.ty * rad + cy],
    deformation: b.a,
    rmse: Math.sqrt(sq / m) * rad,
  };
}
