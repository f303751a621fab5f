/**
 * CRC-32C (Castagnoli), the checksum of TensorFlow checkpoints and LevelDB tables,
 * and the "masking" both apply before storing a CRC (a CRC of data that embeds CRCs
 * is weak, so stored CRCs are rotated and offset).
 */
// SheetJS's crc-32 (its crc32c.js; slicing-by-16 tables) replaced a hand-written
// slicing-by-8 loop: the same values, as fast or faster over 64 MB (`npm run bench -- checkpoint`).
import CRC32C from 'crc-32/crc32c.js';

/**
 * CRC-32C of `bytes`. Pass the CRC of the preceding bytes as `crc` to continue a
 * running checksum: `crc32c(b, crc32c(a)) === crc32c(a ++ b)`.
 *
 * ```ts
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 * ```
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  return CRC32C.buf(bytes, crc) >>> 0;
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
