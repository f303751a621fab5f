import { withDefaults } from '../io/withDefaults.js';

/** Where points lie on a mesh, in its UV parametrisation. */
export interface MeshPointUv {
  /** `k × 2`: UV of each point's closest surface point (barycentric blend of its triangle's UVs). */
  uv: Float64Array;
  /** `k`: distance from each point to the surface, model units. */
  distance: Float64Array;
}

/** Options of {@link meshPointUv}. */
export interface MeshPointUvOptions {
  /** Nearest vertices whose triangles are searched per point. */
  candidateVertices: number;
}

/** Defaults of {@link meshPointUv}. */
export const MESH_POINT_UV_DEFAULTS: MeshPointUvOptions = { candidateVertices: 8 };

/**
 * The UV of each point's closest point on a triangle mesh: the triangles around the point's
 * nearest vertices are searched for the closest surface point (Ericson's closest point on a
 * triangle), whose barycentric weights blend the vertices' UVs. Brute-force nearest
 * vertices: O(k·n), fine for thousands of points on a 53k-vertex face.
 *
 * ```ts
 * const { uv, distance } = meshPointUv(samplePoints, mesh.vertices, mesh.triangles, mesh.uv);
 * ```
 *
 * @param points `k × 3`.
 * @param vertices `n × 3`.
 * @param triangles `m × 3`, 0-based.
 * @param uv `n × 2`.
 */
export function meshPointUv(
  points: ArrayLike<number>,
  vertices: ArrayLike<number>,
  triangles: Uint32Array,
  uv: ArrayLike<number>,
  options: Partial<MeshPointUvOptions> = {},
): MeshPointUv {
  const o = withDefaults(MESH_POINT_UV_DEFAULTS, options);
  const n = vertices.length / 3, m = triangles.length / 3, k = points.length / 3;
  if (uv.length !== n * 2) throw new Error(`meshPointUv: ${uv.length / 2} UVs for ${n} vertices`);
  // Vertex → incident triangles (CSR).
  const count = new Uint32Array(n + 1);
  for (let i = 0; i < triangles.length; i++) count[triangles[i]! + 1]!++;
  for (let v = 0; v < n; v++) count[v + 1] = count[v + 1]! + count[v]!;
  const fill = count.slice(0, n);
  const incident = new Uint32Array(triangles.length);
  for (let t = 0; t < m; t++) for (let c = 0; c < 3; c++) { const v = triangles[t * 3 + c]!; incident[fill[v]!++] = t; }

  const outUv = new Float64Array(k * 2);
  const distance = new Float64Array(k);
  const C = o.candidateVertices;
  const nearD = new Float64Array(C), nearV = new Int32Array(C);
  const q = new Float64Array(3), w = new Float64Array(3);
  for (let p = 0; p < k; p++) {
    const px = points[p * 3]!, py = points[p * 3 + 1]!, pz = points[p * 3 + 2]!;
    nearD.fill(Infinity); nearV.fill(-1);
    for (let v = 0; v < n; v++) {
      const d = (vertices[v * 3]! - px) ** 2 + (vertices[v * 3 + 1]! - py) ** 2 + (vertices[v * 3 + 2]! - pz) ** 2;
      if (d >= nearD[C - 1]!) continue;
      let j = C - 1;
      while (j > 0 && nearD[j - 1]! > d) { nearD[j] = nearD[j - 1]!; nearV[j] = nearV[j - 1]!; j--; }
      nearD[j] = d; nearV[j] = v;
    }
    let best = Infinity, bu = 0, bv = 0;
    for (const v of nearV) {
      if (v < 0) continue;
      for (let e = count[v]!; e < count[v + 1]!; e++) {
        const t = incident[e]!;
        const a = triangles[t * 3]!, b = triangles[t * 3 + 1]!, c = triangles[t * 3 + 2]!;
        closestPointOnTriangle(px, py, pz, vertices, a, b, c, q, w);
        const d = (q[0]! - px) ** 2 + (q[1]! - py) ** 2 + (q[2]! - pz) ** 2;
        if (d < best) {
          best = d;
          bu = w[0]! * uv[a * 2]! + w[1]! * uv[b * 2]! + w[2]! * uv[c * 2]!;
          bv = w[0]! * uv[a * 2 + 1]! + w[1]! * uv[b * 2 + 1]! + w[2]! * uv[c * 2 + 1]!;
        }
      }
    }
    outUv[p * 2] = bu; outUv[p * 2 + 1] = bv;
    distance[p] = Math.sqrt(best);
  }
  return { uv: outUv, distance };
}

/** Ericson, Real-Time Collision Detection §5.1.5: closest point `q` on triangle abc to p, with barycentric weights `w`. */
function closestPointOnTriangle(
  px: number, py: number, pz: number, V: ArrayLike<number>, a: number, b: number, c: number, q: Float64Array, w: Float64Array,
): void {
  const ax = V[a * 3]!, ay = V[a * 3 + 1]!, az = V[a * 3 + 2]!;
  const abx = V[b * 3]! - ax, aby = V[b * 3 + 1]! - ay, abz = V[b * 3 + 2]! - az;
  const acx = V[c * 3]! - ax, acy = V[c * 3 + 1]! - ay, acz = V[c * 3 + 2]! - az;
  const apx = px - ax, apy = py - ay, apz = pz - az;
  const set = (wa: number, wb: number, wc: number) => {
    w[0] = wa; w[1] = wb; w[2] = wc;
    q[0] = ax + wb * abx + wc * acx; q[1] = ay + wb * aby + wc * acy; q[2] = az + wb * abz + wc * acz;
  };
  const d1 = abx * apx + aby * apy + abz * apz, d2 = acx * apx + acy * apy + acz * apz;
  if (d1 <= 0 && d2 <= 0) return set(1, 0, 0);
  const bpx = px - V[b * 3]!, bpy = py - V[b * 3 + 1]!, bpz = pz - V[b * 3 + 2]!;
  const d3 = abx * bpx + aby * bpy + abz * bpz, d4 = acx * bpx + acy * bpy + acz * bpz;
  if (d3 >= 0 && d4 <= d3) return set(0, 1, 0);
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) { const t = d1 / (d1 - d3); return set(1 - t, t, 0); }
  const cpx = px - V[c * 3]!, cpy = py - V[c * 3 + 1]!, cpz = pz - V[c * 3 + 2]!;
  const d5 = abx * cpx + aby * cpy + abz * cpz, d6 = acx * cpx + acy * cpy + acz * cpz;
  if (d6 >= 0 && d5 <= d6) return set(0, 0, 1);
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) { const t = d2 / (d2 - d6); return set(1 - t, 0, t); }
  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) { const t = (d4 - d3) / (d4 - d3 + (d5 - d6)); return set(0, 1 - t, t); }
  const den = 1 / (va + vb + vc);
  const v = vb * den, u = vc * den;
  return set(1 - v - u, v, u);
}
