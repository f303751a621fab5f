/**
 * Naive float64 reimplementation of face3d's `8_generate_posmap_300WLP.py` for the tests,
 * written from the formulas, sharing no code with src/labels/posmap300wlp: explicit rotation
 * matrices, a least-squares similarity from the three crop corners, and a literal port of
 * face3d's `render_colors` core (bbox loop, border rule, barycentric inside test, depth test).
 */
import type { FixtureModel, FixtureParams } from './fixture.js';

type M3 = number[][];
const mul = (a: M3, b: M3): M3 => a.map((row) => [0, 1, 2].map((j) => row[0]! * b[0]![j]! + row[1]! * b[1]![j]! + row[2]! * b[2]![j]!));

export interface ReferenceResult {
  /** n×3 vertices in photo pixels (after the y flip). */
  image: number[][];
  center: [number, number];
  size: number;
  /** [a, -b, tx; b, a, ty] as a 2×3 row-major. */
  tform: number[];
  /** n×3 crop positions (z min 0). */
  position: number[][];
  /** size²×3, null where uncovered. */
  map: (number[] | null)[];
}

/** Solves the 4×4 normal equations of x' = a x − b y + tx, y' = b x + a y + ty. */
function similarity(src: number[][], dst: number[][]): number[] {
  const A: number[][] = [], y: number[] = [];
  src.forEach(([x, yy], i) => {
    A.push([x!, -yy!, 1, 0]); y.push(dst[i]![0]!);
    A.push([yy!, x!, 0, 1]); y.push(dst[i]![1]!);
  });
  const N = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => A.reduce((s, row) => s + row[r]! * row[c]!, 0)));
  const rhs = [0, 1, 2, 3].map((r) => A.reduce((s, row, k) => s + row[r]! * y[k]!, 0));
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(N[r]![c]!) > Math.abs(N[p]![c]!)) p = r;
    [N[c], N[p]] = [N[p]!, N[c]!]; [rhs[c], rhs[p]] = [rhs[p]!, rhs[c]!];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = N[r]![c]! / N[c]![c]!;
      for (let k = 0; k < 4; k++) N[r]![k]! -= f * N[c]![k]!;
      rhs[r]! -= f * rhs[c]!;
    }
  }
  const [a, b, tx, ty] = rhs.map((v, i) => v / N[i]![i]!) as [number, number, number, number];
  return [a, -b, tx, b, a, ty];
}

/**
 * The whole generator for one sample. `jitter`: the three uniform draws (shift x, shift y,
 * scale) or null.
 */
export function referencePosmap(model: FixtureModel, p: FixtureParams, photoHeight: number, size: number, jitter: number[] | null): ReferenceResult {
  const { n } = model;
  const flat: number[] = [];
  for (let r = 0; r < 3 * n; r++) {
    let v = model.shapeMU[r]! + model.expMU[r]!;
    for (let k = 0; k < model.shapeCount; k++) v += model.shapePC[r * model.shapeCount + k]! * p.shape[k]!;
    for (let k = 0; k < model.expCount; k++) v += model.expPC[r * model.expCount + k]! * p.exp[k]!;
    flat.push(v);
  }
  const [x, y, z, tx, ty, tz, s] = p.pose as [number, number, number, number, number, number, number];
  const Rx = [[1, 0, 0], [0, Math.cos(x), Math.sin(x)], [0, -Math.sin(x), Math.cos(x)]];
  const Ry = [[Math.cos(y), 0, -Math.sin(y)], [0, 1, 0], [Math.sin(y), 0, Math.cos(y)]];
  const Rz = [[Math.cos(z), Math.sin(z), 0], [-Math.sin(z), Math.cos(z), 0], [0, 0, 1]];
  const R = mul(mul(Rx, Ry), Rz);
  const image: number[][] = [];
  for (let i = 0; i < n; i++) {
    const v = [flat[3 * i]!, flat[3 * i + 1]!, flat[3 * i + 2]!];
    // s · v · Rᵀ + t
    const t = [0, 1, 2].map((r) => s * (R[r]![0]! * v[0]! + R[r]![1]! * v[1]! + R[r]![2]! * v[2]!) + [tx, ty, tz][r]!);
    image.push([t[0]!, photoHeight - t[1]! - 1, t[2]!]);
  }
  const kpt = model.kptInd.map((k) => [Math.trunc(image[k]![0]!), Math.trunc(image[k]![1]!)]);
  const left = Math.min(...kpt.map((q) => q[0]!)), right = Math.max(...kpt.map((q) => q[0]!));
  const top = Math.min(...kpt.map((q) => q[1]!)), bottom = Math.max(...kpt.map((q) => q[1]!));
  const center: [number, number] = [right - (right - left) / 2, bottom - (bottom - top) / 2];
  const old = (right - left + bottom - top) / 2;
  let side = Math.trunc(old * 1.5);
  if (jitter) {
    const marg = old * 0.1;
    center[0] += jitter[0]! * marg * 2 - marg;
    center[1] += jitter[1]! * marg * 2 - marg;
    side *= jitter[2]! * 0.2 + 0.9;
  }
  const [cx, cy] = center;
  const tform = similarity(
    [[cx - side / 2, cy - side / 2], [cx - side / 2, cy + side / 2], [cx + side / 2, cy - side / 2]],
    [[0, 0], [0, size - 1], [size - 1, 0]],
  );
  const position = image.map(([X, Y, Z]) => [tform[0]! * X! + tform[1]! * Y! + tform[2]!, tform[3]! * X! + tform[4]! * Y! + tform[5]!, Z! * tform[0]!]);
  const zmin = Math.min(...position.map((q) => q[2]!));
  for (const q of position) q[2]! -= zmin;

  // face3d process_uv (float32 as render_colors casts) and render_colors_core.
  const uvs = Array.from({ length: n }, (_, i) => [Math.fround(model.uv[2 * i]! * (size - 1)), Math.fround(size - model.uv[2 * i + 1]! * (size - 1) - 1)]);
  const map: (number[] | null)[] = new Array(size * size).fill(null);
  const depth = new Float64Array(size * size).fill(-999999);
  for (const [i0, i1, i2] of model.triangles as [number, number, number][]) {
    const p0 = uvs[i0]!, p1 = uvs[i1]!, p2 = uvs[i2]!;
    const xs = [p0[0]!, p1[0]!, p2[0]!], ys = [p0[1]!, p1[1]!, p2[1]!];
    const x0 = Math.max(Math.ceil(Math.min(...xs)), 0), x1 = Math.min(Math.floor(Math.max(...xs)), size - 1);
    const y0 = Math.max(Math.ceil(Math.min(...ys)), 0), y1 = Math.min(Math.floor(Math.max(...ys)), size - 1);
    for (let py = y0; py <= y1; py++) for (let px = x0; px <= x1; px++) {
      const v0 = [p2[0]! - p0[0]!, p2[1]! - p0[1]!], v1 = [p1[0]! - p0[0]!, p1[1]! - p0[1]!], v2 = [px - p0[0]!, py - p0[1]!];
      const d00 = v0[0]! * v0[0]! + v0[1]! * v0[1]!, d01 = v0[0]! * v1[0]! + v0[1]! * v1[1]!, d02 = v0[0]! * v2[0]! + v0[1]! * v2[1]!;
      const d11 = v1[0]! * v1[0]! + v1[1]! * v1[1]!, d12 = v1[0]! * v2[0]! + v1[1]! * v2[1]!;
      const den = d00 * d11 - d01 * d01;
      const inv = den === 0 ? 0 : 1 / den;
      const u = (d11 * d02 - d01 * d12) * inv, v = (d00 * d12 - d01 * d02) * inv;
      const border = px < 2 || px > size - 3 || py < 2 || py > size - 3;
      if (!(border || (u >= 0 && v >= 0 && u + v < 1))) continue;
      const w = [1 - u - v, v, u];
      const pz = 0; // UV vertices have z = 0
      if (!(pz > depth[py * size + px]!)) continue;
      depth[py * size + px] = pz;
      map[py * size + px] = [0, 1, 2].map((c) => w[0]! * position[i0]![c]! + w[1]! * position[i1]![c]! + w[2]! * position[i2]![c]!);
    }
  }
  return { image, center, size: side, tform, position, map };
}
