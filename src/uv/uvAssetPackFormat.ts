/**
 * The compact UV asset file shipped inside the package (`assets/uv-assets.bin`), made
 * from the official PRNet files by `scripts/packUvAssets.ts`. Layout:
 *
 * - 8 bytes magic {@link UV_ASSET_PACK_MAGIC};
 * - uint32 little-endian byte length of the header, then the header as UTF-8 JSON
 *   ({@link UvAssetPackHeader}: sizes, the official files' sha256, the licence notice);
 * - the payload, gzip-compressed (its CRC-32 guards the data): the sections of
 *   {@link UV_ASSET_PACK_SECTIONS}, in that order, back to back.
 *
 * Everything {@link UvAssets} holds is stored exactly (the triangles are derived again
 * with `faceTriangles`), so a pack decodes to the same arrays as the official files.
 */

/** First 8 bytes of a pack. */
export const UV_ASSET_PACK_MAGIC = 'PRNETUV1';

/** `format` field of the header. */
export const UV_ASSET_PACK_FORMAT = 'prnet-uv-assets';

/** Header version this code writes and reads. */
export const UV_ASSET_PACK_VERSION = 1;

/**
 * Payload sections, in order:
 * - `faceIndexMap`: uvSize² bytes, 1 at the face-vertex pixels (`face_ind.txt` lists them in ascending order);
 * - `keypointIndices`: keypointCount × uint32 LE, flat UV indices of the 68 landmarks;
 * - `canonicalVertices`: vertexCount × 3 float32, stored component-major (all x, all y, all z)
 *   and split into 4 byte planes (compresses 15 % better than interleaved floats);
 * - `faceMask`, `eyesMask`: uvSize² bytes, 0/1;
 * - `weightLevels`: uvSize² bytes, the `uv_weight_mask.png` levels (weight = level · `WEIGHT_MASK_SCALE`).
 */
export const UV_ASSET_PACK_SECTIONS = ['faceIndexMap', 'keypointIndices', 'canonicalVertices', 'faceMask', 'eyesMask', 'weightLevels'] as const;

/** Name of one payload section. */
export type UvAssetPackSection = (typeof UV_ASSET_PACK_SECTIONS)[number];

/** The JSON header of a pack. */
export interface UvAssetPackHeader {
  /** Always {@link UV_ASSET_PACK_FORMAT}. */
  format: string;
  /** {@link UV_ASSET_PACK_VERSION}. */
  version: number;
  /** Side of the UV map (256). */
  uvSize: number;
  /** Face vertices (43,867). */
  vertexCount: number;
  /** Landmarks (68). */
  keypointCount: number;
  /** Where the source files come from. */
  origin: string;
  /** sha256 of each source file the pack was made from (checked by the packing script). */
  sha256: Record<string, string>;
  /** The source files' licence notice, verbatim. */
  licence: string;
  /** Byte length of each payload section, in {@link UV_ASSET_PACK_SECTIONS} order. */
  sections: Record<UvAssetPackSection, number>;
}
