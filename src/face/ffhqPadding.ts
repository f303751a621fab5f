/**
 * Where the FFHQ dataset's recipe (`recreate_aligned_images` in NVlabs' ffhq-dataset,
 * Karras et al. 2019) pads a photo before it cuts an aligned face: its crop of the photo and
 * the integer pads around that crop, computed as the recipe computes them. Isomorphic.
 */

/** The photo FFHQ's recipe pads, and by how much. */
export interface FfhqPaddingBox {
  /** Side of the crop quad, photo pixels (the recipe's `qsize`). */
  qsize: number;
  /** The crop of the photo that is padded: `[x0, y0, x1, y1]`, photo pixels, `x1`, `y1` exclusive. */
  crop: [number, number, number, number];
  /** Pads beyond the crop, pixels: `[left, top, right, bottom]`, each at least `round(0.3 · qsize)`. */
  pad: [number, number, number, number];
  /** How far the quad's box plus the border reaches past the photo on each side (the pads before they are raised); all 0 for a small square inside the photo, which the recipe pads all the same. */
  reach: [number, number, number, number];
}

/** numpy's `rint`: to the nearest integer, halves to even. */
function rint(v: number): number {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/**
 * FFHQ's crop and pads for the quad `quad` (4 corners × (x, y), photo pixels with pixel
 * centres at integer coordinates) in a `width × height` photo, or `null` where the recipe
 * does not pad (the quad lies inside the photo), and where the crop would be empty (a quad
 * wholly outside the photo). The recipe, with `qsize` the quad's side: a border of
 * `max(round(0.1 · qsize), 3)` px; the crop is the quad's bounding box (floored, ceiled)
 * plus the border, clipped to the photo; each side's pad is how far the quad's box plus the
 * border reaches past the crop; and when the largest pad exceeds `border − 4`, every pad is
 * raised to at least `round(0.3 · qsize)` and the photo is padded. That test pads every
 * square under about 35 px (its border is then the minimum, 3 px) even inside the photo.
 * (The recipe first shrinks photos with `qsize` ≥ 4× its output size; this counts in photo
 * pixels throughout.)
 *
 * ```ts
 * const box = ffhqPadding(quad, image.width, image.height); // { qsize, crop, pad, reach } or null
 * ```
 */
export function ffhqPadding(quad: ArrayLike<number>, width: number, height: number): FfhqPaddingBox | null {
  if (quad.length !== 8) throw new Error(`ffhqPadding: the quad needs 4 corners (8 numbers), got ${quad.length}`);
  const qsize = Math.hypot(quad[2]! - quad[0]!, quad[3]! - quad[1]!);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < 4; i++) {
    minX = Math.min(minX, quad[2 * i]!); maxX = Math.max(maxX, quad[2 * i]!);
    minY = Math.min(minY, quad[2 * i + 1]!); maxY = Math.max(maxY, quad[2 * i + 1]!);
  }
  if (![qsize, minX, minY, maxX, maxY].every(Number.isFinite)) throw new Error('ffhqPadding: the quad is not finite');
  const border = Math.max(rint(qsize * 0.1), 3);
  const [bx0, by0, bx1, by1] = [Math.floor(minX), Math.floor(minY), Math.ceil(maxX), Math.ceil(maxY)];
  const crop: [number, number, number, number] = [Math.max(bx0 - border, 0), Math.max(by0 - border, 0), Math.min(bx1 + border, width), Math.min(by1 + border, height)];
  const cropW = crop[2] - crop[0], cropH = crop[3] - crop[1];
  if (cropW <= 0 || cropH <= 0) return null;
  // The quad's box in the crop's pixels (the crop's corner is an integer, so floor and ceil commute with the shift).
  const reach: [number, number, number, number] = [
    Math.max(-(bx0 - crop[0]) + border, 0), Math.max(-(by0 - crop[1]) + border, 0),
    Math.max(bx1 - crop[0] - cropW + border, 0), Math.max(by1 - crop[1] - cropH + border, 0),
  ];
  if (!(Math.max(...reach) > border - 4)) return null;
  const least = rint(qsize * 0.3);
  return { qsize, crop, pad: reach.map((p) => Math.max(p, least)) as [number, number, number, number], reach };
}
