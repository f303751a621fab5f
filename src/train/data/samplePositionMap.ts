/**
 * Bilinear x, y of an HWC position map at a fractional pixel (u, v), clamped to the
 * map: reads a landmark's position where it falls between UV texels.
 *
 * ```ts
 * const [x, y] = samplePositionMap(map, 0, 256, 127.5, 60.25);
 * ```
 */
export function samplePositionMap(map: Float32Array, offset: number, side: number, u: number, v: number): [number, number] {
  const cu = Math.min(Math.max(u, 0), side - 1), cv = Math.min(Math.max(v, 0), side - 1);
  const u0 = Math.min(Math.floor(cu), side - 2), v0 = Math.min(Math.floor(cv), side - 2);
  const fu = cu - u0, fv = cv - v0;
  const at = (uu: number, vv: number, c: number) => map[offset + (vv * side + uu) * 3 + c]!;
  const lerp = (c: number) =>
    (1 - fv) * ((1 - fu) * at(u0, v0, c) + fu * at(u0 + 1, v0, c)) + fv * ((1 - fu) * at(u0, v0 + 1, c) + fu * at(u0 + 1, v0 + 1, c));
  return [lerp(0), lerp(1)];
}
