/**
 * The head pose as a pinhole camera sees it, in metres: what AR and 3D engines need to put
 * glasses, a hat or a mask on the face (MediaPipe's "facial transformation matrix").
 * PRNet's pose is a scaled orthographic fit (`vertex ≈ s·R·canonical + t`, image pixels);
 * with an assumed field of view and the face's real size, its scale says how far away the
 * face is, and its image position where. Isomorphic.
 */
import type { Pose } from './estimatePose.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link perspectivePose}. */
export interface PerspectivePoseOptions {
  /**
   * Vertical field of view of the camera that took the picture, degrees. 63° is what
   * MediaPipe's face geometry assumes; a phone's main camera in portrait is about 65–70°,
   * a laptop webcam in landscape about 40–50°.
   */
  fovY: number;
  /** Distance between the centres of the eyes, millimetres: the face's real size (the adult mean interpupillary distance is about 63 mm). */
  eyeDistanceMm: number;
}

/** Defaults of {@link PerspectivePoseOptions}. */
export const PERSPECTIVE_POSE_DEFAULTS: PerspectivePoseOptions = { fovY: 63, eyeDistanceMm: 63 };

/** Where the face is, for a perspective camera at the origin looking down −z (OpenGL, three.js, WebXR). */
export interface PerspectivePose {
  /**
   * Face → camera, 4×4 column-major (`THREE.Matrix4.fromArray`, WebGL): the face frame has
   * its origin midway between the eye centres, x to the face's left (the picture's right
   * when it faces the camera), y up, z out of the face, in metres; the camera frame is x
   * right, y up, looking down −z.
   */
  matrix: Float64Array;
  /** The rotation part, 3×3 row-major. */
  rotation: Float64Array;
  /** The face frame's origin in the camera frame, metres (z is negative: in front). */
  translation: Float64Array;
  /** The camera's vertical field of view, degrees (as given). */
  fovY: number;
  /** The camera's focal length, pixels: `(height / 2) / tan(fovY / 2)`. */
  focalLength: number;
  /** Metres per unit of the canonical face (its scale in the face frame). */
  metresPerUnit: number;
}

/**
 * Converts a face's orthographic pose ({@link Pose}, from `estimatePose` or `face.pose`) into
 * a perspective pose for a camera of vertical field of view `fovY` whose principal point is
 * the picture's centre. The face's distance follows from the pose's scale (the canonical
 * face's eye distance, in pixels, is `eyeDistanceMm` at that distance); its direction from
 * where its origin lands in the picture. The rotation is the pose's own, in the camera's axes.
 * This is the usual weak-perspective → perspective step: exact for the origin, and off by
 * the face's depth relief over its distance (a few per cent at arm's length) elsewhere.
 * A face off the picture's centre is seen along its own ray, so the orthographic rotation
 * is turned by that ray's rotation (a face 20° off the axis would otherwise be 20° off).
 *
 * ```ts
 * const cam = perspectivePose(face.pose, image.width, image.height, canonicalEyes);
 * glasses.matrix.fromArray(cam.matrix);   // three.js, glasses modelled in metres
 * camera.fov = cam.fovY;
 * ```
 *
 * @param canonicalEyes The canonical face's two eye centres, `[x, y, z, x, y, z]` in its own units
 *   (from the canonical vertices at landmarks 37–42 and 43–48).
 */
export function perspectivePose(pose: Pose, imageWidth: number, imageHeight: number, canonicalEyes: ArrayLike<number>, options: Partial<PerspectivePoseOptions> = {}): PerspectivePose {
  const o = withDefaults(PERSPECTIVE_POSE_DEFAULTS, options);
  if (!(o.fovY > 0 && o.fovY < 180)) throw new Error(`perspectivePose: fovY must be between 0 and 180 degrees, got ${o.fovY}`);
  if (!(o.eyeDistanceMm > 0 && Number.isFinite(o.eyeDistanceMm))) throw new Error(`perspectivePose: eyeDistanceMm must be a positive number, got ${o.eyeDistanceMm}`);
  if (!(imageWidth > 0 && imageHeight > 0)) throw new Error(`perspectivePose: the picture must have a size, got ${imageWidth}×${imageHeight}`);
  if (canonicalEyes.length !== 6) throw new Error(`perspectivePose: canonicalEyes holds two points (6 numbers), got ${canonicalEyes.length}`);
  const e = canonicalEyes;
  const eyeUnits = Math.hypot(e[3]! - e[0]!, e[4]! - e[1]!, e[5]! - e[2]!);
  if (!(eyeUnits > 0) || !(pose.scale > 0)) throw new Error('perspectivePose: the eyes coincide or the pose has no scale');
  const metresPerUnit = o.eyeDistanceMm / 1000 / eyeUnits;
  const focalLength = imageHeight / 2 / Math.tan((o.fovY * Math.PI) / 360);
  const R = pose.rotation, t = pose.translation, s = pose.scale;
  // The origin (mid-eyes) in the picture: s·R·origin + t (pixels, y down, z toward the viewer).
  const ox = (e[0]! + e[3]!) / 2, oy = (e[1]! + e[4]!) / 2, oz = (e[2]! + e[5]!) / 2;
  const px = s * (R[0]! * ox + R[1]! * oy + R[2]! * oz) + t[0]!;
  const py = s * (R[3]! * ox + R[4]! * oy + R[5]! * oz) + t[1]!;
  // The ray from the camera through the origin's pixel (OpenCV axes: x right, y down, z ahead).
  const cx = (imageWidth - 1) / 2, cy = (imageHeight - 1) / 2; // pixel centres at integer coordinates
  const rx = (px - cx) / focalLength, ry = (py - cy) / focalLength;
  const norm = Math.hypot(rx, ry, 1);
  const dx = rx / norm, dy = ry / norm, dz = 1 / norm; // dz = cos θ, θ the ray's angle off the axis
  // The orthographic fit sees the face as the camera turned toward it does: its rotation is
  // relative to that ray, so it is turned by the ray's own rotation (e_z → d; Rodrigues).
  const sinT = Math.hypot(dx, dy), cosT = dz;
  const ax = sinT > 1e-12 ? -dy / sinT : 1, ay = sinT > 1e-12 ? dx / sinT : 0; // axis e_z × d, normalised
  const v = 1 - cosT;
  const ray = [
    cosT + ax * ax * v, ax * ay * v, ay * sinT,
    ax * ay * v, cosT + ay * ay * v, -ax * sinT,
    -ay * sinT, ax * sinT, cosT,
  ];
  // Off the axis the picture magnifies the face by f / (D·cos θ) across the ray's plane and
  // f / (D·cos² θ) along it; the similarity fit's scale sits between: D = f·m / (s·cos^1.5 θ).
  const distance = (focalLength * metresPerUnit) / (s * cosT ** 1.5);
  // Camera axes y up and z toward the viewer (OpenGL): G = diag(1, −1, −1) on the camera side,
  // H = diag(1, −1, 1) turns the picture-aligned face frame y-up; G·ray·F = (G·ray·G)·H.
  const G = [1, -1, -1], H = [1, -1, 1];
  const rayGl = (r: number, c: number): number => G[r]! * ray[3 * r + c]! * G[c]!;
  const rotation = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += rayGl(r, k) * H[k]! * R[3 * k + c]! * H[c]!;
      rotation[3 * r + c] = sum;
    }
  }
  const translation = Float64Array.of(distance * dx, -distance * dy, -distance * dz);
  const matrix = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) matrix[4 * c + r] = rotation[3 * r + c]!;
    matrix[12 + r] = translation[r]!;
  }
  matrix[15] = 1;
  return { matrix, rotation, translation, fovY: o.fovY, focalLength, metresPerUnit };
}
