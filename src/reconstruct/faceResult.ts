/**
 * Post-processing of one face: its position map (already in image coordinates) becomes
 * vertices, landmarks and — on request — pose, visibility, colours, texture, depth and the
 * frontalized mesh.
 */
import { perspectivePose, PERSPECTIVE_POSE_DEFAULTS, type PerspectivePose } from '../geometry/perspectivePose.js';
import { canonicalEyeCentres } from '../uv/canonicalEyeCentres.js';
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import type { FaceCrop } from '../face/faceCrop.js';
import { positionMapVertices } from '../uv/positionMapVertices.js';
import { positionMapLandmarks } from '../uv/positionMapLandmarks.js';
import { estimatePose, type Pose } from '../geometry/estimatePose.js';
import { rasterize } from '../render/rasterize.js';
import { vertexVisibility } from '../render/vertexVisibility.js';
import { vertexColors } from '../render/vertexColors.js';
import { uvTexture } from '../render/uvTexture.js';
import { renderDepth, type DepthRendering } from '../render/renderDepth.js';
import { fillTexture } from '../render/fillTexture.js';
import { knownTexels } from '../render/knownTexels.js';
import { frontalize } from './frontalize.js';
import { pointsBounds } from '../geometry/pointsBounds.js';
import { withDefaults } from '../io/withDefaults.js';

/**
 * How the UV texture treats the parts of the face the photo does not show:
 * - `'full'`: every face texel sampled from the photo where its vertex projects, hidden or
 *   not (a hidden cheek repeats the colours in front of it);
 * - `'visible'`: texels of vertices hidden in the z-buffer are black;
 * - `'filled'`: hidden texels, and seen ones whose surface the photo shows edge-on
 *   ({@link knownTexels}), filled from their mirror texel (the UV layout is
 *   left-right symmetric), then by growing the known colours inward ({@link fillTexture}), as
 *   `faceSwap` does.
 */
export type TextureMode = 'full' | 'visible' | 'filled';

/** The texture modes, in the order `--help` lists them. */
export const TEXTURE_MODES: readonly TextureMode[] = ['filled', 'full', 'visible'];

/** Which optional per-face outputs to compute (vertices and landmarks always are). */
export interface FaceOutputs {
  /** Head pose from the vertices (cheap). */
  pose: boolean;
  /** Per-vertex visibility from a z-buffer of the face (one rasterisation). */
  visibility: boolean;
  /** Per-vertex colours sampled from the photo. */
  colors: boolean;
  /**
   * UV texture of the face (256×256), see {@link TextureMode}; `true` is `'full'`.
   * `'visible'` and `'filled'` also compute `visibility`.
   */
  texture: boolean | TextureMode;
  /** Image-space depth map of the face (photo-sized z-buffer). */
  depth: boolean;
  /** Frontalized vertices (official `frontalize`). */
  frontal: boolean;
  /** Vertical field of view of the camera `camera` (the perspective pose, with `pose`) assumes, degrees. */
  cameraFovY: number;
}

/** Defaults of {@link FaceOutputs}: the cheap outputs only. */
export const FACE_OUTPUT_DEFAULTS: FaceOutputs = { pose: true, visibility: false, colors: true, texture: false, depth: false, frontal: false, cameraFovY: PERSPECTIVE_POSE_DEFAULTS.fovY };

/**
 * Everything reconstructed for one face. Coordinates are image pixels: x right, y down,
 * z toward the viewer in the same pixel units (official PRNet convention).
 */
export interface FaceResult {
  /** Detector box `[x, y, w, h]` (or the user's box; for landmarks, their bounding box). */
  box: [number, number, number, number];
  /** Detector score in [0, 1]; 1 for user boxes and landmarks. */
  score: number;
  /** The square crop the network saw. */
  crop: FaceCrop;
  /** Image → 256×256 crop affine map, row-major 2×3 (`cropTransform`). */
  cropTransform: Float64Array;
  /** Position map in image coordinates, 256×256×3 HWC (x, y, z per UV texel). */
  positionMap: Float32Array;
  /** 43,867×3 vertices, `faceIndices` order. */
  vertices: Float32Array;
  /** 68×3 landmarks (the vertices at the UV keypoints). */
  landmarks: Float32Array;
  /** Head pose (when `outputs.pose`): camera 3×4 (vertex ≈ P·[canonical; 1]), rotation, yaw/pitch/roll degrees. */
  pose?: Pose;
  /**
   * The head pose for a perspective camera, in metres (when `outputs.pose`): a 4×4 face →
   * camera matrix for three.js / WebGL, assuming a 63° vertical field of view and a 63 mm eye
   * distance (`outputs.cameraFovY` for another camera; `perspectivePose` for another eye distance).
   */
  camera?: PerspectivePose;
  /** One byte per vertex, 1 = seen by the camera (when `outputs.visibility` or texture `'visible'`). */
  visibility?: Uint8Array;
  /** 43,867×3 RGB in [0, 1] (when `outputs.colors`). */
  colors?: Float32Array;
  /** 256×256 UV texture (when `outputs.texture`). */
  texture?: RgbImage;
  /** Photo-sized depth: raw z-buffer and an 8-bit picture (when `outputs.depth`). */
  depth?: DepthRendering;
  /** 43,867×3 frontalized vertices, canonical frame (when `outputs.frontal`). */
  frontalVertices?: Float32Array;
}

/** Inputs of {@link faceResult} besides the image and the assets. */
export interface FaceResultInput {
  /** Position map already restored to image coordinates (256×256×3). */
  positionMap: Float32Array;
  /** Face box `[x, y, w, h]`, image pixels. */
  box: [number, number, number, number];
  /** Detector score (1 for user boxes and landmarks). */
  score: number;
  /** The crop the network saw. */
  crop: FaceCrop;
  /** Image → 256×256 crop affine the position map was predicted in. */
  cropTransform: Float64Array;
  /** The map's 43,867 face vertices when the caller has them already (equal to `positionMapVertices(positionMap)`): not gathered again. */
  vertices?: Float32Array;
}

/**
 * Builds a {@link FaceResult} from one face's position map in image coordinates, computing
 * the optional outputs asked for.
 *
 * ```ts
 * const face = faceResult(image, assets, { positionMap, box, score, crop, cropTransform }, { texture: true });
 * ```
 */
export function faceResult(image: RgbImage, assets: UvAssets, input: FaceResultInput, outputs: Partial<FaceOutputs> = {}): FaceResult {
  const want = withDefaults(FACE_OUTPUT_DEFAULTS, outputs);
  const { positionMap } = input;
  const vertices = input.vertices ?? positionMapVertices(positionMap, assets);
  const landmarks = positionMapLandmarks(positionMap, assets);
  const result: FaceResult = { ...input, vertices, landmarks };
  if (want.pose) {
    result.pose = estimatePose(vertices, assets.canonicalVertices);
    // A collapsed prediction (scale 0, or not finite) has no distance: no camera pose, not a failed face.
    if (result.pose.scale > 0 && Number.isFinite(result.pose.scale)) {
      result.camera = perspectivePose(result.pose, image.width, image.height, canonicalEyeCentres(assets), { fovY: want.cameraFovY });
    }
  }
  const textureMode: TextureMode | undefined = want.texture === true ? 'full' : want.texture || undefined;
  if (textureMode && !TEXTURE_MODES.includes(textureMode)) throw new Error(`unknown texture mode '${String(textureMode)}' (choose from ${TEXTURE_MODES.join(', ')})`);
  if (want.visibility || textureMode === 'visible' || textureMode === 'filled') result.visibility = faceVisibility(vertices, assets.triangles, image.width, image.height);
  if (want.colors) result.colors = vertexColors(image, vertices);
  if (textureMode) {
    let mask = assets.faceMask;
    if (textureMode === 'filled') mask = knownTexels(vertices, result.visibility!, assets);
    else if (textureMode === 'visible') {
      // A texel is known when it is in the face mask and its vertex was seen.
      mask = new Uint8Array(assets.uvSize * assets.uvSize);
      const vis = result.visibility!;
      for (let i = 0; i < assets.faceIndices.length; i++) {
        const t = assets.faceIndices[i];
        if (vis[i] && assets.faceMask[t]) mask[t] = 1;
      }
    }
    const texture = uvTexture(image, positionMap, { mask });
    result.texture = textureMode === 'filled' ? fillTexture(texture, mask, assets.faceMask) : texture;
  }
  if (want.depth) result.depth = renderDepth(vertices, assets.triangles, image.width, image.height);
  if (want.frontal) result.frontalVertices = frontalize(vertices, assets.canonicalVertices);
  return result;
}

/**
 * Vertex visibility from a z-buffer of the face's own bounding window only (not the whole
 * photo), so a small face in a huge photo stays cheap.
 */
function faceVisibility(vertices: Float32Array, triangles: Uint32Array, width: number, height: number): Uint8Array {
  // NaN vertices (a broken network output) are left out, as the rasteriser leaves out their triangles.
  const [x0, y0, x1, y1] = pointsBounds(vertices, 3, (i) => !Number.isNaN(vertices[3 * i]) && !Number.isNaN(vertices[3 * i + 1]));
  const n = vertices.length / 3;
  const left = Math.max(0, Math.floor(x0) - 1), top = Math.max(0, Math.floor(y0) - 1);
  const right = Math.min(width, Math.ceil(x1) + 2), bottom = Math.min(height, Math.ceil(y1) + 2);
  if (!(right > left && bottom > top)) return new Uint8Array(n); // entirely outside the photo
  const shifted = new Float32Array(vertices.length);
  for (let i = 0; i < n; i++) {
    shifted[3 * i] = vertices[3 * i] - left;
    shifted[3 * i + 1] = vertices[3 * i + 1] - top;
    shifted[3 * i + 2] = vertices[3 * i + 2];
  }
  const raster = rasterize(shifted, triangles, right - left, bottom - top);
  return vertexVisibility(shifted, raster);
}
