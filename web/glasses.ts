/**
 * A pair of glasses as line strips in a face's frame (metres: origin midway between the eye
 * centres, x to the face's left, y up, z out of the face), drawn on the demo's picture
 * through each face's perspective pose (`face.camera`): the AR use of that pose, without a
 * 3D engine.
 */

/** Lens radius, centre offset from mid-eyes, and how far in front of the eyes the frame sits, metres. */
const LENS_RADIUS = 0.022, LENS_OFFSET = 0.032, FRONT = 0.014, TEMPLE_BACK = 0.1;

/** The glasses' line strips, each `n × 3` numbers. */
export function glassesStrips(): Float64Array[] {
  const strips: Float64Array[] = [];
  for (const side of [-1, 1]) {
    const lens: number[] = [];
    for (let k = 0; k <= 48; k++) {
      const a = (2 * Math.PI * k) / 48;
      lens.push(side * LENS_OFFSET + LENS_RADIUS * Math.cos(a), 0.85 * LENS_RADIUS * Math.sin(a), FRONT);
    }
    strips.push(Float64Array.from(lens));
    // The temple: from the lens's outer edge back over the ear.
    const outer = side * (LENS_OFFSET + LENS_RADIUS);
    strips.push(Float64Array.of(outer, 0.004, FRONT, outer + side * 0.012, 0.006, FRONT - 0.01, outer + side * 0.016, 0.004, FRONT - TEMPLE_BACK));
  }
  // The bridge over the nose.
  const inner = LENS_OFFSET - LENS_RADIUS;
  strips.push(Float64Array.of(-inner, 0.004, FRONT, -inner / 2, 0.009, FRONT + 0.004, inner / 2, 0.009, FRONT + 0.004, inner, 0.004, FRONT));
  return strips;
}
