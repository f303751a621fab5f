import { topologyBytes } from './topologyCache.js';

/** Two ASCII digits per value 0…99. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let k = 0; k < 100; k++) {
  DIGIT_PAIRS[2 * k] = 48 + Math.floor(k / 10);
  DIGIT_PAIRS[2 * k + 1] = 48 + (k % 10);
}

/**
 * The `f` lines of an OBJ, as ASCII bytes: `f a b c` (1-based), or `f a/a b/b c/c`
 * when `textured`, with the second and third corner swapped when `reverse`. The text
 * depends only on the triangle list, which is the same for every face of a model, so
 * it is written once and kept per triangle array (see {@link topologyBytes}: an array
 * changed in place is noticed and rewritten).
 * The bytes returned are shared: copy them, never change them.
 *
 * ```ts
 * out.set(objFaceLines(assets.triangles, true, false), at);
 * ```
 */
export function objFaceLines(triangles: Uint32Array | Int32Array, reverse: boolean, textured: boolean): Uint8Array {
  return topologyBytes(triangles, `obj f${reverse ? ' reverse' : ''}${textured ? ' textured' : ''}`, () => writeFaces(triangles, reverse, textured));
}

/** Writes `n` (a whole number, 0 ≤ n ≤ 2^32) at `at`, returns the offset after it. */
function writeIndex(out: Uint8Array, at: number, n: number): number {
  if (n >= 2147483648) {
    const s = String(n);
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
    return at + s.length;
  }
  const len = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5
    : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  let i = at + len;
  while (n >= 100) {
    const q = (n / 100) | 0;
    const r = 2 * (n - 100 * q);
    out[--i] = DIGIT_PAIRS[r + 1]!;
    out[--i] = DIGIT_PAIRS[r]!;
    n = q;
  }
  if (n >= 10) {
    out[--i] = DIGIT_PAIRS[2 * n + 1]!;
    out[--i] = DIGIT_PAIRS[2 * n]!;
  } else out[--i] = 48 + n;
  return at + len;
}

function writeFaces(triangles: Uint32Array | Int32Array, reverse: boolean, textured: boolean): Uint8Array {
  const m = Math.floor(triangles.length / 3);
  // Per line at most "f " + 3 × (10 digits [+ "/" + 10 digits]) + 2 spaces + "\n".
  const out = new Uint8Array(m * (textured ? 68 : 35));
  let o = 0;
  for (let t = 0; t < m; t++) {
    // As uint32 (like toYUp's copy), then 1-based.
    const a = (triangles[3 * t]! >>> 0) + 1;
    const b = (triangles[3 * t + (reverse ? 2 : 1)]! >>> 0) + 1;
    const c = (triangles[3 * t + (reverse ? 1 : 2)]! >>> 0) + 1;
    out[o++] = 102; // f
    out[o++] = 32;
    o = writeIndex(out, o, a);
    if (textured) { out[o++] = 47; o = writeIndex(out, o, a); }
    out[o++] = 32;
    o = writeIndex(out, o, b);
    if (textured) { out[o++] = 47; o = writeIndex(out, o, b); }
    out[o++] = 32;
    o = writeIndex(out, o, c);
    if (textured) { out[o++] = 47; o = writeIndex(out, o, c); }
    out[o++] = 10;
  }
  return out.slice(0, o);
}
