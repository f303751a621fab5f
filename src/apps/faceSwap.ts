/**
 * Texture editing and face swapping through the UV texture, as the official
 * `demo_texture.py`: take the source face's UV texture (whole face, or only a UV
 * region such as the eyes), render it onto the target face's geometry and pose with
 * the shared rasteriser, and blend it into the target photo in the gradient domain.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { uvTexture } from '../render/uvTexture.js';
import { rasterize } from '../render/rasterize.js';
import { vertexVisibility } from '../render/vertexVisibility.js';
import { fillTexture } from '../render/fillTexture.js';
import { knownTexels } from '../render/knownTexels.js';
import { applyFaceTexture, type AppliedFaceTexture, type ApplyFaceTextureOptions, type TexturedFace } from './applyFaceTexture.js';

/** What a face swap needs of a reconstructed face (a `FaceResult` has all of it). */
export type SwapFace = TexturedFace;

export interface FaceSwapOptions {
  /**
   * Which part of the texture comes from the source: `face` (all of it), `eyes` (the
   * official eye mask), or a UV mask (256·256 bytes, non-zero = from the source).
   */
  region?: 'face' | 'eyes' | Uint8Array;
  /** Blend with Poisson (`normal`/`mixed` gradients), paste (`none`) or paint by region (`over`; see `applyFaceTexture`). */
  blend?: ApplyFaceTextureOptions['blend'];
}

export const FACE_SWAP_DEFAULTS: Required<Omit<FaceSwapOptions, 'region'>> & { region: 'face' } = { region: 'face', blend: 'normal' };

/** The swapped photo, its blended region and the texture rendered (target texture with the source's region). */
export type FaceSwapResult = AppliedFaceTexture;

/** UV mask (256·256) of the texels the photo shows well enough to trust ({@link knownTexels}). */
function knownFaceTexels(face: SwapFace, assets: UvAssets, width: number, height: number): Uint8Array {
  const visibility = face.visibility ?? vertexVisibility(face.vertices, rasterize(face.vertices, assets.triangles, width, height));
  return knownTexels(face.vertices, visibility, assets);
}

/**
 * Puts the source face's texture (or a UV region of it) onto the target face
 * ({@link applyFaceTexture} with the source's texture).
 *
 * ```ts
 * const { faces: [src] } = await prn.reconstruct('a.jpg'); const { faces: [dst] } = await prn.reconstruct('b.jpg');
 * const { image } = faceSwap(targetImage, dst, sourceImage, src, prn.assets, { region: 'eyes' });
 * ```
 */
export function faceSwap(
  targetImage: RgbImage, target: SwapFace, sourceImage: RgbImage, source: SwapFace, assets: UvAssets, options: FaceSwapOptions = {},
): FaceSwapResult {
  // Source texels the source photo does not show are filled from the mirrored side or
  // their visible neighbours, so nothing from behind the head smears in.
  const sourceKnown = knownFaceTexels(source, assets, sourceImage.width, sourceImage.height);
  const sourceTexture = fillTexture(uvTexture(sourceImage, source.positionMap, { mask: sourceKnown }), sourceKnown, assets.faceMask);
  return applyFaceTexture(targetImage, target, sourceTexture, assets, { region: options.region ?? FACE_SWAP_DEFAULTS.region, blend: options.blend ?? FACE_SWAP_DEFAULTS.blend });
}
