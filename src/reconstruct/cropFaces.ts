/**
 * Step 2 of the pipeline: warp every located face into one NHWC batch for the network.
 */
import type { RgbImage } from '../io/rgbImage.js';
import { POSITION_MAP_SIZE } from '../model/resfcn.js';
import { cropTransform } from '../face/cropTransform.js';
import { warpImage } from '../face/warpImage.js';
import type { LocatedFace } from './locateFaces.js';

/** The network input for some faces, and the transforms to restore their outputs. */
export interface CroppedFaces {
  /** NHWC float32 `[n, inputSize, inputSize, 3]`, RGB in [0, 1]. */
  input: Float32Array;
  /** Number of crops `n`. */
  count: number;
  /** Per face: image → 256×256 crop affine (the frame of the network's position map). */
  transforms: Float64Array[];
}

/**
 * Warps each face's crop to `inputSize`² and packs them into one batch.
 *
 * ```ts
 * const { input, count, transforms } = cropFaces(image, faces, model.inputSize);
 * const maps = await model.predict(input, count);
 * ```
 */
export function cropFaces(image: RgbImage, faces: readonly LocatedFace[], inputSize: number): CroppedFaces {
  const per = inputSize * inputSize * 3;
  const input = new Float32Array(per * faces.length);
  const transforms: Float64Array[] = [];
  faces.forEach((face, i) => {
    const { center, size, rotation = 0 } = face.crop;
    // The position map is always in the 256×256 crop frame, whatever the input size; the
    // network input is that crop unless the model takes another size.
    const transform = cropTransform(center, size, POSITION_MAP_SIZE, rotation);
    const inputTransform = inputSize === POSITION_MAP_SIZE ? transform : cropTransform(center, size, inputSize, rotation);
    warpImage(image, inputTransform, inputSize, input.subarray(i * per, (i + 1) * per));
    transforms.push(transform);
  });
  return { input, count: faces.length, transforms };
}
