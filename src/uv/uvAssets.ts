/**
 * The official PRNet UV assets, decoded: they define the face topology shared by
 * every model. Loaders (`src/node/inference/uvAssets.ts`, or a browser fetch) fill this in.
 */
export interface UvAssets {
  /** Side of the UV position map (256). */
  uvSize: number;
  /** `face_ind.txt`: flat row-major indices (y·256 + x) of the 43,867 face pixels in the UV map. */
  faceIndices: Uint32Array;
  /** `uv_kpt_ind.txt` as flat indices (y·256 + x) of the 68 landmarks in the UV map. */
  keypointIndices: Uint32Array;
  /** `canonical_vertices.npy`: 43,867×3 mean face (x, y, z), in `faceIndices` order, row-major. */
  canonicalVertices: Float32Array;
  /** Triangles over the vertex list (indices into `faceIndices` order), 3 per triangle, 86,907 triangles. */
  triangles: Uint32Array;
  /** `uv_face_mask.png` as 0/1 per UV pixel (256·256). */
  faceMask: Uint8Array;
  /**
   * Eye regions as 0/1 per UV pixel: where `uv_face_eyes.png` (the face without the
   * eyes) differs from `uv_face.png`, the official `demo_texture.py` `eye_mask`.
   */
  eyesMask: Uint8Array;
  /** `uv_weight_mask.png` as loss weights per UV pixel (0 … 16 as in the paper), 256·256. */
  weightMask: Float32Array;
}
