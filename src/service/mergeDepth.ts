import type { GrayImage } from '../io/grayImage.js';

/** One face's depth rendering, as `FaceResult.depth` holds it. */
export interface FaceDepth {
  /** Photo-sized z-buffer (−∞ where the face is not). */
  depth: Float32Array;
  /** The 8-bit depth picture of the same size. */
  image: { data: Uint8Array };
}

/**
 * All faces' 8-bit depth pictures in one photo-sized picture, the nearest surface winning
 * where faces overlap (as `prnet reconstruct`'s `<base>_depth.png`). Isomorphic.
 *
 * ```ts
 * const picture = mergeDepth(image.width, image.height, faces.map((f) => f.depth!));
 * ```
 */
export function mergeDepth(width: number, height: number, depths: readonly FaceDepth[]): GrayImage {
  const data = new Uint8Array(width * height);
  const zbuf = new Float32Array(width * height).fill(-Infinity);
  for (const { depth, image } of depths) {
    for (let i = 0; i < data.length; i++) if (depth[i]! > zbuf[i]!) { zbuf[i] = depth[i]!; data[i] = image.data[i]!; }
  }
  return { width, height, data, channels: 1 };
}
