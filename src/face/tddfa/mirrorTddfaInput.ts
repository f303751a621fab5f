/**
 * Mirrors one NCHW 3DDFA input in place, left to right (column c ↔ size − 1 − c in every
 * plane): the teacher's view of the mirrored face. Landmarks predicted on it map back to the
 * original image by x ↦ (size − 1)·(side / size) + 2·x0 − x for a crop box starting at x0,
 * with left and right landmarks swapped.
 *
 * ```ts
 * tddfaInput(image, roi, { out: input, offset });
 * mirrorTddfaInput(input, offset);
 * ```
 */
export function mirrorTddfaInput(input: Float32Array, offset = 0, size = 120): Float32Array {
  for (let c = 0; c < 3; c++) for (let y = 0; y < size; y++) {
    const row = offset + c * size * size + y * size;
    for (let x = 0; x < size >> 1; x++) {
      const a = input[row + x]!;
      input[row + x] = input[row + size - 1 - x]!;
      input[row + size - 1 - x] = a;
    }
  }
  return input;
}
