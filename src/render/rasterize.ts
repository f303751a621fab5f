/**
 * The one z-buffer triangle rasteriser of the project. Every picture drawn from a
 * mesh (depth, visibility, rendered texture, shading) goes through it, so that all
 * of them agree on which pixel belongs to which triangle.
 *
 * Conventions (as the official `render.py` / face3d):
 * - vertices are in image coordinates: x right, y down, z toward the viewer
 *   (larger z is closer), as PRNet's position maps;
 * - pixel (x, y) is the point with integer coordinates (x, y): face3d tests
 *   `u, v` at integer positions inside each triangle's bounding box;
 * - a pixel exactly on an edge shared by two triangles belongs to exactly one of
 *   them (top-left fill rule), so seams are neither double-drawn nor dropped;
 * - no back-face culling (the official renderer has none): the depth test alone
 *   decides; on equal depth the triangle drawn first (lower index) is kept.
 */

/** A rasterised mesh: per-pixel nearest depth and the triangle that produced it. */
export interface Raster {
  width: number;
  height: number;
  /** Row-major `width·height`: z of the nearest surface, `-Infinity` where empty. */
  depth: Float32Array;
  /** Row-major `width·height`: index of the nearest triangle, `-1` where empty. */
  triangleIds: Int32Array;
}

/** Options for {@link rasterize}. */
export interface RasterizeOptions {
  /** Buffers to reuse (length `width·height`); they are overwritten. Saves allocations in loops. */
  depth?: Float32Array;
  /** Buffer to reuse for triangle ids (length `width·height`); overwritten. */
  triangleIds?: Int32Array;
}

/**
 * Rasterises triangles into a z-buffer.
 *
 * ```ts
 * const raster = rasterize(vertices, triangles, image.width, image.height);
 * const t = raster.triangleIds[y * raster.width + x]; // -1: background
 * ```
 *
 * @param vertices `n×3` row-major x, y, z in image coordinates.
 * @param triangles `m×3` vertex indices.
 */
export function rasterize(
  vertices: Float32Array | Float64Array,
  triangles: Uint32Array | Int32Array,
  width: number,
  height: number,
  options: RasterizeOptions = {},
): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`rasterize: size must be positive integers, got ${width}×${height}`);
  }
  if (vertices.length % 3 !== 0) throw new Error(`rasterize: vertices length ${vertices.length} is not a multiple of 3`);
  if (triangles.length % 3 !== 0) throw new Error(`rasterize: triangles length ${triangles.length} is not a multiple of 3`);
  const n = width * height;
  const depth = options.depth ?? new Float32Array(n);
  const triangleIds = options.triangleIds ?? new Int32Array(n);
  if (depth.length !== n || triangleIds.length !== n) {
    throw new Error(`rasterize: reused buffers must have ${n} elements`);
  }
  depth.fill(-Infinity);
  triangleIds.fill(-1);
  const nv = vertices.length / 3;
  const m = triangles.length / 3;

  for (let t = 0; t < m; t++) {
    const i0 = triangles[3 * t], i1 = triangles[3 * t + 1], i2 = triangles[3 * t + 2];
    if (i0 >= nv || i1 >= nv || i2 >= nv) {
      throw new Error(`rasterize: triangle ${t} references vertex ${Math.max(i0, i1, i2)} but there are only ${nv}`);
    }
    let ax = vertices[3 * i0], ay = vertices[3 * i0 + 1], az = vertices[3 * i0 + 2];
    let bx = vertices[3 * i1], by = vertices[3 * i1 + 1], bz = vertices[3 * i1 + 2];
    const cx = vertices[3 * i2], cy = vertices[3 * i2 + 1], cz = vertices[3 * i2 + 2];

    // Bounding box clipped to the image, in integer pixel centres.
    // (Ternaries: Math.min/max with three arguments cost more than the tiny triangles' fill.)
    let x0 = Math.ceil(ax < bx ? (ax < cx ? ax : cx) : bx < cx ? bx : cx);
    let x1 = Math.floor(ax > bx ? (ax > cx ? ax : cx) : bx > cx ? bx : cx);
    let y0 = Math.ceil(ay < by ? (ay < cy ? ay : cy) : by < cy ? by : cy);
    let y1 = Math.floor(ay > by ? (ay > cy ? ay : cy) : by > cy ? by : cy);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > width - 1) x1 = width - 1;
    if (y1 > height - 1) y1 = height - 1;
    if (x0 > x1 || y0 > y1) continue; // off-image, or covers no pixel centre (NaN also lands here)

    let area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0 || !Number.isFinite(area)) continue; // degenerate (no interior) or non-finite input
    if (area < 0) {
      // Make every triangle the same orientation so one fill rule serves both windings.
      let s = ax; ax = bx; bx = s;
      s = ay; ay = by; by = s;
      s = az; az = bz; bz = s;
      area = -area;
    }
    // Edge functions E(x, y) = A·x + B·y + C, positive inside. Edge k is opposite vertex k.
    // e0: b→c (weight of a), e1: c→a (weight of b), e2: a→b (weight of c).
    const A0 = by - cy, B0 = cx - bx, C0 = bx * cy - by * cx;
    const A1 = cy - ay, B1 = ax - cx, C1 = cx * ay - cy * ax;
    const A2 = ay - by, B2 = bx - ax, C2 = ax * by - ay * bx;
    // Top-left rule (y down, positive area): an edge owns its pixels when it is a
    // "top" edge (horizontal, A = 0, interior below: B < 0) or a "left" edge (A > 0).
    // A pixel on a non-owning edge (E = 0) is left to the neighbour.
    const o0 = A0 > 0 || (A0 === 0 && B0 < 0) ? 0 : 1;
    const o1 = A1 > 0 || (A1 === 0 && B1 < 0) ? 0 : 1;
    const o2 = A2 > 0 || (A2 === 0 && B2 < 0) ? 0 : 1;
    // z as a plane over the image: z = Az·x + Bz·y + Cz.
    const inv = 1 / area;
    const Az = (A0 * az + A1 * bz + A2 * cz) * inv;
    const Bz = (B0 * az + B1 * bz + B2 * cz) * inv;
    const Cz = (C0 * az + C1 * bz + C2 * cz) * inv;

    for (let y = y0; y <= y1; y++) {
      // Each edge function is evaluated directly as A·x + (B·y + C), never stepped:
      // the two triangles sharing an edge then compute exactly negated values,
      // so the fill rule decides every pixel on the edge consistently (no cracks).
      const r0 = B0 * y + C0, r1 = B1 * y + C1, r2 = B2 * y + C2;
      const rz = Bz * y + Cz;
      let p = y * width + x0;
      for (let x = x0; x <= x1; x++, p++) {
        const e0 = A0 * x + r0;
        if (e0 < 0 || (e0 === 0 && o0)) continue;
        const e1 = A1 * x + r1;
        if (e1 < 0 || (e1 === 0 && o1)) continue;
        const e2 = A2 * x + r2;
        if (e2 < 0 || (e2 === 0 && o2)) continue;
        const z = Math.fround(Az * x + rz);
        if (z > depth[p]) {
          depth[p] = z;
          triangleIds[p] = t;
        }
      }
    }
  }
  return { width, height, depth, triangleIds };
}
