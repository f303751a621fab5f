/**
 * Least-squares affine camera `P` (3×4, row-major) with `Y_i ≈ P · [X_i; 1]`: the
 * general 12-parameter fit of points `Y` (e.g. reconstructed vertices, image frame)
 * from points `X` (e.g. the canonical face). Centring first keeps the 3×3 normal
 * equations well conditioned; sums run in float64.
 *
 * ```ts
 * const P = estimateAffineCamera(assets.canonicalVertices, vertices);
 * ```
 */
export function estimateAffineCamera(X: ArrayLike<number>, Y: ArrayLike<number>): Float64Array {
  if (X.length !== Y.length || X.length % 3 !== 0 || X.length < 12) {
    throw new Error(`estimateAffineCamera needs two equal n×3 point lists with n ≥ 4, got ${X.length} and ${Y.length} numbers`);
  }
  const n = X.length / 3;
  const mx = [0, 0, 0];
  const my = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      mx[k]! += X[3 * i + k]!;
      my[k]! += Y[3 * i + k]!;
    }
  }
  for (let k = 0; k < 3; k++) {
    mx[k]! /= n;
    my[k]! /= n;
  }
  const cxx = new Float64Array(9);
  const cyx = new Float64Array(9);
  for (let i = 0; i < n; i++) {
    const x = [X[3 * i]! - mx[0]!, X[3 * i + 1]! - mx[1]!, X[3 * i + 2]! - mx[2]!];
    for (let r = 0; r < 3; r++) {
      const y = Y[3 * i + r]! - my[r]!;
      for (let c = 0; c < 3; c++) {
        cxx[3 * r + c] += x[r]! * x[c]!;
        cyx[3 * r + c] += y * x[c]!;
      }
    }
  }
  const inv = invert3(cxx);
  const P = new Float64Array(12);
  for (let r = 0; r < 3; r++) {
    let t = my[r]!;
    for (let c = 0; c < 3; c++) {
      let a = 0;
      for (let k = 0; k < 3; k++) a += cyx[3 * r + k]! * inv[3 * k + c]!;
      P[4 * r + c] = a;
      t -= a * mx[c]!;
    }
    P[4 * r + 3] = t;
  }
  return P;
}

function invert3(m: Float64Array): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = m as unknown as number[];
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  const scale = Math.max(...Array.from(m, Math.abs));
  if (!(Math.abs(det) > 1e-12 * scale ** 3)) throw new Error('estimateAffineCamera: source points are coplanar or degenerate');
  return Float64Array.of(
    A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det,
    B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det,
    C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det,
  );
}
