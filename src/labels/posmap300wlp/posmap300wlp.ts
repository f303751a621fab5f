import type { Affine2D } from '../../geometry/affine2d.js';
import { cropTransform } from '../../face/cropTransform.js';
import { warpImage } from '../../face/warpImage.js';
import type { RgbImage } from '../../io/rgbImage.js';
import { imageVertices3ddfa } from './imageVertices3ddfa.js';
import { keypointCrop, type KeypointCrop } from './keypointCrop.js';
import { modelVertices } from './modelVertices.js';
import type { MorphableModel } from './morphableModel.js';
import type { Parameters300wlp } from './parameters300wlp.js';
import { uvPositionMap } from './uvPositionMap.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link posmap300wlp}. */
export interface Posmap300wlpOptions {
  /** Side of the crop (face3d: 256; the UV map side is the model's `uvSize`). */
  size: number;
  /** Uniform [0, 1) source of the crop jitter (three draws per sample); null: no jitter. */
  rng: (() => number) | null;
  /** face3d's 2-pixel border rule of `render_colors` (see `uvPositionMap`). */
  borderFill: boolean;
}

/** Defaults of {@link posmap300wlp}. */
export const POSMAP_300WLP_DEFAULTS: Posmap300wlpOptions = { size: 256, rng: null, borderFill: true };

/** One generated training sample. */
export interface Posmap300wlpSample {
  /** The `size × size` crop of the photo. */
  crop: RgbImage;
  /** `uvSize × uvSize × 3` float32: crop-pixel x, y and z (min over the mesh = 0); 0 where no triangle. */
  positionMap: Float32Array;
  /** Photo → crop similarity. */
  transform: Affine2D;
  /** The crop square in the photo. */
  square: KeypointCrop;
  /** `n × 3` crop positions of all model vertices (what the map interpolates). */
  position: Float64Array;
}

/**
 * face3d's `8_generate_posmap_300WLP.py` for one photo: model vertices from the fitted
 * shape and expression, 3DDFA pose into the photo, crop around the 68 keypoints (optional
 * seeded jitter), photo and vertices through the crop similarity (z scaled by the same
 * factor and shifted to a minimum of 0), and the positions drawn into UV space.
 *
 * ```ts
 * const sample = posmap300wlp(photo, parameters300wlp(mat, model.shapeCount, model.expressionCount), model, { rng: createTrainRandom(1) });
 * ```
 */
export function posmap300wlp(
  image: RgbImage,
  params: Parameters300wlp,
  model: MorphableModel,
  options: Partial<Posmap300wlpOptions> = {},
): Posmap300wlpSample {
  const o = withDefaults(POSMAP_300WLP_DEFAULTS, options);
  const vertices = imageVertices3ddfa(modelVertices(model, params.shape, params.expression), params.pose, image.height);
  const square = keypointCrop(vertices, model.keypointIndices, o.rng);
  const transform = cropTransform(square.center, square.size, o.size);

  const floatCrop = warpImage(image, transform, o.size);
  const crop = { width: o.size, height: o.size, data: new Uint8Array(floatCrop.length) };
  // skimage img_as_ubyte on save: × 255, rounded.
  for (let i = 0; i < floatCrop.length; i++) crop.data[i] = Math.round(floatCrop[i]! * 255);

  // position = [x, y, 1] · Tᵀ; z · T[0,0], then z − min z (over all vertices).
  const position = new Float64Array(vertices.length);
  const [a, b, c, d, e, f] = transform as unknown as [number, number, number, number, number, number];
  let zmin = Infinity;
  for (let i = 0; i < vertices.length; i += 3) {
    const x = vertices[i]!, y = vertices[i + 1]!;
    position[i] = a * x + b * y + c;
    position[i + 1] = d * x + e * y + f;
    const z = vertices[i + 2]! * a;
    position[i + 2] = z;
    if (z < zmin) zmin = z;
  }
  for (let i = 2; i < position.length; i += 3) position[i] -= zmin;

  const positionMap = uvPositionMap(model.uvCoords, model.triangles, position, model.uvSize, { borderFill: o.borderFill });
  return { crop, positionMap, transform, square, position };
}
