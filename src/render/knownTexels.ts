import type { UvAssets } from '../uv/uvAssets.js';
import { vertexNormals } from '../geometry/vertexNormals.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link knownTexels}. */
export interface KnownTexelsOptions {
  /**
   * Least z component of a vertex's unit normal (+z toward the viewer) for its texel to be
   * trusted. Nearer the silhouette the photo shows the surface foreshortened about 3× or
   * more, and a z-buffer test lets through samples of hair and background there (a speckled
   * far cheek on a turned face); the mirror side, seen frontally, is the better guess.
   */
  minFacing: number;
  /**
   * Each face texel then takes the majority of the face texels within this many texels
   * (a 5×5 window for 2): z-buffer visibility flickers texel by texel where the nose or a
   * cheek half hides the surface behind it, and filling such a speckle would interleave photo
   * and mirror colours. 0 keeps the texel-by-texel mask.
   */
  majorityRadius: number;
}

/**
 * Defaults of {@link KnownTexelsOptions}: cos 70°, a 5×5 majority. Chosen by eye on the five
 * fixture photos' textures: 60° left fill streaks along a frontal face's sides, 75° left speckle
 * on a turned face.
 */
export const KNOWN_TEXELS_DEFAULTS: KnownTexelsOptions = { minFacing: Math.cos((70 * Math.PI) / 180), majorityRadius: 2 };

/**
 * The UV texels (256·256 mask) whose photo colour a texture can trust: in the face mask,
 * their vertex seen (`visibility`, a z-buffer test) and facing the camera, cleaned into
 * coherent regions. What it leaves out, `fillTexture` fills from the mirror side.
 *
 * ```ts
 * const known = knownTexels(face.vertices, face.visibility, assets);
 * const texture = fillTexture(uvTexture(image, face.positionMap, { mask: known }), known, assets.faceMask);
 * ```
 */
export function knownTexels(vertices: Float32Array, visibility: Uint8Array, assets: Pick<UvAssets, 'faceIndices' | 'faceMask' | 'triangles' | 'uvSize'>, options: Partial<KnownTexelsOptions> = {}): Uint8Array {
  const o = withDefaults(KNOWN_TEXELS_DEFAULTS, options);
  const size = assets.uvSize;
  const normals = vertexNormals(vertices, assets.triangles);
  const seen = new Uint8Array(size * size);
  for (let i = 0; i < assets.faceIndices.length; i++) {
    const t = assets.faceIndices[i]!;
    if (visibility[i] && assets.faceMask[t] && normals[3 * i + 2]! >= o.minFacing) seen[t] = 1;
  }
  return o.majorityRadius > 0 ? majority(seen, assets.faceMask, size, o.majorityRadius) : seen;
}

/** Each face texel set when more than half the face texels in its (2R + 1)² window are (window sums from summed-area tables). */
function majority(known: Uint8Array, faceMask: Uint8Array, size: number, R: number): Uint8Array {
  const W = size + 1;
  const yes = new Int32Array(W * W), all = new Int32Array(W * W);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const i = y * size + x, s = (y + 1) * W + x + 1;
    const m = faceMask[i] ? 1 : 0;
    all[s] = m + all[s - 1]! + all[s - W]! - all[s - W - 1]!;
    yes[s] = (m && known[i] ? 1 : 0) + yes[s - 1]! + yes[s - W]! - yes[s - W - 1]!;
  }
  const box = (t: Int32Array, x0: number, y0: number, x1: number, y1: number) => t[y1 * W + x1]! - t[y0 * W + x1]! - t[y1 * W + x0]! + t[y0 * W + x0]!;
  const out = new Uint8Array(known.length);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const i = y * size + x;
    if (!faceMask[i]) continue;
    const x0 = Math.max(0, x - R), y0 = Math.max(0, y - R), x1 = Math.min(size, x + R + 1), y1 = Math.min(size, y + R + 1);
    if (2 * box(yes, x0, y0, x1, y1) > box(all, x0, y0, x1, y1)) out[i] = 1;
  }
  return out;
}
