import { solveSpd } from '../../geometry/solveSpd.js';
import { rotationFromVector } from '../aflwMeanFace/fitPose.js';
import { withDefaults } from '../../io/withDefaults.js';

/** A linear model at the constrained points: per point its mean and basis, in the y-down model frame. */
export interface FitPoints {
  /** `m × 3`. */
  mean: Float64Array;
  /** `m × 3 × K` row-major (point, coordinate, coefficient). */
  basis: Float64Array;
  /** K. */
  coefficientCount: number;
}

/** A scaled-orthographic pose plus morphable-model coefficients: image = scale · (rotation · (mean + basis·c))[x, y] + translation. */
export interface FaceFit {
  /** Row-major 3×3 proper rotation, y-down model frame → image frame. */
  rotation: Float64Array;
  /** Image pixels per model unit. */
  scale: number;
  /** `[tx, ty]`, image pixels. */
  translation: [number, number];
  /** K coefficients (3DDFA's α then β). */
  coefficients: Float64Array;
}

/** Options of {@link teacherFit}. */
export interface TeacherFitOptions {
  /** Assumed error of a human point, as a fraction of the face size (√(w·h) of the start's 68-landmark box). */
  pointSigma: number;
  /** Prior spread of each shape coefficient around the teacher's, in units of its population spread. */
  shapePrior: number;
  /** Prior spread of each expression coefficient around the teacher's, in units of its population spread. */
  expressionPrior: number;
  /** Prior spread of the rotation around the teacher's, degrees. */
  rotationSigma: number;
  /** Levenberg–Marquardt iterations. */
  iterations: number;
}

/** Defaults of {@link teacherFit} (chosen on training faces: docs/teacher-labels.md). */
export const TEACHER_FIT_DEFAULTS: TeacherFitOptions = { pointSigma: 0.02, shapePrior: 4, expressionPrior: 1, rotationSigma: 5, iterations: 30 };

/** Result of {@link teacherFit}. */
export interface TeacherFitResult extends FaceFit {
  /** RMS distance of the weighted visible points after the fit, ÷ face size. */
  fitError: number;
  /** The same for the teacher's start: how far teacher and annotation disagree. */
  teacherGap: number;
  /** Visible points used. */
  pointCount: number;
}

/**
 * The label fit: pose, shape and expression pulled from the teacher's estimate toward the
 * human points. Minimises Σⱼ wⱼ‖proj(Xⱼ) − hⱼ‖² / σ² + Σₖ ((cₖ − c⁰ₖ) / (λ·sdₖ))² +
 * ‖log(R·R⁰ᵀ)‖² / σ_R² by Levenberg–Marquardt over a rotation increment, scale,
 * translation and the K coefficients, starting at the teacher's values.
 *
 * ```ts
 * const fit = teacherFit(points, human, weights, start, coefficientStd, 40, { pointSigma: 0.02 });
 * ```
 *
 * @param human `m × 2` image points.
 * @param weights `m` point weights (0: not annotated).
 * @param start the teacher's pose and coefficients.
 * @param coefficientStd K population spreads (3DDFA's `param_std[12:]`).
 * @param shapeCount how many of the K coefficients are shape (the rest expression).
 * @param faceSize the face size that scales `pointSigma` and the reported errors, pixels.
 */
export function teacherFit(
  points: FitPoints,
  human: ArrayLike<number>,
  weights: ArrayLike<number>,
  start: FaceFit,
  coefficientStd: ArrayLike<number>,
  shapeCount: number,
  faceSize: number,
  options: Partial<TeacherFitOptions> = {},
): TeacherFitResult {
  const o = withDefaults(TEACHER_FIT_DEFAULTS, options);
  const m = points.mean.length / 3, K = points.coefficientCount;
  if (points.basis.length !== m * 3 * K || human.length !== m * 2 || weights.length !== m) {
    throw new Error(`teacherFit: ${m} points need ${m * 3 * K} basis, ${m * 2} image values and ${m} weights`);
  }
  if (!(faceSize > 0)) throw new Error(`teacherFit: face size must be > 0, got ${faceSize}`);
  const ids: number[] = [];
  for (let j = 0; j < m; j++) if (weights[j]! > 0 && Number.isFinite(human[j * 2]!) && Number.isFinite(human[j * 2 + 1]!)) ids.push(j);
  const U = 6 + K;
  const sigma = o.pointSigma * faceSize;
  const rotW = 1 / ((o.rotationSigma * Math.PI) / 180);
  const priorW = new Float64Array(K);
  for (let k = 0; k < K; k++) priorW[k] = 1 / ((k < shapeCount ? o.shapePrior : o.expressionPrior) * coefficientStd[k]!);
  const R0 = start.rotation;

  let R: Float64Array = start.rotation.slice(), s = start.scale, tx = start.translation[0], ty = start.translation[1];
  let c = start.coefficients.slice();
  const X = new Float64Array(3), Y = new Float64Array(3);

  const pointResiduals = (Rm: Float64Array, sc: number, ax: number, ay: number, cc: Float64Array, out?: Float64Array): number => {
    let cost = 0;
    ids.forEach((j, r) => {
      for (let d = 0; d < 3; d++) {
        let v = points.mean[j * 3 + d]!;
        const b = (j * 3 + d) * K;
        for (let k = 0; k < K; k++) v += points.basis[b + k]! * cc[k]!;
        X[d] = v;
      }
      const wq = Math.sqrt(weights[j]!) / sigma;
      const ex = (sc * (Rm[0]! * X[0]! + Rm[1]! * X[1]! + Rm[2]! * X[2]!) + ax - human[j * 2]!) * wq;
      const ey = (sc * (Rm[3]! * X[0]! + Rm[4]! * X[1]! + Rm[5]! * X[2]!) + ay - human[j * 2 + 1]!) * wq;
      if (out) { out[r * 2] = ex; out[r * 2 + 1] = ey; }
      cost += ex * ex + ey * ey;
    });
    return cost;
  };
  const totalCost = (Rm: Float64Array, sc: number, ax: number, ay: number, cc: Float64Array): number => {
    let cost = pointResiduals(Rm, sc, ax, ay, cc);
    for (let k = 0; k < K; k++) cost += ((cc[k]! - start.coefficients[k]!) * priorW[k]!) ** 2;
    const w = rotationLog(Rm, R0);
    cost += (w[0]! ** 2 + w[1]! ** 2 + w[2]! ** 2) * rotW * rotW;
    return cost;
  };
  const startPointCost = pointResiduals(R, s, tx, ty, c);
  let cost = totalCost(R, s, tx, ty, c);
  let mu = 1e-3;
  const JtJ = new Float64Array(U * U), Jtr = new Float64Array(U), row = new Float64Array(U);
  const addRow = (r: number) => {
    for (let a = 0; a < U; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      Jtr[a] = Jtr[a]! + ra * r;
      for (let b = a; b < U; b++) JtJ[a * U + b] = JtJ[a * U + b]! + ra * row[b]!;
    }
  };
  for (let it = 0; it < o.iterations && ids.length > 0; it++) {
    JtJ.fill(0); Jtr.fill(0);
    for (const j of ids) {
      for (let d = 0; d < 3; d++) {
        let v = points.mean[j * 3 + d]!;
        const b = (j * 3 + d) * K;
        for (let k = 0; k < K; k++) v += points.basis[b + k]! * c[k]!;
        X[d] = v;
      }
      for (let d = 0; d < 3; d++) Y[d] = R[d * 3]! * X[0]! + R[d * 3 + 1]! * X[1]! + R[d * 3 + 2]! * X[2]!;
      const wq = Math.sqrt(weights[j]!) / sigma;
      for (let axis = 0; axis < 2; axis++) {
        row.fill(0);
        // ∂(R·X)/∂δ for R ← exp([δ]×)·R is −[Y]×.
        if (axis === 0) { row[1] = s * Y[2]!; row[2] = -s * Y[1]!; row[4] = 1; } else { row[0] = -s * Y[2]!; row[2] = s * Y[0]!; row[5] = 1; }
        row[3] = Y[axis]!;
        for (let k = 0; k < K; k++) {
          let rb = 0;
          for (let d = 0; d < 3; d++) rb += R[axis * 3 + d]! * points.basis[(j * 3 + d) * K + k]!;
          row[6 + k] = s * rb;
        }
        for (let a = 0; a < U; a++) row[a] = row[a]! * wq;
        const r = ((axis === 0 ? s * Y[0]! + tx : s * Y[1]! + ty) - human[j * 2 + axis]!) * wq;
        addRow(r);
      }
    }
    const w = rotationLog(R, R0);
    for (let a = 0; a < 3; a++) { row.fill(0); row[a] = rotW; addRow(w[a]! * rotW); }
    for (let k = 0; k < K; k++) { row.fill(0); row[6 + k] = priorW[k]!; addRow((c[k]! - start.coefficients[k]!) * priorW[k]!); }
    let improved = false;
    for (let tries = 0; tries < 8 && !improved; tries++) {
      const A = new Float64Array(U * U), g = new Float64Array(U);
      for (let a = 0; a < U; a++) {
        for (let b = a; b < U; b++) { A[a * U + b] = JtJ[a * U + b]!; A[b * U + a] = JtJ[a * U + b]!; }
        A[a * U + a] = A[a * U + a]! * (1 + mu) + 1e-12;
        g[a] = -Jtr[a]!;
      }
      if (!solveSpd(A, g, U)) { mu *= 10; continue; }
      const Rn = mul3(rotationFromVector(g[0]!, g[1]!, g[2]!), R);
      const sn = s + g[3]!, txn = tx + g[4]!, tyn = ty + g[5]!;
      const cn = c.slice();
      for (let k = 0; k < K; k++) cn[k] = cn[k]! + g[6 + k]!;
      const costN = sn > 0 ? totalCost(Rn, sn, txn, tyn, cn) : Infinity;
      if (costN < cost) {
        improved = true;
        const rel = (cost - costN) / cost;
        R = Rn; s = sn; tx = txn; ty = tyn; c = cn; cost = costN;
        mu = Math.max(mu / 3, 1e-9);
        if (rel < 1e-10) it = o.iterations;
      } else {
        mu *= 10;
      }
    }
    if (!improved) break;
  }
  const norm = (pc: number) => (ids.length ? Math.sqrt(pc / ids.length) * o.pointSigma : NaN);
  return {
    rotation: R, scale: s, translation: [tx, ty], coefficients: c,
    fitError: norm(pointResiduals(R, s, tx, ty, c)),
    teacherGap: norm(startPointCost),
    pointCount: ids.length,
  };
}

function mul3(a: Float64Array, b: Float64Array): Float64Array {
  const o = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) o[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return o;
}

/** Rotation vector of R·R0ᵀ. */
function rotationLog(R: Float64Array, R0: Float64Array): Float64Array {
  const M = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) M[i * 3 + j] = R[i * 3]! * R0[j * 3]! + R[i * 3 + 1]! * R0[j * 3 + 1]! + R[i * 3 + 2]! * R0[j * 3 + 2]!;
  const cos = Math.min(1, Math.max(-1, (M[0]! + M[4]! + M[8]! - 1) / 2));
  const th = Math.acos(cos);
  const vx = M[7]! - M[5]!, vy = M[2]! - M[6]!, vz = M[3]! - M[1]!;
  const f = th < 1e-8 ? 0.5 : th / (2 * Math.sin(th));
  return Float64Array.of(vx * f, vy * f, vz * f);
}
