import { det3, svd3 } from '../../geometry/svd3.js';
import type { TddfaParameters } from './tddfaParameters.js';
import type { TddfaRoiBox } from './tddfaRoiBox.js';
import { TDDFA_INPUT_SIZE } from './tddfaInput.js';

/** A scaled-orthographic pose in image pixels: image = scale · (rotation · X)[x, y] + translation, z = scale · (rotation · X)[z] + const. */
export interface TddfaImagePose {
  /** Row-major 3×3 proper rotation from the y-down model frame (BFM with y negated) to the image frame (x right, y down, z toward the viewer). */
  rotation: Float64Array;
  /** Image pixels per model unit. */
  scale: number;
  /** `[tx, ty]`, image pixels. */
  translation: [number, number];
}

/**
 * The image-frame pose of 3DDFA parameters. 3DDFA's camera maps BFM points (y up) into a
 * y-up crop frame that `similar_transform` flips into the y-down image; for the model frame
 * X' = D·X with D = diag(1, −1, 1) (the frame PRNet's position maps and canonical face use)
 * the linear part is `(side / size) · D·R·D`, a scaled rotation. Its nearest proper rotation
 * (polar decomposition) and mean singular value give `rotation` and `scale`; the camera's
 * small anisotropy is dropped.
 *
 * ```ts
 * const pose = tddfaImagePose(params, roi); // image ≈ pose.scale · (pose.rotation · X')[x, y] + pose.translation
 * ```
 */
export function tddfaImagePose(params: TddfaParameters, roi: TddfaRoiBox, size = TDDFA_INPUT_SIZE): TddfaImagePose {
  const C = params.camera;
  // D·R·D: negate the entries with exactly one index equal to 1 (the y row or column).
  const M = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) M[i * 3 + j] = C[i * 4 + j]! * ((i === 1) !== (j === 1) ? -1 : 1);
  const { U, S, V } = svd3(M);
  if (det3(U) * det3(V) < 0) for (let r = 0; r < 3; r++) U[r * 3 + 2] = -U[r * 3 + 2]!;
  const rotation = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    rotation[i * 3 + j] = U[i * 3]! * V[j * 3]! + U[i * 3 + 1]! * V[j * 3 + 1]! + U[i * 3 + 2]! * V[j * 3 + 2]!;
  }
  const f = (S[0]! + S[1]! + S[2]!) / 3;
  const sx = (roi[2] - roi[0]) / size, sy = (roi[3] - roi[1]) / size;
  return {
    rotation,
    scale: f * (sx + sy) / 2,
    translation: [(C[3]! - 1) * sx + roi[0], (size - C[7]!) * sy + roi[1]],
  };
}
