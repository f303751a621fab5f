import { withDefaults } from './withDefaults.js';

/** Head pose of one face. */
export interface FacePose {
  /** Degrees, as the pose module computes them (official `matrix2angle`). */
  yaw: number;
  /** Degrees. */
  pitch: number;
  /** Degrees. */
  roll: number;
  /** 3×4 affine camera `[s·R | t]` row-major (12 numbers), canonical face → image (official `estimate_pose`). */
  cameraMatrix?: ArrayLike<number>;
}

/** What {@link faceJson} needs of one reconstructed face (a subset of the pipeline's result). */
export interface FaceRecord {
  /** 68×3 row-major x, y, z in image pixels (y down, z toward the viewer). */
  landmarks: ArrayLike<number>;
  /** Dense vertices `n×3`; only their count is written unless `includeVertices`. */
  vertices?: ArrayLike<number>;
  pose?: FacePose;
  /** The head pose for a perspective camera (`perspectivePose`): face → camera 4×4, column-major, metres, and the field of view it assumes. */
  camera?: { matrix: ArrayLike<number>; fovY: number };
  /** Face box in image pixels `[x, y, w, h]` (top-left corner, width, height), as `--box` and `FaceResult.box`. */
  box?: ArrayLike<number>;
  /** Detector confidence in 0…1. */
  score?: number;
}

/** Which model produced the faces. */
export interface FaceJsonModel {
  /** File name of the ONNX model (e.g. `default.onnx`). */
  name?: string;
  /** Network variant from the model's metadata (e.g. `resfcn128-light`). */
  variant?: string;
  /** sha256 of the ONNX file. */
  sha256?: string;
  /** Weight type from the metadata (`float32`, `float16`, `int8`). */
  weights?: string;
}

/** The document {@link faceJson} serialises: one photo and its faces. */
export interface FaceJsonInput {
  image: { width: number; height: number; /** Source path as given (or a file name), if any. */ file?: string };
  /** Model that produced the position maps: a name (e.g. `resfcn256`) or a {@link FaceJsonModel}. */
  model?: string | FaceJsonModel;
  faces: FaceRecord[];
  /** Why `faces` is empty (e.g. `no face found`). */
  reason?: string;
}

/** Options for {@link faceJson}. */
export interface FaceJsonOptions {
  /** Digits after the decimal point for coordinates. */
  decimals?: number;
  /** Also write every dense vertex (large: ~1 MB per face). */
  includeVertices?: boolean;
  /** JSON indentation (0: one line). */
  indent?: number;
}

export const FACE_JSON_DEFAULTS: Required<FaceJsonOptions> = {
  decimals: 2,
  includeVertices: false,
  indent: 2,
};

/**
 * Schema identifier written in every document; bump on incompatible changes.
 * `prnet-faces/2`: `box` is `[x, y, w, h]` (was `[x0, y0, x1, y1]`); `frame`, `reason`, `model` object.
 */
export const FACE_JSON_SCHEMA = 'prnet-faces/2';

/** The coordinate frame of every position in the document, written into it. */
export const FACE_JSON_FRAME = 'image pixels: x right, y down, z toward the viewer in the same units; box [x, y, w, h]';

/**
 * Serialises faces as JSON. Schema (`prnet-faces/2`):
 * ```text
 * { "schema": "prnet-faces/2",
 *   "frame": "image pixels: x right, y down, …",
 *   "image": { "width", "height", "file"? },
 *   "model"?: string | { "name"?, "variant"?, "sha256"?, "weights"? },
 *   "reason"?: string,                                   // why "faces" is empty
 *   "faces": [ { "score"?: number, "box"?: [x, y, w, h],
 *                "landmarks": [[x, y, z] × 68],          // image pixels, y down, z toward viewer
 *                "pose"?: { "yaw", "pitch", "roll",        // degrees
 *                           "cameraMatrix"?: [[4] × 3] },  // canonical face → image
 *                "camera"?: { "matrix": [16], "fovY" },   // face → perspective camera, metres, column-major (three.js)
 *                "vertexCount"?: n, "vertices"?: [[x, y, z] × n] } ] }
 * ```
 * Non-finite numbers become `null` (JSON has no NaN).
 *
 * ```ts
 * const text = faceJson({ image: { width: 450, height: 450, file: 'a.jpg' }, model: 'resfcn256', faces: [face] });
 * ```
 */
export function faceJson(input: FaceJsonInput, options: FaceJsonOptions = {}): string {
  const { decimals, includeVertices, indent } = withDefaults(FACE_JSON_DEFAULTS, options);
  const num = (v: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(decimals)) : null);
  const exact = (v: number): number | null => (Number.isFinite(v) ? v : null);
  const rows = (a: ArrayLike<number>, k: number, what: string, f = num) => {
    if (a.length % k !== 0) throw new Error(`faceJson: ${what} has ${a.length} values, not a multiple of ${k}`);
    const out: (number | null)[][] = [];
    for (let i = 0; i < a.length; i += k) out.push(Array.from({ length: k }, (_, j) => f(a[i + j])));
    return out;
  };
  const doc = {
    schema: FACE_JSON_SCHEMA,
    frame: FACE_JSON_FRAME,
    image: { width: input.image.width, height: input.image.height, ...(input.image.file !== undefined ? { file: input.image.file } : {}) },
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    faces: input.faces.map((f, i) => {
      if (f.landmarks.length !== 68 * 3) throw new Error(`faceJson: face ${i} has ${f.landmarks.length / 3} landmarks, expected 68`);
      if (f.pose?.cameraMatrix && f.pose.cameraMatrix.length !== 12) throw new Error(`faceJson: face ${i} camera matrix has ${f.pose.cameraMatrix.length} values, expected 3×4`);
      if (f.camera && f.camera.matrix.length !== 16) throw new Error(`faceJson: face ${i} camera matrix has ${f.camera.matrix.length} values, expected 4×4`);
      if (f.box && f.box.length !== 4) throw new Error(`faceJson: face ${i} box has ${f.box.length} values, expected 4`);
      return {
        ...(f.score !== undefined ? { score: num(f.score) } : {}),
        ...(f.box ? { box: rows(f.box, 4, 'box')[0] } : {}),
        landmarks: rows(f.landmarks, 3, 'landmarks'),
        ...(f.pose ? {
          pose: {
            yaw: num(f.pose.yaw), pitch: num(f.pose.pitch), roll: num(f.pose.roll),
            // Unrounded: s·R can be small (s ≪ 1), and it is only 12 numbers.
            ...(f.pose.cameraMatrix ? { cameraMatrix: rows(f.pose.cameraMatrix, 4, 'cameraMatrix', exact) } : {}),
          },
        } : {}),
        ...(f.camera ? { camera: { matrix: Array.from(f.camera.matrix, exact), fovY: num(f.camera.fovY) } } : {}),
        ...(f.vertices ? { vertexCount: f.vertices.length / 3 } : {}),
        ...(f.vertices && includeVertices ? { vertices: rows(f.vertices, 3, 'vertices') } : {}),
      };
    }),
  };
  return JSON.stringify(doc, null, indent || undefined);
}
