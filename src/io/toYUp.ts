import { toYUpPositions, TO_Y_UP_DEFAULTS, type ToYUpOptions } from './toYUpPositions.js';

export { TO_Y_UP_DEFAULTS, type ToYUpOptions };

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
  const { positions, reverse } = toYUpPositions(vertices, triangles, options);
  const out = Uint32Array.from(triangles);
  if (reverse) {
    const m = out.length / 3;
    for (let t = 0; t < m; t++) {
      const s = out[3 * t + 1]!;
      out[3 * t + 1] = out[3 * t + 2]!;
      out[3 * t + 2] = s;
    }
  }
  return { positions, triangles: out };
}
