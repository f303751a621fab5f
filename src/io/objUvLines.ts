import { AsciiWriter } from './asciiWriter.js';
import { topologyBytes } from './topologyCache.js';
import { writeFixed } from './writeFixed.js';

/**
 * The `vt` lines of a textured OBJ, as ASCII bytes: per vertex its UV texel centre,
 * `vt u v` with `u = (x + 0.5) / uvSize`, `v = 1 − (y + 0.5) / uvSize` (6 decimals,
 * `faceIndices[i] = y·uvSize + x`). They depend only on the UV assets, so they are
 * written once per face-index array and size, then copied (see {@link topologyBytes}).
 * The bytes returned are shared: copy them, never change them.
 *
 * ```ts
 * out.set(objUvLines(assets.faceIndices, 256), at);
 * ```
 */
export function objUvLines(faceIndices: Uint32Array | Int32Array, uvSize: number): Uint8Array {
  return topologyBytes(faceIndices, `obj vt ${uvSize}`, () => writeUv(faceIndices, uvSize));
}

function writeUv(faceIndices: Uint32Array | Int32Array, n: number): Uint8Array {
  let out = new Uint8Array(faceIndices.length * 41 + 64);
  let o = 0;
  /** Fast digits, or (NaN, huge) AsciiWriter's text: the same as toFixed's. */
  const put = (v: number): void => {
    if (out.length - o < 64) {
      const next = new Uint8Array(2 * out.length);
      next.set(out.subarray(0, o));
      out = next;
    }
    const end = writeFixed(out, o, v, 6);
    if (end >= 0) { o = end; return; }
    const s = new AsciiWriter().fixed(v, 6).toString();
    if (out.length - o < s.length + 64) {
      const next = new Uint8Array(2 * out.length + s.length);
      next.set(out.subarray(0, o));
      out = next;
    }
    for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
  };
  for (let i = 0; i < faceIndices.length; i++) {
    const k = faceIndices[i]!;
    out[o++] = 118; // vt
    out[o++] = 116;
    out[o++] = 32;
    put(((k % n) + 0.5) / n);
    out[o++] = 32;
    put(1 - (Math.floor(k / n) + 0.5) / n);
    out[o++] = 10;
  }
  return out.slice(0, o);
}
