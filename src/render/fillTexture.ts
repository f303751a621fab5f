/**
 * Fills the texels of a UV texture that the photo did not show: first from the
 * mirrored texel (the PRNet UV layout is left-right symmetric about u = 127.5 to
 * within half a pixel on the mean face), then by growing the known colours inward
 * (each hole texel takes the mean of its known 4-neighbours, ring by ring).
 */
import type { RgbImage } from '../io/rgbImage.js';

/**
 * Returns a copy of `texture` where every texel of `faceMask` that `known` lacks is
 * filled. Texels outside `faceMask` are left as they are.
 *
 * ```ts
 * const filled = fillTexture(texture, visibleTexels, assets.faceMask);
 * ```
 */
export function fillTexture(texture: RgbImage, known: Uint8Array, faceMask: Uint8Array): RgbImage {
  const { width: w, height: h } = texture;
  if (known.length !== w * h || faceMask.length !== w * h) throw new Error(`fillTexture: masks must have ${w * h} texels`);
  const data = texture.data.slice();
  const have = Uint8Array.from(known, (k, i) => (k && faceMask[i] ? 1 : 0));
  // 1. Mirror: u → (w − 1) − u.
  const mirrored = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (!faceMask[i] || have[i]) continue;
    const j = y * w + (w - 1 - x);
    if (!have[j]) continue;
    data[3 * i] = data[3 * j]!; data[3 * i + 1] = data[3 * j + 1]!; data[3 * i + 2] = data[3 * j + 2]!;
    mirrored[i] = 1;
  }
  for (let i = 0; i < w * h; i++) if (mirrored[i]) have[i] = 1;
  // 2. Grow inward, one ring per pass, until no hole can be reached.
  let holes: number[] = [];
  for (let i = 0; i < w * h; i++) if (faceMask[i] && !have[i]) holes.push(i);
  while (holes.length) {
    const ring: Array<[number, number, number, number]> = [];
    const rest: number[] = [];
    for (const i of holes) {
      const x = i % w, y = (i - x) / w;
      let r = 0, g = 0, b = 0, n = 0;
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1]) {
        if (j < 0 || !have[j]) continue;
        r += data[3 * j]!; g += data[3 * j + 1]!; b += data[3 * j + 2]!; n++;
      }
      if (n) ring.push([i, r / n, g / n, b / n]);
      else rest.push(i);
    }
    if (!ring.length) break; // unreachable holes (no known texel at all): leave them
    for (const [i, r, g, b] of ring) {
      data[3 * i] = Math.round(r); data[3 * i + 1] = Math.round(g); data[3 * i + 2] = Math.round(b);
      have[i] = 1;
    }
    holes = rest;
  }
  return { width: w, height: h, data };
}
