import type { RgbImage } from '../io/rgbImage.js';

/**
 * The photo's colour at each vertex (the official `get_colors`, with bilinear
 * instead of nearest sampling so colours vary smoothly between pixels).
 * Positions outside the image take the nearest border pixel.
 *
 * ```ts
 * const colors = vertexColors(photo, vertices); // Float32Array n×3 in 0…1
 * const obj = encodeObj({ vertices, triangles, colors });
 * ```
 *
 * @param vertices `n×3` (x, y, z) in image pixels; z is ignored.
 * @returns `n×3` RGB in 0…1 (NaN positions give black).
 */
export function vertexColors(image: RgbImage, vertices: Float32Array | Float64Array): Float32Array {
  const { width, height, data } = image;
  const nv = vertices.length / 3;
  const out = new Float32Array(nv * 3);
  const xMax = width - 1, yMax = height - 1;
  const s = 1 / 255;
  for (let i = 0; i < nv; i++) {
    let x = vertices[3 * i], y = vertices[3 * i + 1];
    if (!(x === x && y === y)) continue; // NaN
    x = x < 0 ? 0 : x > xMax ? xMax : x;
    y = y < 0 ? 0 : y > yMax ? yMax : y;
    const x0 = Math.floor(x), y0 = Math.floor(y);
    const x1 = x0 < xMax ? x0 + 1 : x0, y1 = y0 < yMax ? y0 + 1 : y0;
    const fx = x - x0, fy = y - y0;
    const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    const p00 = 3 * (y0 * width + x0), p10 = 3 * (y0 * width + x1);
    const p01 = 3 * (y1 * width + x0), p11 = 3 * (y1 * width + x1);
    for (let c = 0; c < 3; c++) {
      out[3 * i + c] = (w00 * data[p00 + c] + w10 * data[p10 + c] + w01 * data[p01 + c] + w11 * data[p11 + c]) * s;
    }
  }
  return out;
}
