/**
 * 68 random landmarks (x, y, z) whose eye centres, nose tip and mouth corners sit at given
 * points: the five points face alignment reads (`fivePointsFrom68`). Each eye's six points
 * spread symmetrically around its centre, so their mean is the centre.
 */
export function landmarksWithFive(five: ArrayLike<number>, random: () => number, o: { spread: number; range: number }): Float64Array {
  const l = Float64Array.from({ length: 68 * 3 }, () => random() * o.range);
  const put = (i: number, x: number, y: number) => { l[3 * i] = x; l[3 * i + 1] = y; };
  for (let k = 0; k < 6; k++) {
    const dx = Math.cos((k * Math.PI) / 3) * o.spread, dy = Math.sin((k * Math.PI) / 3) * (o.spread / 2);
    put(36 + k, five[0]! + dx, five[1]! + dy);
    put(42 + k, five[2]! + dx, five[3]! + dy);
  }
  put(30, five[4]!, five[5]!);
  put(48, five[6]!, five[7]!);
  put(54, five[8]!, five[9]!);
  return l;
}
