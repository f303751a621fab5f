/**
 * A region of the UV map bounded by landmark contours: the pixels inside a closed polygon
 * through landmark pixels (the outer lips, an eye), or within a margin of it. The loss
 * weights of the lips (`mouthWeightMask`) and the expression loss's region
 * (`expressionRegionMask`) are such regions. Isomorphic.
 */
import { POSITION_MAP_SIZE } from '../../model/resfcn.js';

/** Options of {@link landmarkRegionMask}. */
export interface LandmarkRegionMaskOptions {
  /** Side S of the mask (S divides 256); its pixel centres are tested in 256-map coordinates. */
  side: number;
  /** Pixels within this distance of a contour count as inside, in 256-map pixels. */
  margin: number;
}

/** Defaults of {@link landmarkRegionMask}. */
export const LANDMARK_REGION_MASK_DEFAULTS: LandmarkRegionMaskOptions = { side: POSITION_MAP_SIZE, margin: 2 };

/**
 * An S×S mask, 1 inside (or within `margin` of) any of the closed `contours`, 0 elsewhere.
 * Each contour lists landmarks (0–67) in order round it; `keypointIndices` are the 68
 * landmarks' flat pixels in the 256 UV map (`UvAssets.keypointIndices`).
 *
 * ```ts
 * const lips = landmarkRegionMask(assets.keypointIndices, [[48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59]], { side: 128 });
 * ```
 */
export function landmarkRegionMask(keypointIndices: ArrayLike<number>, contours: readonly (readonly number[])[], options: Partial<LandmarkRegionMaskOptions> = {}): Uint8Array {
  const { side: S, margin } = { ...LANDMARK_REGION_MASK_DEFAULTS, ...options };
  const N = POSITION_MAP_SIZE;
  if (!(Number.isInteger(S) && S > 0 && N % S === 0)) throw new Error(`landmarkRegionMask: side must divide ${N}, got ${S}`);
  if (keypointIndices.length < 68) throw new Error(`landmarkRegionMask: need the 68 landmark pixels, got ${keypointIndices.length}`);
  const polygons = contours.map((c) => {
    if (c.length < 3) throw new Error(`landmarkRegionMask: a contour needs 3 landmarks or more, got ${c.length}`);
    return { px: c.map((k) => keypointIndices[k]! % N), py: c.map((k) => Math.floor(keypointIndices[k]! / N)) };
  });
  const inside = (px: number[], py: number[], x: number, y: number): boolean => {
    let odd = false;
    for (let i = 0, j = px.length - 1; i < px.length; j = i++) {
      if ((py[i]! > y) !== (py[j]! > y) && x < px[j]! + ((y - py[j]!) * (px[i]! - px[j]!)) / (py[i]! - py[j]!)) odd = !odd;
    }
    return odd;
  };
  const nearEdge = (px: number[], py: number[], x: number, y: number): boolean => {
    for (let i = 0, j = px.length - 1; i < px.length; j = i++) {
      const ax = px[j]!, ay = py[j]!, dx = px[i]! - ax, dy = py[i]! - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
      if (Math.hypot(x - ax - t * dx, y - ay - t * dy) <= margin) return true;
    }
    return false;
  };
  const out = new Uint8Array(S * S);
  const f = N / S;
  for (let v = 0; v < S; v++) for (let u = 0; u < S; u++) {
    // The S-pixel's centre in 256-map pixel coordinates (pixel k's centre at k).
    const x = (u + 0.5) * f - 0.5, y = (v + 0.5) * f - 0.5;
    if (polygons.some(({ px, py }) => inside(px, py, x, y) || nearEdge(px, py, x, y))) out[v * S + u] = 1;
  }
  return out;
}
