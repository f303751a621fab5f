import { POSITION_MAP_SCALE, POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { cropMatrix, type CropSquare } from './cropSquare.js';
import type { FittedPose } from '../../labels/aflwMeanFace/fitPose.js';

/** Options of {@link positionMapTarget}. */
export interface PositionMapTargetOptions {
  /** Side of the target map: 256, or 128 (2×2 mean of the 256 map) for the light network. */
  side: number;
  /** Face pixels (flat UV indices): the minimum z over them is shifted to 0, as the official generator does. */
  faceIndices: Uint32Array;
  /** Deformation basis over the whole UV map (`K · 256² · 3`), when `pose.deformation` is not empty. */
  basisMap?: Float64Array;
  /** Write here (at `offset`) instead of allocating. */
  out?: Float32Array;
  /** Element offset into `out`. */
  offset?: number;
}

/**
 * The training target of one face: the canonical position map posed by `pose`, cropped by
 * `square` exactly as face3d's `8_generate_posmap_300WLP.py` does (x, y through the crop
 * similarity; z scaled by the same factor and shifted so the face's minimum z is 0), always
 * in pixels of the 256-crop frame, divided by {@link POSITION_MAP_SCALE} (the network's
 * sigmoid units). A mirrored square also permutes the UV columns (u → 255 − u), which maps
 * the canonical face onto its mirror image (see docs/training-data.md).
 *
 * ```ts
 * const target = positionMapTarget(canon, pose, square, { side: 256, faceIndices }); // 256·256·3
 * ```
 *
 * @param canonical the canonical face as a full UV map (`canonicalPositionMap`).
 */
export function positionMapTarget(
  canonical: Float64Array,
  pose: FittedPose,
  square: CropSquare,
  options: PositionMapTargetOptions,
): Float32Array {
  const N = POSITION_MAP_SIZE;
  const { side, faceIndices } = options;
  if (side !== N && side !== N / 2) throw new Error(`positionMapTarget: side must be ${N} or ${N / 2}, got ${side}`);
  if (canonical.length !== N * N * 3) throw new Error(`positionMapTarget: canonical map must be ${N}×${N}×3`);
  const A = cropMatrix(square, N); // always the 256 frame: the model's output units
  const k = (N - 1) / square.size;
  const R = pose.rotation, s = pose.scale;
  // Rows of the linear part: q = M · X + b.
  const M = new Float64Array(9);
  for (let j = 0; j < 3; j++) {
    const r0 = s * R[j]!, r1 = s * R[3 + j]!;
    M[j] = A[0]! * r0 + A[1]! * r1;
    M[3 + j] = A[3]! * r0 + A[4]! * r1;
    M[6 + j] = k * s * R[6 + j]!;
  }
  const bx = A[0]! * pose.translation[0] + A[1]! * pose.translation[1] + A[2]!;
  const by = A[3]! * pose.translation[0] + A[4]! * pose.translation[1] + A[5]!;

  const K = pose.deformation.length;
  const basis = options.basisMap;
  if (K > 0 && (!basis || basis.length !== K * N * N * 3)) throw new Error(`positionMapTarget: pose has ${K} deformation coefficients but no matching basisMap`);
  const alpha = pose.deformation;
  const packed = packedShapes(canonical, K > 0 ? basis! : undefined);
  const stride = 3 * (1 + packed.k);

  // Official generator: z shifted so the minimum over the face vertices is 0 (full resolution).
  // z = k·s·(R's third row · X): only the factor k·s depends on the crop, so the extremes of
  // R₃·X over the face, the costly part (every face pixel at 256), are found once per pose.
  const ks = k * s;
  const { min, max } = depthExtremes(packed, pose, faceIndices);
  const zmin = ks >= 0 ? ks * min : ks * max;

  // The map is affine in the canonical shape, so the 128 map (2×2 means of the 256 map) is
  // the same affine map applied to the 2×2 means of the canonical shape: 4× less work.
  const src = side === N ? packed.full : packed.half;
  const inv = 1 / POSITION_MAP_SCALE;
  const out = options.out ?? new Float32Array(side * side * 3);
  const base = options.out ? (options.offset ?? 0) : 0;
  for (let v = 0; v < side; v++) {
    // The shapes are read forward, whatever the crop: read backwards, 153 values a pixel
    // apart, the mirrored crops took 3.4 times as long.
    for (let us = 0; us < side; us++) {
      const p = (v * side + us) * stride;
      let X = src[p]!, Y = src[p + 1]!, Z = src[p + 2]!;
      for (let q = 0; q < K; q++) {
        const a = alpha[q]!, o = p + 3 + 3 * q;
        X += a * src[o]!; Y += a * src[o + 1]!; Z += a * src[o + 2]!;
      }
      // Mirrored crop: UV pixel (u, v) shows the vertex that was at (side − 1 − u, v).
      const u = square.flip ? side - 1 - us : us;
      const o = base + (v * side + u) * 3;
      out[o] = (M[0]! * X + M[1]! * Y + M[2]! * Z + bx) * inv;
      out[o + 1] = (M[3]! * X + M[4]! * Y + M[5]! * Z + by) * inv;
      out[o + 2] = (M[6]! * X + M[7]! * Y + M[8]! * Z - zmin) * inv;
    }
  }
  return out;
}

/** Smallest and largest R₃·X over the face pixels of a posed shape (R₃: the rotation's third row). */
interface DepthExtremes { min: number; max: number }

/** {@link DepthExtremes} per pose, for the shapes and face pixels they were found with. */
const depthCache = new WeakMap<FittedPose, { packed: PackedShapes; faceIndices: Uint32Array; extremes: DepthExtremes }>();
function depthExtremes(packed: PackedShapes, pose: FittedPose, faceIndices: Uint32Array): DepthExtremes {
  const hit = depthCache.get(pose);
  if (hit && hit.packed === packed && hit.faceIndices === faceIndices) return hit.extremes;
  const R = pose.rotation, alpha = pose.deformation, K = alpha.length;
  const stride = 3 * (1 + packed.k), full = packed.full;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < faceIndices.length; i++) {
    const p = faceIndices[i]! * stride;
    let X = full[p]!, Y = full[p + 1]!, Z = full[p + 2]!;
    for (let q = 0; q < K; q++) {
      const a = alpha[q]!, o = p + 3 + 3 * q;
      X += a * full[o]!; Y += a * full[o + 1]!; Z += a * full[o + 2]!;
    }
    const z = R[6]! * X + R[7]! * Y + R[8]! * Z;
    if (z < min) min = z;
    if (z > max) max = z;
  }
  const extremes = { min, max };
  depthCache.set(pose, { packed, faceIndices, extremes });
  return extremes;
}

interface PackedShapes {
  /** Number of basis shapes interleaved after the canonical position. */
  k: number;
  /** Per 256 UV pixel: canonical x y z, then each basis shape's x y z. */
  full: Float64Array;
  /** The same for the 128 map: 2×2 means. */
  half: Float64Array;
}

/** Interleaved canonical + basis per pixel (cache-friendly), memoised per input arrays. */
const packCache = new WeakMap<Float64Array, Map<Float64Array | undefined, PackedShapes>>();
function packedShapes(canonical: Float64Array, basis: Float64Array | undefined): PackedShapes {
  let byBasis = packCache.get(canonical);
  if (!byBasis) packCache.set(canonical, (byBasis = new Map()));
  const hit = byBasis.get(basis);
  if (hit) return hit;
  const N = POSITION_MAP_SIZE, H = N / 2;
  const k = basis ? basis.length / (N * N * 3) : 0;
  const stride = 3 * (1 + k);
  const full = new Float64Array(N * N * stride);
  for (let p = 0; p < N * N; p++) {
    for (let c = 0; c < 3; c++) full[p * stride + c] = canonical[p * 3 + c]!;
    for (let q = 0; q < k; q++) for (let c = 0; c < 3; c++) full[p * stride + 3 + 3 * q + c] = basis![q * N * N * 3 + p * 3 + c]!;
  }
  const half = new Float64Array(H * H * stride);
  for (let v = 0; v < H; v++) for (let u = 0; u < H; u++) {
    const a = (2 * v * N + 2 * u) * stride, b = a + N * stride;
    for (let c = 0; c < stride; c++) {
      half[(v * H + u) * stride + c] = 0.25 * (full[a + c]! + full[a + stride + c]! + full[b + c]! + full[b + stride + c]!);
    }
  }
  const packed = { k, full, half };
  byBasis.set(basis, packed);
  return packed;
}
