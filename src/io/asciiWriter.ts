/**
 * A growable ASCII byte buffer with fast fixed-point and integer formatting, for
 * large text formats (OBJ): formatting digits by integer arithmetic into bytes is
 * several times faster than building and joining a string per number.
 */
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

  /** Appends a non-negative or negative integer. */
  int(v: number): this {
    this.reserve(24);
    if (v < 0) { this.buf[this.n++] = 45; v = -v; }
    if (v === 0) { this.buf[this.n++] = 48; return this; }
    const start = this.n;
    while (v > 0) { const q = Math.floor(v / 10); this.buf[this.n++] = 48 + (v - q * 10); v = q; }
    this.buf.subarray(start, this.n).reverse();
    return this;
  }

  /** Appends `v` with exactly `decimals` digits after the point, like `toFixed` (for |v| < 2^53 / 10^decimals). */
  fixed(v: number, decimals: number): this {
    if (!Number.isFinite(v)) return this.text(String(v));
    const scale = 10 ** decimals;
    let m = Math.round(Math.abs(v) * scale);
    if (v < 0 && m !== 0) this.char(45);
    const whole = Math.floor(m / scale);
    m -= whole * scale;
    this.int(whole);
    if (decimals > 0) {
      this.reserve(decimals + 1);
      this.buf[this.n++] = 46;
      for (let d = decimals - 1; d >= 0; d--) {
        const q = Math.floor(m / 10);
        this.buf[this.n + d] = 48 + (m - q * 10);
        m = q;
      }
      this.n += decimals;
    }
    return this;
  }

  /** The text written so far. */
  toString(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.n));
  }
}
