/**
 * The whole pipeline for one image: locate faces → crop them into one batch → one network
 * call → per-face results. Isomorphic: the caller brings the model, detector and assets.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import type { PositionMapModel } from '../model/session.js';
import { locateFaces, type LocateFacesOptions } from './locateFaces.js';
import { cropFaces } from './cropFaces.js';
import { restoreFaces } from './restoreFaces.js';
import { predictBatched } from './predictBatched.js';
import type { FaceOutputs, FaceResult } from './faceResult.js';

/** Options of {@link reconstruct}. */
export interface ReconstructOptions extends LocateFacesOptions {
  /** Optional outputs to compute per face (see {@link FaceOutputs}). */
  outputs?: Partial<FaceOutputs>;
}

/**
 * Reconstructs every face of an image (or the one given by `box` / `landmarks`).
 * Returns `[]` when no face is found.
 *
 * ```ts
 * const faces = await reconstruct(image, model, assets, { detector, outputs: { texture: true } });
 * console.log(faces[0].landmarks, faces[0].pose?.yaw);
 * ```
 */
export async function reconstruct(image: RgbImage, model: PositionMapModel, assets: UvAssets, options: ReconstructOptions = {}): Promise<FaceResult[]> {
  const faces = await locateFaces(image, options);
  if (faces.length === 0) return [];
  const { input, count, transforms } = cropFaces(image, faces, model.inputSize);
  const maps = await predictBatched(model, input, count);
  return restoreFaces(image, assets, faces, transforms, maps, options.outputs);
}
