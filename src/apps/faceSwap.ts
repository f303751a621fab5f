/**
 * Texture editing and face swapping through the UV texture, as the official
 * `demo_texture.py`: take the source face's UV texture (whole face, or only a UV
 * region such as the eyes), render it onto the target face's geometry and pose with
 * the shared rasteriser, and blend it into the target photo in the gradient domain.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { uvTexture } from '../render/uvTexture.js';
import { uvTextureColors } from '../render/uvTextureColors.js';
import { renderTexture } from '../render/renderTexture.js';
import { rasterize } from '../render/rasterize.js';
import { vertexVisibility } from '../render/vertexVisibility.js';
import { poissonBlend } from '../render/poissonBlend.js';
import { fillTexture } from '../render/fillTexture.js';
import { knownTexels } from '../render/knownTexels.js';

/** What a face swap needs of a reconstructed face (a `FaceResult` has all of it). */
export interface SwapFace {
  /** Position map in image coordinates, 256×256×3. */
  positionMap: Float32Array;
  /** 43,867×3 vertices in image coordinates. */
  vertices: Float32Array;
  /** Per-vertex visibility (computed from the z-buffer when absent). */
  visibility?: Uint8Array;
}

export interface FaceSwapOptions {
  /**
   * Which part of the texture comes from the source: `face` (all of it), `eyes` (the
   * official eye mask), or a UV mask (256·256 bytes, non-zero = from the source).
   */
  region?: 'face' | 'eyes' | Uint8Array;
  /** Blend with Poisson (`normal`/`mixed` gradients) or paste (`none`). */
  blend?: 'normal' | 'mixed' | 'none';
}

export const FACE_SWAP_DEFAULTS: Required<Omit<FaceSwapOptions, 'region'>> & { region: 'face' } = { region: 'face', blend: 'normal' };

export interface FaceSwapResult {
  image: RgbImage;
  /** Target pixels the face covers (the blended region), 1 byte per pixel. */
  mask: Uint8Array;
  /** The texture that was rendered (target texture with the source's region). */
  texture: RgbImage;
}

/** UV mask (256·256) of the texels the photo shows well enough to trust ({@link knownTexels}). */
function knownFaceTexels(face: SwapFace, assets: UvAssets, width: number, height: number): Uint8Array {
  const visibility = face.visibility ?? vertexVisibility(face.vertices, rasterize(face.vertices, assets.triangles, width, height));
  return knownTexels(face.vertices, visibility, assets);
}

/**
 * Puts the source face's texture (or a UV region of it) onto the target face.
 *
 * ```ts
 * const { faces: [src] } = await prn.reconstruct('a.jpg'); const { faces: [dst] } = await prn.reconstruct('b.jpg');
 * const { image } = faceSwap(targetImage, dst, sourceImage, src, prn.assets, { region: 'eyes' });
 * ```
 */
export function faceSwap(
  targetImage: RgbImage, target: SwapFace, sourceImage: RgbImage, source: SwapFace, assets: UvAssets, options: FaceSwapOptions = {},
): FaceSwapResult {
  const region = options.region ?? FACE_SWAP_DEFAULTS.region;
  const blend = options.blend ?? FACE_SWAP_DEFAULTS.blend;
  const n = assets.uvSize * assets.uvSize;
  const regionMask = region === 'face' ? assets.faceMask : region === 'eyes' ? assets.eyesMask : region;
  if (regionMask.length !== n) throw new Error(`faceSwap: region mask has ${regionMask.length} texels, expected ${n}`);

  // Source texels the source photo does not show are filled from the mirrored side or
  // their visible neighbours, so nothing from behind the head smears in.
  const sourceKnown = knownFaceTexels(source, assets, sourceImage.width, sourceImage.height);
  const sourceTexture = fillTexture(uvTexture(sourceImage, source.positionMap, { mask: sourceKnown }), sourceKnown, assets.faceMask);
  const targetTexture = uvTexture(targetImage, target.positionMap);
  const texture: RgbImage = { width: assets.uvSize, height: assets.uvSize, data: targetTexture.data.slice() };
  for (let i = 0; i < n; i++) {
    if (!regionMask[i]) continue;
    texture.data[3 * i] = sourceTexture.data[3 * i]!;
    texture.data[3 * i + 1] = sourceTexture.data[3 * i + 1]!;
    texture.data[3 * i + 2] = sourceTexture.data[3 * i + 2]!;
  }

  const { width, height } = targetImage;
  const colors = uvTextureColors(texture, assets.faceIndices);
  const raster = rasterize(target.vertices, assets.triangles, width, height);
  const rendered = renderTexture(colors, target.vertices, assets.triangles, width, height, { raster, background: targetImage });
  if (blend === 'none') return { image: rendered.image, mask: rendered.mask, texture };
  const { image } = poissonBlend(targetImage, rendered.image, rendered.mask, { mode: blend });
  return { image, mask: rendered.mask, texture };
}
