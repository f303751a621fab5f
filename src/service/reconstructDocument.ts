/**
 * The JSON body of `POST /v1/reconstruct`: the `prnet-faces/2` document `prnet reconstruct`
 * writes (frame, image, model, faces with box, score, 68 landmarks, pose), plus the
 * extras asked for as base64 PNGs. Isomorphic.
 */
import { faceJson, type FaceJsonModel, type FaceRecord } from '../io/faceJson.js';

/** Input of {@link reconstructDocument}. */
export interface ReconstructDocumentInput {
  /** Decoded image size. */
  image: { width: number; height: number };
  /** The model that ran (name, variant, weights, sha256). */
  model: FaceJsonModel;
  /** The faces, best first. */
  faces: FaceRecord[];
  /** Per face, its UV texture as base64 PNG (when asked for). */
  textures?: string[];
  /** The image's depth picture as base64 PNG (when asked for). */
  depth?: string;
  /** The image's PNCC picture as base64 PNG (when asked for). */
  pncc?: string;
  /** Milliseconds per stage (decode, detect, network, restore, encode). */
  timings?: Record<string, number>;
}

/**
 * The response document (a plain object, ready for `JSON.stringify`).
 *
 * ```ts
 * const body = reconstructDocument({ image, model, faces });
 * body.faces[0].landmarks.length; // 68
 * ```
 */
export function reconstructDocument(input: ReconstructDocumentInput): Record<string, unknown> & { faces: Array<Record<string, unknown>> } {
  const doc = JSON.parse(faceJson({ image: input.image, model: input.model, faces: input.faces }, { indent: 0 })) as Record<string, unknown> & { faces: Array<Record<string, unknown>> };
  if (input.textures) doc.faces.forEach((f, i) => { f.texturePng = input.textures![i]; });
  if (input.depth !== undefined) doc.depthPng = input.depth;
  if (input.pncc !== undefined) doc.pnccPng = input.pncc;
  if (input.timings) doc.timings = input.timings;
  return doc;
}
