/**
 * A growable ASCII byte buffer with fast fixed-point and integer formatting, for
 * large text formats (OBJ): formatting digits by integer arithmetic into bytes is
 * several times faster than building and joining a string per number.
 */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export class AsciiWriter {
  private buf = new Uint8Array(1 << 16);
  private n = 0;

  private reserve(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  /** Appends an ASCII string. */
  text(s: string): this {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i);
    return this;
  }

  /** Appends one character code. */
  char(code: number): this {
    this.reserve(1);
    this.buf[this.n++] = code;
    return this;
  }

  /** Appends an integer. */
  int(v: number): this {
    return this.fixed(v, 0);
  }

  /** Appends `v` with exactly `decimals` digits after the point, like `toFixed` (for |v| < 2^53 / 10^decimals). */
  fixed(v: number, decimals: number): this {
    if (!Number.isFinite(v)) return this.text(String(v));
    const scale = decimals < POW10.length ? POW10[decimals]! : 10 ** decimals;
    let m = Math.round(Math.abs(v) * scale);
    const whole = Math.floor(m / scale);
    let wholeDigits = 1;
    for (let p = 10; p <= whole; p *= 10) wholeDigits++;
    const negative = v < 0 && m !== 0;
    const length = (negative ? 1 : 0) + wholeDigits + (decimals > 0 ? decimals + 1 : 0);
    this.reserve(length);
    const buf = this.buf;
    if (negative) buf[this.n] = 45;
    // Digits right to left; int32 division while m fits (the common case, much faster).
    let i = this.n + length - 1;
    for (let d = 0; d < decimals; d++) {
      const q = m < 2147483648 ? (m / 10) | 0 : Math.floor(m / 10);
      buf[i--] = 48 + (m - q * 10);
      m = q;
    }
    if (decimals > 0) buf[i--] = 46;
    do {
      const q = m < 2147483648 ? (m / 10) | 0 : Math.floor(m / 10);
      buf[i--] = 48 + (m - q * 10);
      m = q;
    } while (m > 0);
    this.n += length;
    return this;
  }

  /** The text written so far. */
  toString(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.n));
  }
}
