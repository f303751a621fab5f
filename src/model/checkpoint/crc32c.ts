/**
 * CRC-32C (Castagnoli), the checksum of TensorFlow checkpoints and LevelDB tables,
 * and the "masking" both apply before storing a CRC (a CRC of data that embeds CRCs
 * is weak, so stored CRCs are rotated and offset).
 */

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

/** Slicing-by-8 tables: 8 × 256 entries, so the hot loop handles 8 bytes per step. */
const TABLE = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/**
 * CRC-32C of `bytes`. Pass the CRC of the preceding bytes as `crc` to continue a
 * running checksum: `crc32c(b, crc32c(a)) === crc32c(a ++ b)`.
 *
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  const t = TABLE;
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const lo = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c = t[7 * 256 + (lo & 0xff)]! ^ t[6 * 256 + ((lo >>> 8) & 0xff)]! ^ t[5 * 256 + ((lo >>> 16) & 0xff)]! ^ t[4 * 256 + (lo >>> 24)]!
      ^ t[3 * 256 + (hi & 0xff)]! ^ t[2 * 256 + ((hi >>> 8) & 0xff)]! ^ t[256 + ((hi >>> 16) & 0xff)]! ^ t[(hi >>> 24) & 0xff]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const MASK_DELTA = 0xa282ead8;

/**
 * The masked form TensorFlow and LevelDB store: rotate right by 15 bits, add a constant.
 *
 * ```ts
 * maskCrc32c(crc32c(new Uint8Array(4))); // 974224294, as stored for a float32 zero
 * ```
 */
export function maskCrc32c(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc32c}. `unmaskCrc32c(maskCrc32c(c)) === c`. */
export function unmaskCrc32c(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
