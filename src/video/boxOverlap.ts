/**
 * Intersection over union of two axis-aligned boxes `[x, y, w, h]`: 1 for the same box,
 * 0 for disjoint ones (and for empty boxes). How the tracker matches detections to faces.
 *
 * ```ts
 * boxOverlap([0, 0, 10, 10], [5, 0, 10, 10]); // 50 / 150 = 1/3
 * ```
 */
export function boxOverlap(a: readonly number[], b: readonly number[]): number {
  const [ax, ay, aw, ah] = a as [number, number, number, number];
  const [bx, by, bw, bh] = b as [number, number, number, number];
  if (!(aw > 0 && ah > 0 && bw > 0 && bh > 0)) return 0;
  const iw = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const ih = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  if (!(iw > 0 && ih > 0)) return 0;
  const inter = iw * ih;
  return inter / (aw * ah + bw * bh - inter);
}
