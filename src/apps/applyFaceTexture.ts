/**
 * Texture editing, the PRNet paper's application: a UV texture (a face's own, as
 * `--outputs texture` writes it, painted on in any image editor; or another face's, for a
 * swap) rendered onto a face in a photo with that face's geometry and pose, and blended
 * in the gradient domain. An alpha per texel says how much of the new texture each texel
 * takes (0: the photo's own, 255: the new one), so a layer with only a tattoo or make-up on
 * it changes only those parts.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import { uvTexture } from '../render/uvTexture.js';
import { uvTextureColors } from '../render/uvTextureColors.js';
import { renderTexture } from '../render/renderTexture.js';
import { rasterize, type Raster } from '../render/rasterize.js';
import { pointsBounds } from '../geometry/pointsBounds.js';
import { poissonBlend } from '../render/poissonBlend.js';
import { withDefaults } from '../io/withDefaults.js';

/** What texture editing needs of a reconstructed face (a `FaceResult` has all of it). */
export interface TexturedFace {
  /** Position map in image coordinates, 256×256×3. */
  positionMap: Float32Array;
  /** 43,867×3 vertices in image coordinates. */
  vertices: Float32Array;
  /** Per-vertex visibility (computed from the z-buffer when absent). */
  visibility?: Uint8Array;
}

/** Options of {@link applyFaceTexture}. */
export interface ApplyFaceTextureOptions {
  /**
   * Which texels the new texture may change: `face` (all), `eyes` (the official eye
   * mask), or a UV mask (256·256 bytes, non-zero = may change).
   */
  region: 'face' | 'eyes' | Uint8Array;
  /** Per texel, how much of the new texture to take (256·256 bytes, 0–255; e.g. a PNG's alpha). All of it by default. */
  alpha?: Uint8Array;
  /**
   * `normal` / `mixed`: render the face with the mixed texture and blend it in with Poisson
   * (its gradients, or the stronger of the two) where the new texture reaches (its region and
   * alpha; the whole face for `face` without alpha). `none`: paste that rendering. `over`: paint
   * only the new texture over the photo by its alpha (interpolated across each triangle), with
   * no re-rendering and no blending: pixels under alpha 0 keep their exact values, a make-up or
   * tattoo layer keeps its own colours (fast: two renderings, for video).
   */
  blend: 'normal' | 'mixed' | 'none' | 'over';
}

/** Defaults of {@link ApplyFaceTextureOptions}. */
export const APPLY_FACE_TEXTURE_DEFAULTS: ApplyFaceTextureOptions = { region: 'face', blend: 'normal' };

/** The edited photo. */
export interface AppliedFaceTexture {
  image: RgbImage;
  /** Target pixels the face covers (the blended region), 1 byte per pixel. */
  mask: Uint8Array;
  /** The texture that was rendered: the photo's own, mixed with the new one by region and alpha (`over`: the new one, drawn by its alpha). */
  texture: RgbImage;
}

/**
 * Puts a UV texture onto a face in a photo.
 *
 * ```ts
 * const { faces: [face] } = await prn.reconstruct(photo, { outputs: { texture: 'filled' } });
 * const edited = paint(face.texture); // any 256×256 RGB picture in the same UV layout
 * const { image } = applyFaceTexture(photo, face, edited, prn.assets, { alpha: tattooAlpha });
 * ```
 */
export function applyFaceTexture(image: RgbImage, face: TexturedFace, texture: RgbImage, assets: UvAssets, options: Partial<ApplyFaceTextureOptions> = {}): AppliedFaceTexture {
  const { region, alpha, blend } = withDefaults(APPLY_FACE_TEXTURE_DEFAULTS, options);
  const size = assets.uvSize, n = size * size;
  if (texture.width !== size || texture.height !== size) throw new Error(`applyFaceTexture: a UV texture is ${size}×${size}, got ${texture.width}×${texture.height}`);
  const regionMask = region === 'face' ? assets.faceMask : region === 'eyes' ? assets.eyesMask : region;
  if (regionMask.length !== n) throw new Error(`applyFaceTexture: region mask has ${regionMask.length} texels, expected ${n}`);
  if (alpha && alpha.length !== n) throw new Error(`applyFaceTexture: alpha has ${alpha.length} texels, expected ${n}`);

  if (blend === 'over') return paintOver(image, face, texture, assets, regionMask, alpha);
  const own = uvTexture(image, face.positionMap);
  const mixed: RgbImage = { width: size, height: size, data: own.data.slice() };
  for (let i = 0; i < n; i++) {
    if (!regionMask[i]) continue;
    const a = alpha ? alpha[i]! / 255 : 1;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) mixed.data[3 * i + c] = a === 1 ? texture.data[3 * i + c]! : Math.round((1 - a) * own.data[3 * i + c]! + a * texture.data[3 * i + c]!);
  }

  const { width, height } = image;
  const raster = rasterize(face.vertices, assets.triangles, width, height);
  const colors = uvTextureColors(mixed, assets.faceIndices);
  const rendered = renderTexture(colors, face.vertices, assets.triangles, width, height, { raster, background: image });
  if (blend === 'none') return { image: rendered.image, mask: rendered.mask, texture: mixed };
  // Blended where the new texture reaches (its region and alpha), not over the whole face:
  // a tattoo changes its own patch of skin, and every other pixel keeps its value.
  const whole = region === 'face' && !alpha;
  const reach = whole ? rendered.mask : textureReach(face, assets, regionMask, alpha, width, height, raster);
  const blended = poissonBlend(image, rendered.image, reach, { mode: blend });
  return { image: blended.image, mask: reach, texture: mixed };
}

/** The pixels a texture reaches: where its interpolated weight (region × alpha) is above 0. */
function textureReach(face: TexturedFace, assets: UvAssets, regionMask: Uint8Array, alpha: Uint8Array | undefined, width: number, height: number, raster: Raster): Uint8Array {
  const n = assets.faceIndices.length;
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = assets.faceIndices[i]!;
    weights[i] = regionMask[t] ? (alpha ? alpha[t]! / 255 : 1) : 0;
  }
  return renderTexture(new Float32Array(3 * n), face.vertices, assets.triangles, width, height, { raster, opacity: weights }).mask;
}

/**
 * `blend: 'over'`: the texture's colours composited over the photo by its alpha, per pixel,
 * rendered in the face's own window of the photo only (a face in a 1080p frame costs what
 * its box costs).
 */
function paintOver(image: RgbImage, face: TexturedFace, texture: RgbImage, assets: UvAssets, regionMask: Uint8Array, alpha: Uint8Array | undefined): AppliedFaceTexture {
  const { width, height } = image;
  const v = face.vertices;
  const n = assets.faceIndices.length;
  const data = image.data.slice();
  const mask = new Uint8Array(width * height);
  const done = { image: { width, height, data }, mask, texture };
  // NaN vertices (a broken network output) are left out, as the rasteriser leaves out their triangles.
  const [x0, y0, x1, y1] = pointsBounds(v, 3, (i) => !Number.isNaN(v[3 * i]!) && !Number.isNaN(v[3 * i + 1]!));
  const left = Math.max(0, Math.floor(x0) - 1), top = Math.max(0, Math.floor(y0) - 1);
  const right = Math.min(width, Math.ceil(x1) + 2), bottom = Math.min(height, Math.ceil(y1) + 2);
  if (!(right > left && bottom > top)) return done; // the face lies outside the photo
  const w = right - left, h = bottom - top;
  const shifted = new Float32Array(v.length);
  const opacity = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    shifted[3 * i] = v[3 * i]! - left;
    shifted[3 * i + 1] = v[3 * i + 1]! - top;
    shifted[3 * i + 2] = v[3 * i + 2]!;
    const t = assets.faceIndices[i]!;
    opacity[i] = regionMask[t] ? (alpha ? alpha[t]! / 255 : 1) : 0;
  }
  const windowImage: RgbImage = { width: w, height: h, data: new Uint8Array(3 * w * h) };
  for (let y = 0; y < h; y++) windowImage.data.set(image.data.subarray(3 * ((y + top) * width + left), 3 * ((y + top) * width + right)), 3 * y * w);
  const painted = renderTexture(uvTextureColors(texture, assets.faceIndices), shifted, assets.triangles, w, h, { background: windowImage, opacity });
  for (let y = 0; y < h; y++) {
    data.set(painted.image.data.subarray(3 * y * w, 3 * (y + 1) * w), 3 * ((y + top) * width + left));
    mask.set(painted.mask.subarray(y * w, (y + 1) * w), (y + top) * width + left);
  }
  return done;
}
