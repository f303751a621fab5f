/** Two ASCII digits per value 0…99: `DIGIT_PAIRS[2k]`, `DIGIT_PAIRS[2k + 1]`. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let k = 0; k < 100; k++) {
  DIGIT_PAIRS[2 * k] = 48 + Math.floor(k / 10);
  DIGIT_PAIRS[2 * k + 1] = 48 + (k % 10);
}
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Four ASCII digits per value 0…9999 (the default 4 decimals in one table look-up). */
const DIGIT_QUADS = new Uint8Array(40000);
for (let k = 0; k < 10000; k++) {
  DIGIT_QUADS[4 * k] = 48 + Math.floor(k / 1000);
  DIGIT_QUADS[4 * k + 1] = 48 + (Math.floor(k / 100) % 10);
  DIGIT_QUADS[4 * k + 2] = 48 + (Math.floor(k / 10) % 10);
  DIGIT_QUADS[4 * k + 3] = 48 + (k % 10);
}

/**
 * Writes `v` at `out[at…]` with exactly `decimals` (0…9) digits after the point and
 * returns the offset after it, or `-1` (nothing written) when the fast path does not
 * apply: `v` not finite or `|v|·10^decimals` rounding to 2^31 or more. The text is
 * {@link AsciiWriter.fixed}'s: `toFixed`'s, except that a value rounding to zero has
 * no minus sign. Digits go two at a time from a table, by int32 arithmetic.
 * `out` must have `12 + decimals` bytes free at `at` (sign, 10 whole digits, point,
 * decimals); `decimals` outside 0…9 always returns `-1`.
 *
 * ```ts
 * at = writeFixed(bytes, at, -1.5, 2); // "-1.50"
 * ```
 */
export function writeFixed(out: Uint8Array, at: number, v: number, decimals: number): number {
  const scale = POW10[decimals]!;
  const x = Math.abs(v) * scale;
  if (!(x < 2147483647)) return -1; // also NaN and ±Infinity
  // Math.round's data-dependent branch mispredicts about every other number (it was a
  // third of the time). For a float32 value (every mesh the pipeline makes)
  // x = |v|·10^d is exact (24 + 21 bits for d ≤ 9) and so is x + 0.5, hence
  // floor(x + 0.5), one branch-free instruction, equals Math.round(x).
  // From here on int32 arithmetic: divisions by constants become multiplications.
  const mi = (Math.fround(v) === v ? Math.floor(x + 0.5) : Math.round(x)) | 0;
  let whole: number;
  if (decimals === 4) whole = (mi / 10000) | 0;
  else if (decimals === 6) whole = (mi / 1000000) | 0;
  else whole = (mi / scale) | 0;
  let frac = (mi - whole * scale) | 0;
  if (v < 0 && mi !== 0) out[at++] = 45;
  // Whole part: count its digits, then fill pairs from the right.
  const wd = whole < 10 ? 1 : whole < 100 ? 2 : whole < 1000 ? 3 : whole < 1e4 ? 4 : whole < 1e5 ? 5
    : whole < 1e6 ? 6 : whole < 1e7 ? 7 : whole < 1e8 ? 8 : whole < 1e9 ? 9 : 10;
  let i = at + wd;
  let w = whole;
  while (w >= 100) {
    const q = (w / 100) | 0;
    const r = (w - 100 * q) << 1;
    out[--i] = DIGIT_PAIRS[r + 1]!;
    out[--i] = DIGIT_PAIRS[r]!;
    w = q;
  }
  if (w >= 10) {
    out[--i] = DIGIT_PAIRS[(w << 1) + 1]!;
    out[--i] = DIGIT_PAIRS[w << 1]!;
  } else out[--i] = 48 + w;
  at += wd;
  if (decimals === 0) return at;
  out[at] = 46;
  if (decimals === 4) {
    const q = frac << 2;
    out[at + 1] = DIGIT_QUADS[q]!;
    out[at + 2] = DIGIT_QUADS[q + 1]!;
    out[at + 3] = DIGIT_QUADS[q + 2]!;
    out[at + 4] = DIGIT_QUADS[q + 3]!;
    return at + 5;
  }
  // Fraction: exactly `decimals` digits, zero-padded, from the right.
  let j = at + 1 + decimals;
  let d = decimals;
  while (d >= 2) {
    const q = (frac / 100) | 0;
    const r = (frac - 100 * q) << 1;
    out[--j] = DIGIT_PAIRS[r + 1]!;
    out[--j] = DIGIT_PAIRS[r]!;
    frac = q;
    d -= 2;
  }
  if (d === 1) out[--j] = 48 + frac;
  return at + 1 + decimals;
}

/** The four ASCII digits of 0…9999 as a little-endian uint32 (`"0042"` for 42). */
const QUAD32 = new Uint32Array(10000);
for (let k = 0; k < 10000; k++) QUAD32[k] = (DIGIT_QUADS[4 * k]! | (DIGIT_QUADS[4 * k + 1]! << 8) | (DIGIT_QUADS[4 * k + 2]! << 16) | (DIGIT_QUADS[4 * k + 3]! << 24)) >>> 0;
/** A whole part 0…999 and the point, `"7."`, `"42."`, `"123."`, as little-endian uint32 bytes (unused bytes 0); its length in WHOLE_POINT_LENGTH. */
const WHOLE_POINT = new Uint32Array(1000);
const WHOLE_POINT_LENGTH = new Uint8Array(1000);
for (let k = 0; k < 1000; k++) {
  const s = `${k}.`;
  let w = 0;
  for (let i = 0; i < s.length; i++) w |= s.charCodeAt(i) << (8 * i);
  WHOLE_POINT[k] = w >>> 0;
  WHOLE_POINT_LENGTH[k] = s.length;
}

/**
 * {@link writeFixed} with 4 decimals (the writers' default), for the hot loops: the
 * same text, but a value below 1000 in magnitude is written with three stores (sign,
 * whole part and point, four decimals) from two tables, through `view` (a DataView of
 * exactly `out`'s bytes: same buffer, offset and length), without branches on the digits.
 * Byte loads and stores from a table were the cost of the general path; a number is
 * about 5 ns this way against 15 (the face's 263,202 numbers: 1.4 against 4 ms). Anything
 * else goes to {@link writeFixed}, and `-1` means the same. `out` must have 16 bytes free at `at` (the last store may reach 3
 * bytes past the number).
 *
 * ```ts
 * const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
 * at = writeFixed4(bytes, view, at, -0.00004); // "0.0000"
 * ```
 */
export function writeFixed4(out: Uint8Array, view: DataView, at: number, v: number): number {
  const x = Math.abs(v) * 10000;
  if (!(x < 9999999.5)) return writeFixed(out, at, v, 4); // ≥ 999.99995, NaN, ±Infinity
  // As in writeFixed: floor(x + 0.5) is Math.round(x) for a float32 v (x is exact).
  const mi = (Math.fround(v) === v ? Math.floor(x + 0.5) : Math.round(x)) | 0;
  const whole = (mi / 10000) | 0;
  out[at] = 45; // a minus sign, kept only if the value does not round to zero
  at += v < 0 && mi !== 0 ? 1 : 0;
  view.setUint32(at, WHOLE_POINT[whole]!, true);
  at += WHOLE_POINT_LENGTH[whole]!;
  view.setUint32(at, QUAD32[mi - whole * 10000]!, true);
  return at + 4;
}
