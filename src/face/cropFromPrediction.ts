import { pointsBounds } from '../geometry/pointsBounds.js';
import type { FaceCrop } from './faceCrop.js';
import { landmarksRoll, UPRIGHT_MIN_ROLL, uprightRotation } from './faceRoll.js';

/**
 * Side of the crop made from the network's own landmarks, in mean sides of their box. The
 * evaluation protocol crops 1.6 × the box of annotated points; the network's 68 points
 * follow the 3D jaw, so their box differs from an annotator's, and the factor is chosen
 * on held-out training faces (`npm run bench -- refineCrop`), never on the benchmark.
 */
export const PREDICTED_CROP_FACTOR = 1.6;

/**
 * Side of a refinement pass's crop, for faces turned beyond the pipeline's
 * `refineMinYaw`: a larger context than the tracker's, because the first crop of a turned
 * face is off most (chosen on held-out AFLW-21 and helen-afw68 faces, `npm run bench --
 * refineCrop`: 1.7 beat 1.4–1.6 there, 60–90° bin 11.07 → 7.94 %).
 */
export const REFINE_CROP_FACTOR = 1.7;

/**
 * The crop a refinement pass or a video tracker makes from predicted landmarks: centre of
 * their 2D box, side {@link PREDICTED_CROP_FACTOR} × its mean side. A face rolled by more
 * than `minRollDegrees` (eyes to mouth, see `landmarksRoll`) gets a crop turned upright, with
 * the box taken in the face's own axes.
 *
 * ```ts
 * const crop = cropFromPrediction(face.landmarks); // 68 × (x, y, z) from a first pass
 * ```
 *
 * @param landmarks x, y, z triples in image pixels.
 * @param factor Side over the mean side of the landmarks' box.
 * @param minRollDegrees Least roll that turns the crop (see `UPRIGHT_MIN_ROLL`); ≥ 180: never.
 */
export function cropFromPrediction(landmarks: ArrayLike<number>, factor = PREDICTED_CROP_FACTOR, minRollDegrees = UPRIGHT_MIN_ROLL): FaceCrop {
  if (landmarks.length < 6 || landmarks.length % 3 !== 0) throw new Error(`predicted landmarks must be x y z triples, got ${landmarks.length} numbers`);
  const rotation = uprightRotation(landmarksRoll(landmarks, 3), minRollDegrees);
  // The box in the face's axes (u across the face, v along its "down"); at rotation 0 they
  // are the image's x and y, exactly.
  const c = Math.cos(rotation), s = Math.sin(rotation);
  const uv = new Float64Array((2 * landmarks.length) / 3);
  for (let i = 0, j = 0; i < landmarks.length; i += 3, j += 2) {
    const x = landmarks[i]!, y = landmarks[i + 1]!;
    uv[j] = c * x + s * y;
    uv[j + 1] = -s * x + c * y;
  }
  const [u0, v0, u1, v1] = pointsBounds(uv);
  if (!(u1 > u0 && v1 > v0)) throw new Error('predicted landmarks span no area');
  const uc = (u0 + u1) / 2, vc = (v0 + v1) / 2;
  const crop: FaceCrop = { center: [c * uc - s * vc, s * uc + c * vc], size: ((u1 - u0 + (v1 - v0)) / 2) * factor };
  if (rotation !== 0) crop.rotation = rotation;
  return crop;
}
