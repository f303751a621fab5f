import { uvPositionMap } from './posmap300wlp/uvPositionMap.js';
import type { BfmPieces } from '../uv/bfmPieces.js';
import { harmonicFill } from '../uv/harmonicFill.js';
import { meshPointUv } from '../uv/meshPointUv.js';
import { thinPlateSplineEvaluate, thinPlateSplineFit } from '../uv/thinPlateSpline.js';
import { withDefaults } from '../io/withDefaults.js';

/**
 * The Basel Face Model in PRNet's UV space: a mean position map plus one basis map per
 * coefficient, so that any 3DDFA parameter vector gives a full position map by one linear
 * combination (`mean + Σ cₖ·basisₖ`) and its pose. Model frame: the BFM's with y negated
 * (x right, y down, z toward the viewer), the frame of PRNet's position maps, so that a
 * proper rotation and a scale pose it into the image.
 */
export interface UvMorphableModel {
  /** Side of the maps (256). */
  size: number;
  /** `size² × 3`. */
  mean: Float64Array;
  /** `K × size² × 3`: 40 shape maps, then 10 expression maps (3DDFA's coefficient units). */
  basis: Float64Array;
  /** 40. */
  shapeCount: number;
  /** 10. */
  expressionCount: number;
  /** Flat UV index of each of the 68 landmarks (where mean and bases are the exact landmark bases). */
  landmarkPixels: Uint32Array;
}

/** What the construction measured (see docs/teacher-labels.md). */
export interface UvMorphableModelReport {
  /** Sample points of the coarse shape basis used as spline centres. */
  samplesUsed: number;
  /** Left out: farther than `maxSampleDistance` from the mean surface. */
  samplesOffSurface: number;
  /** Left out: within `landmarkExclusion` UV pixels of a landmark pixel (the exact landmark basis wins there). */
  samplesNearLandmarks: number;
  /** Left out to measure the interpolation (`holdOutEvery`). */
  samplesHeldOut: number;
  /**
   * At the held-out points: RMS of (interpolated − true) shape basis, over the 40 components
   * each scaled by its coefficient's spread (BFM units, i.e. the error of a one-sigma
   * shape), and the RMS of the true values for scale. NaN without hold-out.
   */
  heldOutRmsError: number;
  /** RMS of the true one-sigma basis values at the held-out points. */
  heldOutRmsValue: number;
}

/** Options of {@link uvMorphableModel}. */
export interface UvMorphableModelOptions {
  /** Side of the UV maps. */
  size: number;
  /** Sample points farther than this from the dense mean surface are left out (BFM units; mesh edges are ≈ 1,300). */
  maxSampleDistance: number;
  /** Sample points within this many UV pixels of a landmark pixel are left out. */
  landmarkExclusion: number;
  /** Expression displacement is pinned to 0 at grid points this far (UV pixels) from every landmark. */
  expressionAnchorDistance: number;
  /** Spacing of those anchor points (UV pixels). */
  expressionAnchorSpacing: number;
  /** Pixels beyond this many UV pixels from the rasterised face get the nearest computed value (their loss weight is 0). */
  margin: number;
  /** Leave every k-th sample point out of the interpolation and measure the error there (0: none). */
  holdOutEvery: number;
  /** Use every k-th sample point only (1: all; more: a faster, coarser model for tests). */
  sampleStride: number;
}

/** Defaults of {@link uvMorphableModel}. */
export const UV_MORPHABLE_MODEL_DEFAULTS: UvMorphableModelOptions = {
  size: 256, maxSampleDistance: 3000, landmarkExclusion: 2, expressionAnchorDistance: 48, expressionAnchorSpacing: 8, margin: 3, holdOutEvery: 0, sampleStride: 1,
};

/**
 * Builds the UV-space morphable model from the BFM pieces:
 * - **mean**: the dense BFM mean (53,215 vertices) rasterised at its UV coordinates, as
 *   face3d's `process_uv` + `render_colors` make PRNet's maps; uncovered pixels get a
 *   harmonic extension.
 * - **shape basis**: the 40 components are known exactly at the 68 landmark vertices and
 *   at 4,096 sample points on the surface; each sample point is placed in UV at its closest
 *   point on the mean mesh, and a thin-plate spline through the landmark and sample values
 *   spreads the basis over the map.
 * - **expression basis**: known only at the 68 landmarks; a thin-plate spline through them,
 *   pinned to 0 at grid points far from every landmark (forehead top, ears), so that a
 *   mouth opening does not drag the scalp.
 * At the 68 landmark pixels the mean and both bases are the exact landmark values, so the
 * model's landmarks are 3DDFA's landmarks.
 *
 * ```ts
 * const { model, report } = uvMorphableModel(await loadBfmPieces('../shared/3ddfa'));
 * ```
 */
export function uvMorphableModel(pieces: BfmPieces, options: Partial<UvMorphableModelOptions> = {}): { model: UvMorphableModel; report: UvMorphableModelReport } {
  const o = withDefaults(UV_MORPHABLE_MODEL_DEFAULTS, options);
  const N = o.size, P = N * N;
  const S = pieces.landmarkShapeBasis.length / 204, E = pieces.landmarkExpressionBasis.length / 204;
  const n = pieces.denseMean.length / 3;
  const K = S + E;
  const ySign = (c: number) => (c === 1 ? -1 : 1);

  // UV pixel coordinates of the dense vertices (process_uv).
  const uvPix = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    uvPix[i * 3] = pieces.uv[i * 2]! * (N - 1);
    uvPix[i * 3 + 1] = N - 1 - pieces.uv[i * 2 + 1]! * (N - 1);
  }
  const landmarkPixels = new Uint32Array(68);
  const lmXY = new Float64Array(68 * 2);
  for (let j = 0; j < 68; j++) {
    const v = pieces.landmarkVertices[j]!;
    const u = Math.round(uvPix[v * 3]!), w = Math.round(uvPix[v * 3 + 1]!);
    landmarkPixels[j] = w * N + u;
    lmXY[j * 2] = u; lmXY[j * 2 + 1] = w;
  }

  // Mean: rasterise, extend, then the exact landmark values.
  const dense = new Float64Array(n * 3);
  for (let i = 0; i < n * 3; i++) dense[i] = pieces.denseMean[i]! * ySign(i % 3);
  const raster = uvPositionMap(uvPix, pieces.triangles, dense, N, { borderFill: false });
  const covered = new Uint8Array(P);
  const meanRaster = new Float64Array(P * 3);
  // A pixel is covered when some triangle wrote it (rasterised zero is not a BFM position).
  const written = uvPositionMap(uvPix, pieces.triangles, new Float64Array(n * 3).fill(1), N, { borderFill: false });
  for (let p = 0; p < P; p++) {
    if (written[p * 3] === 1) {
      covered[p] = 1;
      for (let c = 0; c < 3; c++) meanRaster[p * 3 + c] = raster[p * 3 + c]!;
    }
  }
  const mean = harmonicFill(meanRaster, covered, N, 3);
  for (let j = 0; j < 68; j++) for (let c = 0; c < 3; c++) mean[landmarkPixels[j]! * 3 + c] = pieces.landmarkMean[j * 3 + c]! * ySign(c);

  // Where the bases are evaluated: covered pixels grown by `margin`.
  const region = dilate(covered, N, o.margin);
  const regionPixels: number[] = [];
  for (let p = 0; p < P; p++) if (region[p]) regionPixels.push(p);
  const regionXY = new Float64Array(regionPixels.length * 2);
  regionPixels.forEach((p, i) => { regionXY[i * 2] = p % N; regionXY[i * 2 + 1] = Math.floor(p / N); });

  // Shape: landmarks + sample points on the surface.
  const samples = meshPointUv(pieces.sampleMean, pieces.denseMean, pieces.triangles, pieces.uv);
  const centers: number[] = [], values: number[] = [];
  for (let j = 0; j < 68; j++) {
    centers.push(lmXY[j * 2]!, lmXY[j * 2 + 1]!);
    for (let c = 0; c < 3; c++) for (let k = 0; k < S; k++) values.push(pieces.landmarkShapeBasis[(j * 3 + c) * S + k]! * ySign(c));
  }
  let offSurface = 0, nearLandmarks = 0, used = 0;
  const heldXY: number[] = [], heldValues: number[] = [];
  const p0 = pieces.sampleMean.length / 3;
  for (let i = 0; i < p0; i += o.sampleStride) {
    if (samples.distance[i]! > o.maxSampleDistance) { offSurface++; continue; }
    const x = samples.uv[i * 2]! * (N - 1), y = N - 1 - samples.uv[i * 2 + 1]! * (N - 1);
    let near = false;
    for (let j = 0; j < 68 && !near; j++) near = Math.hypot(x - lmXY[j * 2]!, y - lmXY[j * 2 + 1]!) < o.landmarkExclusion;
    if (near) { nearLandmarks++; continue; }
    const vals: number[] = [];
    for (let c = 0; c < 3; c++) for (let k = 0; k < S; k++) vals.push(pieces.sampleShapeBasis[(i * 3 + c) * S + k]! * ySign(c));
    if (o.holdOutEvery > 0 && (i / o.sampleStride) % o.holdOutEvery === 0) { heldXY.push(x, y); heldValues.push(...vals); continue; }
    centers.push(x, y); values.push(...vals);
    used++;
  }
  const shapeTps = thinPlateSplineFit(Float64Array.from(centers), Float64Array.from(values), 3 * S);
  const shapeAt = thinPlateSplineEvaluate(shapeTps, regionXY);

  let heldOutRmsError = NaN, heldOutRmsValue = NaN;
  if (heldXY.length) {
    const pred = thinPlateSplineEvaluate(shapeTps, Float64Array.from(heldXY));
    const sd = pieces.paramStd.subarray(12, 12 + S);
    let se = 0, sv = 0;
    for (let i = 0; i < pred.length; i++) {
      const k = i % S;
      se += ((pred[i]! - heldValues[i]!) * sd[k]!) ** 2;
      sv += (heldValues[i]! * sd[k]!) ** 2;
    }
    heldOutRmsError = Math.sqrt(se / pred.length);
    heldOutRmsValue = Math.sqrt(sv / pred.length);
  }

  // Expression: landmarks + zero anchors far from them.
  const eCenters: number[] = [], eValues: number[] = [];
  for (let j = 0; j < 68; j++) {
    eCenters.push(lmXY[j * 2]!, lmXY[j * 2 + 1]!);
    for (let c = 0; c < 3; c++) for (let k = 0; k < E; k++) eValues.push(pieces.landmarkExpressionBasis[(j * 3 + c) * E + k]! * ySign(c));
  }
  for (let y = 0; y < N; y += o.expressionAnchorSpacing) for (let x = 0; x < N; x += o.expressionAnchorSpacing) {
    if (!covered[y * N + x]) continue;
    let dmin = Infinity;
    for (let j = 0; j < 68; j++) dmin = Math.min(dmin, Math.hypot(x - lmXY[j * 2]!, y - lmXY[j * 2 + 1]!));
    if (dmin < o.expressionAnchorDistance) continue;
    eCenters.push(x, y);
    for (let i = 0; i < 3 * E; i++) eValues.push(0);
  }
  const expTps = thinPlateSplineFit(Float64Array.from(eCenters), Float64Array.from(eValues), 3 * E);
  const expAt = thinPlateSplineEvaluate(expTps, regionXY);

  // Assemble K maps (channel-interleaved per pixel), nearest-filled outside the region.
  const basis = new Float64Array(K * P * 3);
  const perPixel = new Float64Array(P * 3 * K);
  regionPixels.forEach((p, i) => {
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < S; k++) perPixel[(p * K + k) * 3 + c] = shapeAt[i * 3 * S + c * S + k]!;
      for (let k = 0; k < E; k++) perPixel[(p * K + S + k) * 3 + c] = expAt[i * 3 * E + c * E + k]!;
    }
  });
  for (let j = 0; j < 68; j++) {
    const p = landmarkPixels[j]!;
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < S; k++) perPixel[(p * K + k) * 3 + c] = pieces.landmarkShapeBasis[(j * 3 + c) * S + k]! * ySign(c);
      for (let k = 0; k < E; k++) perPixel[(p * K + S + k) * 3 + c] = pieces.landmarkExpressionBasis[(j * 3 + c) * E + k]! * ySign(c);
    }
  }
  harmonicFill(perPixel, region, N, 3 * K, { sweeps: 0 });
  for (let p = 0; p < P; p++) for (let k = 0; k < K; k++) for (let c = 0; c < 3; c++) basis[k * P * 3 + p * 3 + c] = perPixel[(p * K + k) * 3 + c]!;

  return {
    model: { size: N, mean, basis, shapeCount: S, expressionCount: E, landmarkPixels },
    report: {
      samplesUsed: used, samplesOffSurface: offSurface, samplesNearLandmarks: nearLandmarks, samplesHeldOut: heldXY.length / 2,
      heldOutRmsError, heldOutRmsValue,
    },
  };
}

function dilate(mask: Uint8Array, n: number, r: number): Uint8Array {
  let cur = mask.slice();
  for (let it = 0; it < r; it++) {
    const next = cur.slice();
    for (let p = 0; p < n * n; p++) {
      if (cur[p]) continue;
      const x = p % n, y = (p - x) / n;
      if ((x > 0 && cur[p - 1]) || (x < n - 1 && cur[p + 1]) || (y > 0 && cur[p - n]) || (y < n - 1 && cur[p + n])) next[p] = 1;
    }
    cur = next;
  }
  return cur;
}
