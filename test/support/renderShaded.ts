/**
 * A Lambert-shaded preview of a mesh (grey clay under one light), kept with the tests:
 * nothing in the product draws it.
 */
import type { RgbImage } from '../../src/io/rgbImage.js';
import { rasterize, type Raster } from '../../src/render/rasterize.js';
import { renderTexture, type TextureRendering } from '../../src/render/renderTexture.js';
import { withDefaults } from '../../src/io/withDefaults.js';

/** Options for {@link renderShaded}. */
export interface RenderShadedOptions {
  /** Direction toward the light in image coordinates (x right, y down, z toward the viewer); normalised here. */
  lightDirection?: readonly [number, number, number];
  /** Light reaching surfaces facing away from the light, 0…1. */
  ambient?: number;
  /** Surface colour, 0…1 per channel. */
  color?: readonly [number, number, number];
  /** Picture to draw over (copied); default black. */
  background?: RgbImage;
  /** A raster of the same mesh and size, if already computed. */
  raster?: Raster;
}

export const RENDER_SHADED_DEFAULTS: Required<Omit<RenderShadedOptions, 'background' | 'raster'>> = {
  lightDirection: [0, 0, 1],
  ambient: 0.25,
  color: [0.85, 0.85, 0.85],
};

/**
 * A Lambert-shaded preview of the mesh (grey clay under one directional light),
 * for showing the reconstructed geometry over or beside the photo. Normals are
 * area-weighted vertex normals oriented toward the viewer (+z), so it does not
 * depend on the triangles' winding; colours are Gouraud-interpolated.
 *
 * ```ts
 * const { image } = renderShaded(vertices, triangles, photo.width, photo.height, { background: photo });
 * ```
 */
export function renderShaded(
  vertices: Float32Array | Float64Array,
  triangles: Uint32Array | Int32Array,
  width: number,
  height: number,
  options: RenderShadedOptions = {},
): TextureRendering {
  const { lightDirection, ambient, color } = withDefaults(RENDER_SHADED_DEFAULTS, options);
  const ll = Math.hypot(lightDirection[0], lightDirection[1], lightDirection[2]);
  if (!(ll > 0)) throw new Error('renderShaded: light direction must be a non-zero vector');
  const lx = lightDirection[0] / ll, ly = lightDirection[1] / ll, lz = lightDirection[2] / ll;
  const nv = vertices.length / 3;
  const acc = new Float64Array(vertices.length);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t], b = 3 * triangles[t + 1], c = 3 * triangles[t + 2];
    const ux = vertices[b] - vertices[a], uy = vertices[b + 1] - vertices[a + 1], uz = vertices[b + 2] - vertices[a + 2];
    const vx = vertices[c] - vertices[a], vy = vertices[c + 1] - vertices[a + 1], vz = vertices[c + 2] - vertices[a + 2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    // Orient each face normal toward the viewer, whatever the winding.
    if (nz < 0) { nx = -nx; ny = -ny; nz = -nz; }
    for (const k of [a, b, c]) { acc[k] += nx; acc[k + 1] += ny; acc[k + 2] += nz; }
  }
  const colors = new Float32Array(vertices.length);
  for (let i = 0; i < nv; i++) {
    const nx = acc[3 * i], ny = acc[3 * i + 1], nz = acc[3 * i + 2];
    const l = Math.hypot(nx, ny, nz);
    const d = l > 0 ? Math.max(0, (nx * lx + ny * ly + nz * lz) / l) : 0;
    const shade = ambient + (1 - ambient) * d;
    for (let c = 0; c < 3; c++) colors[3 * i + c] = color[c] * shade;
  }
  const raster = options.raster ?? rasterize(vertices, triangles, width, height);
  return renderTexture(colors, vertices, triangles, width, height, { raster, background: options.background });
}
