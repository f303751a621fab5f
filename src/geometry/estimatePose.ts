import { umeyama } from './umeyama.js';
import { estimateAffineCamera } from './estimateAffineCamera.js';
import { affineCameraToSRt } from './affineCameraToSRt.js';
import { rotationToEuler } from './rotationToEuler.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link estimatePose}. */
export interface EstimatePoseOptions {
  /**
   * `'similarity'`: least-squares scaled rotation (Umeyama), what official
   * `compute_similarity_transform` intends; `'affine'`: general least-squares affine
   * camera decomposed by `P2sRt`.
   */
  method?: 'similarity' | 'affine';
}

export const ESTIMATE_POSE_DEFAULTS: Required<EstimatePoseOptions> = { method: 'similarity' };

/** Head pose of reconstructed vertices relative to the canonical face. */
export interface Pose {
  /** 3×4 row-major camera: vertex ≈ P · [canonical; 1]. */
  cameraMatrix: Float64Array;
  /** 3×3 row-major rotation, canonical frame → image frame. */
  rotation: Float64Array;
  /** Degrees, see {@link rotationToEuler} for the axes. */
  yaw: number;
  pitch: number;
  roll: number;
  scale: number;
  /** Translation (3), image pixels. */
  translation: Float64Array;
}

/**
 * Pose the PRNet way (official `utils/estimate_pose.py`): fit the canonical face
 * (`canonical_vertices.npy`, same vertex order) to the reconstructed `vertices`
 * (`n × 3`, image frame), then read yaw/pitch/roll off the rotation.
 *
 * The official `compute_similarity_transform` has slips (its translation ignores the
 * rotation and scale); this fits the same model correctly, so angles agree and the
 * camera matrix maps the canonical face onto the vertices.
 *
 * ```ts
 * const { yaw, pitch, roll } = estimatePose(vertices, assets.canonicalVertices);
 * ```
 */
export function estimatePose(
  vertices: ArrayLike<number>,
  canonicalVertices: ArrayLike<number>,
  options: EstimatePoseOptions = {},
): Pose {
  const { method } = withDefaults(ESTIMATE_POSE_DEFAULTS, options);
  if (vertices.length !== canonicalVertices.length) {
    throw new Error(`estimatePose: ${vertices.length / 3} vertices but ${canonicalVertices.length / 3} canonical vertices`);
  }
  let cameraMatrix: Float64Array;
  let rotation: Float64Array;
  let scale: number;
  let translation: Float64Array;
  if (method === 'affine') {
    cameraMatrix = estimateAffineCamera(canonicalVertices, vertices);
    ({ rotation, scale, translation } = affineCameraToSRt(cameraMatrix));
  } else {
    ({ rotation, scale, translation } = umeyama(canonicalVertices, vertices, { withScale: true }));
    cameraMatrix = new Float64Array(12);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) cameraMatrix[4 * r + c] = scale * rotation[3 * r + c]!;
      cameraMatrix[4 * r + 3] = translation[r]!;
    }
  }
  return { cameraMatrix, rotation, ...rotationToEuler(rotation), scale, translation };
}
