import type { FaceOutputs, TextureMode } from '../reconstruct/faceResult.js';

/**
 * Which optional results the chosen output files need (the GLB always carries the
 * texture), for `prnet reconstruct`, the server and the queue worker alike; `front` asks
 * for frontalised meshes.
 *
 * ```ts
 * faceOutputsForKinds(['obj', 'json'], 'filled'); // { pose: true, colors: true, texture: false, depth: false, frontal: false }
 * ```
 */
export function faceOutputsForKinds(kinds: readonly string[], textureMode: TextureMode, front = false): Partial<FaceOutputs> {
  const mesh = kinds.includes('obj') || kinds.includes('ply') || kinds.includes('glb');
  return {
    pose: kinds.includes('json') || kinds.includes('overlay'),
    colors: mesh,
    texture: kinds.includes('texture') || kinds.includes('glb') ? textureMode : false,
    depth: kinds.includes('depth'),
    // The printable relief (stl) is always of the frontalised face.
    frontal: (front && mesh) || kinds.includes('stl'),
  };
}
