/**
 * Thin-plate spline interpolation in the plane: the smoothest (least bending energy)
 * function through scattered values, φ(r) = r² log r plus an affine part. Used to spread
 * morphable-model bases known at scattered UV points over the whole position map.
 */

/** A fitted spline: evaluate with {@link thinPlateSplineEvaluate}. */
export interface ThinPlateSpline {
  /** `n × 2` centres (x, y). */
  centers: Float64Array;
  /** Number of interpolated channels. */
  channels: number;
  /** `(n + 3) × channels` row-major: the kernel weights, then the affine part (1, x, y). */
  coefficients: Float64Array;
}

/** The kernel r² log r, as a function of r². */
function kernel(r2: number): number {
  return r2 > 0 ? 0.5 * r2 * Math.log(r2) : 0;
}

/**
 * Fits a spline through `values` (`n × channels`, row-major) at `centers` (`n × 2`), exactly
 * (no smoothing). Solves the (n + 3)² saddle-point system by LU with partial pivoting:
 * O(n³), about 15 s for 4,000 centres. Centres must be distinct and not all on a line.
 *
 * ```ts
 * const tps = thinPlateSplineFit(uvPoints, basisValues, 120);
 * const atPixels = thinPlateSplineEvaluate(tps, pixelCoords);
 * ```
 */
export function thinPlateSplineFit(centers: Float64Array, values: Float64Array, channels: number): ThinPlateSpline {
  const n = centers.length / 2;
  if (!Number.isInteger(n) || values.length !== n * channels) throw new Error(`thinPlateSplineFit: ${centers.length / 2} centres and ${values.length} values do not fit ${channels} channels`);
  const m = n + 3;
  const A = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    const xi = centers[2 * i]!, yi = centers[2 * i + 1]!;
    for (let j = 0; j < n; j++) {
      const dx = xi - centers[2 * j]!, dy = yi - centers[2 * j + 1]!;
      A[i * m + j] = kernel(dx * dx + dy * dy);
    }
    A[i * m + n] = 1; A[i * m + n + 1] = xi; A[i * m + n + 2] = yi;
    A[n * m + i] = 1; A[(n + 1) * m + i] = xi; A[(n + 2) * m + i] = yi;
  }
  const B = new Float64Array(m * channels);
  B.set(values);
  solveLu(A, B, m, channels);
  return { centers: centers.slice(), channels, coefficients: B };
}

/**
 * Evaluates a spline at `points` (`k × 2`): `k × channels`, row-major.
 *
 * ```ts
 * const v = thinPlateSplineEvaluate(tps, Float64Array.of(12.5, 40));
 * ```
 */
export function thinPlateSplineEvaluate(tps: ThinPlateSpline, points: Float64Array): Float64Array {
  const { centers, channels: C, coefficients: W } = tps;
  const n = centers.length / 2;
  const k = points.length / 2;
  const out = new Float64Array(k * C);
  const phi = new Float64Array(n);
  const acc = new Float64Array(C);
  for (let p = 0; p < k; p++) {
    const x = points[2 * p]!, y = points[2 * p + 1]!;
    for (let i = 0; i < n; i++) {
      const dx = x - centers[2 * i]!, dy = y - centers[2 * i + 1]!;
      phi[i] = kernel(dx * dx + dy * dy);
    }
    for (let c = 0; c < C; c++) acc[c] = W[n * C + c]! + x * W[(n + 1) * C + c]! + y * W[(n + 2) * C + c]!;
    for (let i = 0; i < n; i++) {
      const f = phi[i]!;
      if (f === 0) continue;
      const row = i * C;
      for (let c = 0; c < C; c++) acc[c] = acc[c]! + f * W[row + c]!;
    }
    out.set(acc, p * C);
  }
  return out;
}

/** Solves `A X = B` in place (`A` m×m, `B` m×c, both row-major; X replaces B) by LU with partial pivoting. */
function solveLu(A: Float64Array, B: Float64Array, m: number, c: number): void {
  for (let k = 0; k < m; k++) {
    let piv = k, best = Math.abs(A[k * m + k]!);
    for (let i = k + 1; i < m; i++) {
      const v = Math.abs(A[i * m + k]!);
      if (v > best) { best = v; piv = i; }
    }
    if (!(best > 1e-300)) throw new Error('thinPlateSplineFit: singular system (repeated centres, or all on a line?)');
    if (piv !== k) {
      swapRows(A, k, piv, m, m);
      swapRows(B, k, piv, c, c);
    }
    const d = 1 / A[k * m + k]!;
    const rowK = A.subarray(k * m, k * m + m);
    const bK = B.subarray(k * c, k * c + c);
    for (let i = k + 1; i < m; i++) {
      const base = i * m;
      const f = A[base + k]! * d;
      if (f === 0) continue;
      A[base + k] = f;
      for (let j = k + 1; j < m; j++) A[base + j] = A[base + j]! - f * rowK[j]!;
      const bi = i * c;
      for (let j = 0; j < c; j++) B[bi + j] = B[bi + j]! - f * bK[j]!;
    }
  }
  for (let i = m - 1; i >= 0; i--) {
    const base = i * m, bi = i * c;
    for (let k = i + 1; k < m; k++) {
      const f = A[base + k]!;
      if (f === 0) continue;
      const bk = k * c;
      for (let j = 0; j < c; j++) B[bi + j] = B[bi + j]! - f * B[bk + j]!;
    }
    const d = 1 / A[base + i]!;
    for (let j = 0; j < c; j++) B[bi + j] = B[bi + j]! * d;
  }
}

function swapRows(M: Float64Array, a: number, b: number, width: number, stride: number): void {
  for (let j = 0; j < width; j++) {
    const t = M[a * stride + j]!;
    M[a * stride + j] = M[b * stride + j]!;
    M[b * stride + j] = t;
  }
}
