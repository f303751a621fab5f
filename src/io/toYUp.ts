import { withDefaults } from './withDefaults.js';
/** Options for {@link toYUp}. */
export interface ToYUpOptions {
  /**
   * Height of the photo the vertices are in. When given, `y' = imageHeight − 1 − y`
   * (the official `write_obj` convention: the mesh overlays the photo's pixel
   * grid with y up); otherwise `y' = −y`.
   */
  imageHeight?: number;
  /**
   * How to wind the output triangles. `'auto'`: counter-clockwise toward +z for
   * most of the projected area (right for any mesh seen from its front, e.g. a
   * face with |yaw| < 90°); `'reverse'`: always swap two corners (right for
   * `faceTriangles`, whose front faces are clockwise in y-up, in any pose);
   * `'keep'`: as given.
   */
  winding?: 'auto' | 'reverse' | 'keep';
}

export const TO_Y_UP_DEFAULTS: Required<Omit<ToYUpOptions, 'imageHeight'>> = {
  winding: 'auto',
};

/** A mesh in a y-up, right-handed frame with counter-clockwise front faces. */
export interface YUpMesh {
  /** `n×3` x right, y up, z toward the viewer. */
  positions: Float32Array;
  /** `m×3`, wound counter-clockwise when seen from the viewer (+z). */
  triangles: Uint32Array;
}

/**
 * Converts a mesh from image coordinates (x right, y down, z toward the viewer)
 * to the y-up frame of 3D file formats (OBJ, PLY, glTF: x right, y up, z toward
 * the viewer). Flipping y mirrors the mesh, which reverses the apparent winding,
 * so the triangles are re-wound: the result's winding is counter-clockwise seen
 * from +z for the majority (by projected area) of the surface, which for a face
 * seen by the camera means "front faces toward the viewer", whatever winding the
 * input triangles had.
 *
 * ```ts
 * const { positions, triangles: tris } = toYUp(vertices, triangles, { imageHeight: photo.height });
 * ```
 */
export function toYUp(
  vertices: Float32Array | Float64Array,
  triangles: Uint32Array | Int32Array,
  options: ToYUpOptions = {},
): YUpMesh {
  const { winding } = withDefaults(TO_Y_UP_DEFAULTS, options);
  const nv = vertices.length / 3;
  const positions = new Float32Array(vertices.length);
  const h = options.imageHeight;
  for (let i = 0; i < nv; i++) {
    positions[3 * i] = vertices[3 * i];
    positions[3 * i + 1] = h === undefined ? -vertices[3 * i + 1] : h - 1 - vertices[3 * i + 1];
    positions[3 * i + 2] = vertices[3 * i + 2];
  }
  // Total signed projected area seen from +z (y up): positive means counter-clockwise.
  let area = 0;
  const m = triangles.length / 3;
  for (let t = 0; t < m; t++) {
    const a = 3 * triangles[3 * t], b = 3 * triangles[3 * t + 1], c = 3 * triangles[3 * t + 2];
    if (a >= vertices.length || b >= vertices.length || c >= vertices.length) {
      throw new Error(`triangle ${t} references a vertex beyond the ${nv} given`);
    }
    const s = (positions[b] - positions[a]) * (positions[c + 1] - positions[a + 1])
      - (positions[b + 1] - positions[a + 1]) * (positions[c] - positions[a]);
    if (Number.isFinite(s)) area += s;
  }
  const out = Uint32Array.from(triangles);
  if (winding === 'reverse' || (winding === 'auto' && area < 0)) {
    for (let t = 0; t < m; t++) {
      const s = out[3 * t + 1];
      out[3 * t + 1] = out[3 * t + 2];
      out[3 * t + 2] = s;
    }
  }
  return { positions, triangles: out };
}
