/**
 * Independent float64 references for tests: seeded random numbers, naive matrix helpers,
 * and Horn's quaternion method for absolute orientation (a Procrustes solver that shares
 * no code or method with the SVD-based `umeyama`).
 */

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
}

/** Row-major n×m by m×p product. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, m: number, p: number): number[] {
  const out = new Array<number>(n * p).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) for (let k = 0; k < m; k++) out[i * p + j]! += a[i * m + k]! * b[k * p + j]!;
  return out;
}

/** Rotation from a unit quaternion (w, x, y, z), 3×3 row-major. */
export function quatToRotation(q: number[]): number[] {
  const [w, x, y, z] = q as [number, number, number, number];
  return [
    w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z,
  ];
}

export function randomRotation(r: () => number): number[] {
  const q = [gaussian(r), gaussian(r), gaussian(r), gaussian(r)];
  const n = Math.hypot(...q);
  return quatToRotation(q.map((v) => v / n));
}

/**
 * Horn (1987) closed-form absolute orientation with scale: the rotation is the
 * eigenvector of the largest eigenvalue of a symmetric 4×4 matrix (found here by a
 * cyclic Jacobi eigen-solver), scale = Σ d'·R s' / Σ |s'|² (least-squares scale).
 */
export function hornSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>): { s: number; R: number[]; t: number[] } {
  const n = src.length / 3;
  const cs = [0, 0, 0];
  const cd = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) {
    cs[k]! += src[3 * i + k]! / n;
    cd[k]! += dst[3 * i + k]! / n;
  }
  const S = new Array(9).fill(0);
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    S[3 * a + b] += (src[3 * i + a]! - cs[a]!) * (dst[3 * i + b]! - cd[b]!);
  }
  const [xx, xy, xz, yx, yy, yz, zx, zy, zz] = S as number[];
  const N = [
    [xx! + yy! + zz!, yz! - zy!, zx! - xz!, xy! - yx!],
    [yz! - zy!, xx! - yy! - zz!, xy! + yx!, zx! + xz!],
    [zx! - xz!, xy! + yx!, -xx! + yy! - zz!, yz! + zy!],
    [xy! - yx!, zx! + xz!, yz! + zy!, -xx! - yy! + zz!],
  ];
  const { values, vectors } = jacobiEigen(N);
  let best = 0;
  for (let i = 1; i < 4; i++) if (values[i]! > values[best]!) best = i;
  const q = vectors.map((row) => row[best]!);
  const R = quatToRotation(q);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const s = [0, 1, 2].map((k) => src[3 * i + k]! - cs[k]!);
    const d = [0, 1, 2].map((k) => dst[3 * i + k]! - cd[k]!);
    const Rs = [0, 1, 2].map((r) => R[3 * r]! * s[0]! + R[3 * r + 1]! * s[1]! + R[3 * r + 2]! * s[2]!);
    num += d[0]! * Rs[0]! + d[1]! * Rs[1]! + d[2]! * Rs[2]!;
    den += s[0]! ** 2 + s[1]! ** 2 + s[2]! ** 2;
  }
  const s = num / den;
  const t = [0, 1, 2].map((r) => cd[r]! - s * (R[3 * r]! * cs[0]! + R[3 * r + 1]! * cs[1]! + R[3 * r + 2]! * cs[2]!));
  return { s, R, t };
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix; columns of `vectors` are eigenvectors. */
export function jacobiEigen(A: number[][]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((r) => [...r]);
  const v: number[][] = A.map((_, i) => A.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      if (Math.abs(a[p]![q]!) < 1e-300) continue;
      const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < n; k++) {
        const akp = a[k]![p]!, akq = a[k]![q]!;
        a[k]![p] = c * akp - s * akq;
        a[k]![q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = a[p]![k]!, aqk = a[q]![k]!;
        a[p]![k] = c * apk - s * aqk;
        a[q]![k] = s * apk + c * aqk;
      }
      for (let k = 0; k < n; k++) {
        const vkp = v[k]![p]!, vkq = v[k]![q]!;
        v[k]![p] = c * vkp - s * vkq;
        v[k]![q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: a.map((r, i) => r[i]!), vectors: v };
}
