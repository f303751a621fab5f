/**
 * A face as a solid to 3D-print: a relief plaque. The mesh (best the frontalised one, so the
 * face looks straight out of the plaque) is rasterised into a height field on a millimetre
 * grid; every covered cell becomes a column from a flat base up to the face, so the solid is
 * closed and 2-manifold by construction (every edge shared by exactly two triangles), lies
 * flat on the printer's bed and needs no support. A mesh surface itself is open (a face has
 * no back) and cannot be printed as it is. Isomorphic.
 */
import { rasterize } from '../render/rasterize.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link faceRelief}. */
export interface FaceReliefOptions {
  /** Width of the face on the print, millimetres (its x extent; height and depth scale with it). */
  widthMm: number;
  /** Grid step, millimetres: the print's lateral resolution (a 0.4 mm nozzle cannot draw finer). */
  cellMm: number;
  /** Thickness of the plaque behind the deepest point of the face, millimetres. */
  baseMm: number;
  /**
   * Gaussian smoothing of the relief (σ, millimetres; 0 = none). A predicted mesh carries
   * ripples of a fraction of a millimetre at print scale (the network's upsampling), which a
   * printer would reproduce faithfully.
   */
  smoothMm: number;
}

/** Defaults of {@link FaceReliefOptions}: an 80 mm face at 0.4 mm, on a 3 mm base, smoothed over 1 mm. */
export const FACE_RELIEF_DEFAULTS: FaceReliefOptions = { widthMm: 80, cellMm: 0.4, baseMm: 3, smoothMm: 1 };

/** A closed triangle mesh, millimetres: x right, y up, z out of the plaque (the printer's up). */
export interface ReliefSolid {
  /** `n×3` vertex positions. */
  vertices: Float32Array;
  /** `m×3` vertex indices, counter-clockwise seen from outside. */
  triangles: Uint32Array;
  /** Grid cells the face covers. */
  cells: number;
  /** Extent `[x, y, z]` of the solid, millimetres. */
  size: [number, number, number];
}

/**
 * Builds the printable relief of a face mesh given in image coordinates (x right, y down,
 * z toward the viewer: `face.frontalVertices`, or `face.vertices` for the face as posed).
 *
 * ```ts
 * const solid = faceRelief(frontalize(face.vertices, assets.canonicalVertices), assets.triangles, { widthMm: 60 });
 * await writeFile('face.stl', encodeStl(solid));
 * ```
 */
export function faceRelief(vertices: Float32Array | Float64Array, triangles: Uint32Array | Int32Array, options: Partial<FaceReliefOptions> = {}): ReliefSolid {
  const o = withDefaults(FACE_RELIEF_DEFAULTS, options);
  for (const [name, v] of Object.entries(o)) if (!(name === 'smoothMm' ? v >= 0 : v > 0) || !Number.isFinite(v)) throw new Error(`faceRelief: ${name} must be a ${name === 'smoothMm' ? 'number ≥ 0' : 'positive number'}, got ${v}`);
  const n = vertices.length / 3;
  if (!(n >= 3) || vertices.length % 3 !== 0) throw new Error(`faceRelief: need n×3 vertices, got ${vertices.length} values`);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = vertices[3 * i]!, y = vertices[3 * i + 1]!, z = vertices[3 * i + 2]!;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) throw new Error(`faceRelief: vertex ${i} is not finite`);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  if (!(x1 > x0 && y1 > y0)) throw new Error('faceRelief: the mesh spans no area');
  const mmPerUnit = o.widthMm / (x1 - x0);
  const cellsPerUnit = mmPerUnit / o.cellMm;
  // One empty cell of margin on every side, so every covered cell has four neighbours.
  const W = Math.ceil((x1 - x0) * cellsPerUnit) + 3, H = Math.ceil((y1 - y0) * cellsPerUnit) + 3;
  if (W * H > 16e6) throw new Error(`faceRelief: a ${W}×${H} grid is too fine (cellMm ${o.cellMm} for a ${o.widthMm} mm face)`);
  // Pixel (i, j) of the raster is the centre of cell (i, j).
  const grid = new Float32Array(vertices.length);
  for (let i = 0; i < n; i++) {
    grid[3 * i] = (vertices[3 * i]! - x0) * cellsPerUnit + 1;
    grid[3 * i + 1] = (vertices[3 * i + 1]! - y0) * cellsPerUnit + 1;
    grid[3 * i + 2] = vertices[3 * i + 2]! * mmPerUnit;
  }
  const height = rasterize(grid, triangles, W, H).depth;
  const inside = keepSolidCells(height, W, H);
  if (o.smoothMm > 0) smoothHeights(height, inside, W, H, o.smoothMm / o.cellMm);

  // Heights at cell corners: the mean of the covered cells around each corner.
  const CW = W + 1;
  const cornerSum = new Float64Array(CW * (H + 1)), cornerCount = new Uint8Array(CW * (H + 1));
  let cells = 0, zMin = Infinity, zMax = -Infinity;
  let i0 = W, i1 = 0, j0 = H, j1 = 0; // the kept cells' extent
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < W; i++) {
      const c = j * W + i;
      if (!inside[c]) continue;
      cells++;
      i0 = Math.min(i0, i); i1 = Math.max(i1, i); j0 = Math.min(j0, j); j1 = Math.max(j1, j);
      const z = height[c]!;
      zMin = Math.min(zMin, z); zMax = Math.max(zMax, z);
      for (const k of [j * CW + i, j * CW + i + 1, (j + 1) * CW + i, (j + 1) * CW + i + 1]) { cornerSum[k] += z; cornerCount[k]++; }
    }
  }
  if (cells === 0) throw new Error('faceRelief: the mesh covers no grid cell');
  const base = zMin - o.baseMm;
  // Two vertices per used corner: top (face height) and bottom (base plane). x right, y up,
  // the solid's corner at the origin.
  const top = new Int32Array(CW * (H + 1)).fill(-1);
  let corners = 0;
  for (let k = 0; k < top.length; k++) if (cornerCount[k]) corners++;
  const xyz = new Float32Array(6 * corners);
  let nv = 0;
  for (let k = 0; k < top.length; k++) {
    if (!cornerCount[k]) continue;
    const i = k % CW, j = (k - i) / CW;
    const x = (i - i0) * o.cellMm, y = (j1 + 1 - j) * o.cellMm;
    top[k] = nv;
    xyz.set([x, y, cornerSum[k]! / cornerCount[k]! - base, x, y, 0], 3 * nv);
    nv += 2;
  }
  // Four triangles per cell (top and bottom) and two per wall: at most four walls a cell.
  let walls = 0;
  for (let c = 0; c < W * H; c++) if (inside[c]) walls += 4 - inside[c - 1]! - inside[c + 1]! - inside[c - W]! - inside[c + W]!;
  const tris = new Uint32Array(3 * (4 * cells + 2 * walls));
  let nt = 0;
  const push6 = (p: number, q: number, r: number, s: number, t: number, u: number) => {
    tris[nt] = p; tris[nt + 1] = q; tris[nt + 2] = r; tris[nt + 3] = s; tris[nt + 4] = t; tris[nt + 5] = u;
    nt += 6;
  };
  // Corners of cell (i, j) counter-clockwise seen from +z in the y-up frame: in grid rows
  // (j down) that is top-left, bottom-left, bottom-right, top-right.
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < W; i++) {
      if (!inside[j * W + i]) continue;
      const a = top[j * CW + i]!, b = top[(j + 1) * CW + i]!, c = top[(j + 1) * CW + i + 1]!, d = top[j * CW + i + 1]!;
      push6(a, b, c, a, c, d); // top, facing +z
      push6(a + 1, c + 1, b + 1, a + 1, d + 1, c + 1); // bottom, facing −z
      // A wall on each side whose neighbour is empty, facing it.
      if (!inside[j * W + i - 1]) wall(a, b); // left: from a (top-left) down to b (bottom-left)
      if (!inside[(j + 1) * W + i]) wall(b, c); // bottom row edge
      if (!inside[j * W + i + 1]) wall(c, d);
      if (!inside[(j - 1) * W + i]) wall(d, a);
    }
  }
  /** The vertical quad under the top edge p → q (counter-clockwise order of its cell). */
  function wall(p: number, q: number): void {
    push6(p, p + 1, q + 1, p, q + 1, q);
  }
  return {
    vertices: xyz,
    triangles: tris,
    cells,
    size: [(i1 - i0 + 1) * o.cellMm, (j1 - j0 + 1) * o.cellMm, zMax - base],
  };
}

/**
 * The covered cells that make a clean solid: the largest 4-connected region, with the
 * empty cells it encloses filled (each given the mean height of its covered neighbours).
 * That also leaves no diagonal pinch (two covered cells touching only at a corner, whose
 * shared corner would be a non-manifold vertex): the region's own path between the two
 * cells and their diagonal close a loop around one of the two empty cells of the pinch,
 * which is therefore enclosed and filled.
 */
function keepSolidCells(height: Float32Array, W: number, H: number): Uint8Array {
  const covered = new Uint8Array(W * H);
  for (let c = 0; c < W * H; c++) covered[c] = height[c]! > -Infinity ? 1 : 0;
  // Largest 4-connected region.
  const label = new Int32Array(W * H).fill(-1);
  let best = -1, bestSize = 0;
  const stack: number[] = [];
  const regions: number[] = [];
  for (let s = 0; s < W * H; s++) {
    if (!covered[s] || label[s]! >= 0) continue;
    const id = regions.length;
    let size = 0;
    label[s] = id;
    stack.push(s);
    while (stack.length) {
      const c = stack.pop()!;
      size++;
      forNeighbours(c, W, H, (d) => { if (covered[d] && label[d]! < 0) { label[d] = id; stack.push(d); } });
    }
    regions.push(size);
    if (size > bestSize) { best = id; bestSize = size; }
  }
  const inside = new Uint8Array(W * H);
  for (let c = 0; c < W * H; c++) inside[c] = label[c] === best ? 1 : 0;
  for (let changed = true; changed;) {
    changed = false;
    // Enclosed empty cells: those the outside (flooded from the margin) does not reach.
    const outside = new Uint8Array(W * H);
    for (let c = 0; c < W * H; c++) {
      const i = c % W, j = (c - i) / W;
      if ((i === 0 || j === 0 || i === W - 1 || j === H - 1) && !inside[c]) { outside[c] = 1; stack.push(c); }
    }
    while (stack.length) {
      const c = stack.pop()!;
      forNeighbours(c, W, H, (d) => { if (!inside[d] && !outside[d]) { outside[d] = 1; stack.push(d); } });
    }
    const fill: number[] = [];
    for (let c = 0; c < W * H; c++) if (!inside[c] && !outside[c]) fill.push(c);
    for (const c of fill) {
      let sum = 0, count = 0;
      forNeighbours(c, W, H, (d) => { if (inside[d]) { sum += height[d]!; count++; } });
      if (!count) continue; // filled on a later pass, from its filled neighbours
      height[c] = sum / count;
      inside[c] = 1;
      changed = true;
    }
  }
  return inside;
}

/**
 * Separable Gaussian blur of the covered cells' heights (σ in cells), each pass normalised
 * by the weights of the covered cells it reaches, so the rim is not pulled toward the
 * empty cells around it.
 */
function smoothHeights(height: Float32Array, inside: Uint8Array, W: number, H: number, sigma: number): void {
  const r = Math.ceil(3 * sigma);
  const kernel = Float64Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)));
  const tmp = new Float32Array(W * H);
  for (const [step, along, across] of [[1, W, H], [W, H, W]] as const) {
    // step: distance between neighbours along the pass; along × across cells in all.
    for (let a = 0; a < across; a++) {
      for (let b = 0; b < along; b++) {
        const c = step === 1 ? a * W + b : b * W + a;
        if (!inside[c]) continue;
        let sum = 0, weight = 0;
        for (let k = -r; k <= r; k++) {
          const bb = b + k;
          if (bb < 0 || bb >= along) continue;
          const d = c + k * step;
          if (!inside[d]) continue;
          sum += kernel[k + r]! * height[d]!;
          weight += kernel[k + r]!;
        }
        tmp[c] = sum / weight;
      }
    }
    for (let c = 0; c < W * H; c++) if (inside[c]) height[c] = tmp[c]!;
  }
}

/** Calls `visit` with each 4-neighbour of cell `c` inside a W×H grid. */
function forNeighbours(c: number, W: number, H: number, visit: (d: number) => void): void {
  const i = c % W;
  if (i > 0) visit(c - 1);
  if (i < W - 1) visit(c + 1);
  if (c >= W) visit(c - W);
  if (c < W * (H - 1)) visit(c + W);
}
