/** Singular value decomposition of a 3×3 matrix: `A = U · diag(S) · Vᵀ`. */
export interface Svd3 {
  /** Left singular vectors, 3×3 row-major, orthogonal (det ±1). */
  U: Float64Array;
  /** Singular values, descending, ≥ 0. */
  S: Float64Array;
  /** Right singular vectors, 3×3 row-major, orthogonal (det ±1). */
  V: Float64Array;
}

/**
 * SVD of a 3×3 row-major matrix by one-sided Jacobi rotations (Hestenes): accurate
 * for the small, possibly rank-deficient covariance matrices of Procrustes fits,
 * and free of dependencies. A rank-deficient U is completed to an orthonormal basis.
 *
 * ```ts
 * const { U, S, V } = svd3(covariance);
 * ```
 */
export function svd3(A: ArrayLike<number>): Svd3 {
  // Columns of B are orthogonalised by right-multiplying with rotations collected in V.
  const B = Float64Array.from({ length: 9 }, (_, i) => A[i]!);
  const V = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < 2; p++) {
      for (let q = p + 1; q < 3; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < 3; r++) {
          const bp = B[3 * r + p]!;
          const bq = B[3 * r + q]!;
          alpha += bp * bp;
          beta += bq * bq;
          gamma += bp * bq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (const M of [B, V]) {
          for (let r = 0; r < 3; r++) {
            const mp = M[3 * r + p]!;
            const mq = M[3 * r + q]!;
            M[3 * r + p] = c * mp - s * mq;
            M[3 * r + q] = s * mp + c * mq;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const norms = [0, 1, 2].map((j) => Math.hypot(B[j]!, B[3 + j]!, B[6 + j]!));
  const order = [0, 1, 2].sort((i, j) => norms[j]! - norms[i]!);
  const S = Float64Array.from(order.map((j) => norms[j]!));
  const U = new Float64Array(9);
  const Vs = new Float64Array(9);
  const tol = Math.max(S[0]!, Number.MIN_VALUE) * 1e-12;
  const cols: number[][] = [];
  order.forEach((j, k) => {
    for (let r = 0; r < 3; r++) Vs[3 * r + k] = V[3 * r + j]!;
    if (S[k]! > tol) cols.push([B[j]! / S[k]!, B[3 + j]! / S[k]!, B[6 + j]! / S[k]!]);
  });
  // Complete U where singular values vanish.
  if (cols.length === 0) cols.push([1, 0, 0]);
  if (cols.length === 1) {
    const u = cols[0]!;
    const e = Math.abs(u[0]!) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const w = cross(u, e);
    const n = Math.hypot(w[0]!, w[1]!, w[2]!);
    cols.push(w.map((x) => x / n));
  }
  if (cols.length === 2) cols.push(cross(cols[0]!, cols[1]!));
  for (let k = 0; k < 3; k++) for (let r = 0; r < 3; r++) U[3 * r + k] = cols[k]![r]!;
  return { U, S, V: Vs };
}

function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

/** Determinant of a 3×3 row-major matrix. */
export function det3(m: ArrayLike<number>): number {
  return (
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
  );
}
