import type { Pose } from './estimatePose.js';
import type { PerspectivePose } from './perspectivePose.js';

/**
 * A face's own reconstructed vertices placed in the space of its perspective camera, in
 * metres: each vertex is taken out of the picture by the orthographic pose (into the
 * canonical face's frame, where the face's shape is as reconstructed), scaled to metres and
 * put in front of the camera by the perspective pose's matrix. The result is in the camera's
 * axes with y turned down again, as the picture's (x right, y down, z toward the viewer), so
 * the mesh writers' y-up flip gives the OpenGL camera frame: a GLB for a three.js scene whose
 * camera sits at the origin with the pose's field of view (an AR occluder, a face to
 * relight). Isomorphic.
 *
 * ```ts
 * const inCamera = cameraSpaceVertices(face.vertices, face.pose, face.camera, canonicalEyeCentres(assets));
 * const glb = await encodeGlb({ vertices: inCamera, triangles }, { scale: 1 });   // metres already
 * ```
 */
export function cameraSpaceVertices(vertices: ArrayLike<number>, pose: Pose, camera: PerspectivePose, canonicalEyes: ArrayLike<number>): Float32Array {
  const R = pose.rotation, t = pose.translation, s = pose.scale, m = camera.matrix, k = camera.metresPerUnit;
  if (!(s > 0)) throw new Error('cameraSpaceVertices: the pose has no scale');
  const e = canonicalEyes;
  const ox = (e[0]! + e[3]!) / 2, oy = (e[1]! + e[4]!) / 2, oz = (e[2]! + e[5]!) / 2;
  const out = new Float32Array(vertices.length);
  for (let i = 0; i < vertices.length; i += 3) {
    const dx = vertices[i]! - t[0]!, dy = vertices[i + 1]! - t[1]!, dz = vertices[i + 2]! - t[2]!;
    // Rᵀ·(v − t)/s: the vertex in the canonical face's frame; then metres about mid-eyes, y up.
    const cx = ((R[0]! * dx + R[3]! * dy + R[6]! * dz) / s - ox) * k;
    const cy = -((R[1]! * dx + R[4]! * dy + R[7]! * dz) / s - oy) * k;
    const cz = ((R[2]! * dx + R[5]! * dy + R[8]! * dz) / s - oz) * k;
    out[i] = m[0]! * cx + m[4]! * cy + m[8]! * cz + m[12]!;
    out[i + 1] = -(m[1]! * cx + m[5]! * cy + m[9]! * cz + m[13]!);
    out[i + 2] = m[2]! * cx + m[6]! * cy + m[10]! * cz + m[14]!;
  }
  return out;
}
