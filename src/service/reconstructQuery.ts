/**
 * The query of `POST /v1/reconstruct`: its JSON schema (which validates requests and
 * feeds `/openapi.json`) and the parsed, typed form. Isomorphic.
 */
import { MAP_SMOOTHING } from '../reconstruct/facePipeline.js';
import { TEXTURE_MODES, type TextureMode } from '../reconstruct/faceResult.js';
import { UPRIGHT_MIN_ROLL } from '../face/faceRoll.js';
import { PERSPECTIVE_POSE_DEFAULTS } from '../geometry/perspectivePose.js';
import { ALIGNMENT_TEMPLATES, ALIGNED_FACE_MAX_SIZE, type AlignmentTemplate } from '../face/alignedFaceTransform.js';

/** Response formats: the JSON document, one face's mesh, its position map (`npy`), its printable relief (`stl`), its 68 landmarks as an iBUG `.pts` file (`pts`) or its aligned face picture (`aligned`, PNG). */
export const RECONSTRUCT_FORMATS = ['json', 'glb', 'obj', 'ply', 'npy', 'stl', 'pts', 'aligned'] as const;
/** One of {@link RECONSTRUCT_FORMATS}. */
export type ReconstructFormat = (typeof RECONSTRUCT_FORMATS)[number];

/** Optional extras `?outputs=` asks for (comma-separated). */
export const RECONSTRUCT_EXTRAS = ['texture', 'depth', 'pncc'] as const;
/** One of {@link RECONSTRUCT_EXTRAS}. */
export type ReconstructExtra = (typeof RECONSTRUCT_EXTRAS)[number];

/** Most faces one request may ask for (`maxFaces`). */
export const RECONSTRUCT_MAX_FACES_LIMIT = 16;

/** JSON schema of the query string (Fastify validates with it; OpenAPI lists it). */
export const RECONSTRUCT_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: [...RECONSTRUCT_FORMATS], default: 'json', description: 'json: faces, boxes, 68 landmarks, pose, model; glb, obj, ply: the mesh of face `face`; npy: its UV position map (float32 256×256×3, image pixels); stl: a closed relief of it to 3D-print (binary STL, 80 mm wide); pts: its 68 landmarks as an iBUG .pts file (300-W\'s format, 1-based pixels); aligned: its aligned face picture as PNG (see `align`)' },
    outputs: { type: 'string', pattern: `^(${RECONSTRUCT_EXTRAS.join('|')})(,(${RECONSTRUCT_EXTRAS.join('|')}))*$`, description: 'comma-separated extras: texture (per-face UV texture PNG, base64, in the JSON), depth (depth PNG of the image, base64), pncc (PNCC picture of the image, base64)' },
    face: { type: 'integer', minimum: 0, default: 0, description: 'face index for mesh formats (0 = best)' },
    maxFaces: { type: 'integer', minimum: 1, maximum: RECONSTRUCT_MAX_FACES_LIMIT, default: 1, description: 'at most this many faces' },
    texture: { type: 'string', enum: [...TEXTURE_MODES], default: 'filled', description: 'UV texture of hidden face parts (texture output, GLB)' },
    uprightMinRoll: { type: 'number', minimum: 0, maximum: 180, default: UPRIGHT_MIN_ROLL, description: 'a face rolled more than this many degrees in its crop is cropped again turned upright (180: never)' },
    align: { type: 'string', enum: [...ALIGNMENT_TEMPLATES], default: 'arcface', description: 'format=aligned: arcface = insightface\'s 5-point 112×112 face (face recognition), ffhq = the FFHQ dataset\'s upright square (mirrored past the photo\'s edges)' },
    alignSize: { type: 'integer', minimum: 8, maximum: ALIGNED_FACE_MAX_SIZE, description: 'format=aligned: side of the picture in pixels (default: the template\'s own, 112 or 1024)' },
    space: { type: 'string', enum: ['image', 'camera'], default: 'image', description: 'format=glb|obj|ply: image = the photo\'s pixels (y up, as the CLI\'s files); camera = the space of the face\'s perspective camera (`camera` in the JSON), metres, y up' },
    fovY: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 180, description: `the camera's vertical field of view, degrees, for each face's perspective pose (\`camera\` in the JSON: a 4×4 face → camera matrix in metres, three.js conventions); default: the lens the photo's EXIF records, else ${PERSPECTIVE_POSE_DEFAULTS.fovY}` },
    mapSmoothing: { type: 'number', minimum: 0, maximum: 8, default: MAP_SMOOTHING, description: 'Gaussian blur of each position map inside the face, σ in texels, before mesh, landmarks and pose are read (0: the network\'s map as it is, e.g. for format=npy)' },
  },
} as const;

/** The query as Fastify hands it over after validation (defaults filled in). */
export interface ReconstructQuery {
  /** Response format. */
  format: ReconstructFormat;
  /** Comma-separated extras. */
  outputs?: string;
  /** Face index for mesh formats. */
  face: number;
  /** At most this many faces. */
  maxFaces: number;
  /** Texture mode. */
  texture: TextureMode;
  /** Upright re-crop threshold, degrees (see `ReconstructOptions.uprightMinRoll`). */
  uprightMinRoll: number;
  /** Position-map smoothing, texels (see `ReconstructOptions.mapSmoothing`). */
  mapSmoothing: number;
  /** `format=aligned`: the template. */
  align: AlignmentTemplate;
  /** The camera's vertical field of view for the perspective pose, degrees. */
  fovY?: number;
  /** `format=aligned`: the picture's side, pixels. */
  alignSize?: number;
  /** Mesh formats: the photo's frame or the perspective camera's space. */
  space?: 'image' | 'camera';
}

/** The parsed request: what to compute and what to answer. */
export interface ReconstructRequest {
  format: ReconstructFormat;
  /** Extras asked for, without repeats. */
  extras: ReconstructExtra[];
  face: number;
  maxFaces: number;
  texture: TextureMode;
  uprightMinRoll: number;
  mapSmoothing: number;
  /** `format=aligned`: which aligned face picture. */
  align: { template: AlignmentTemplate; size?: number };
  /** The camera's vertical field of view for the perspective pose, degrees (undefined: the photo's EXIF, else the default). */
  fovY?: number;
  /** Mesh formats: the photo's frame or the perspective camera's space. */
  space: 'image' | 'camera';
}

/**
 * Turns a validated query into a {@link ReconstructRequest}.
 *
 * ```ts
 * reconstructQuery({ format: 'json', outputs: 'texture,depth', face: 0, maxFaces: 1, texture: 'filled', uprightMinRoll: 30, mapSmoothing: 1, align: 'arcface' });
 * ```
 */
export function reconstructQuery(query: ReconstructQuery): ReconstructRequest {
  const extras = [...new Set((query.outputs ?? '').split(',').filter(Boolean))] as ReconstructExtra[];
  for (const e of extras) if (!(RECONSTRUCT_EXTRAS as readonly string[]).includes(e)) throw new Error(`unknown output '${e}'`);
  return { format: query.format, extras, face: query.face, maxFaces: query.maxFaces, texture: query.texture, uprightMinRoll: query.uprightMinRoll, mapSmoothing: query.mapSmoothing,
    align: { template: query.align, ...(query.alignSize !== undefined ? { size: query.alignSize } : {}) }, ...(query.fovY !== undefined ? { fovY: query.fovY } : {}), space: query.space ?? 'image' };
}
