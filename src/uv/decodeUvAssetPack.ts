import type { UvAssets } from './uvAssets.js';
import { WEIGHT_MASK_SCALE } from './uvMasks.js';
import { faceTriangles } from './faceTriangles.js';
import {
  UV_ASSET_PACK_FORMAT, UV_ASSET_PACK_MAGIC, UV_ASSET_PACK_SECTIONS, UV_ASSET_PACK_VERSION,
  type UvAssetPackHeader, type UvAssetPackSection,
} from './uvAssetPackFormat.js';

/** A decoded pack: the assets and the header (provenance, licence). */
export interface DecodedUvAssetPack {
  /** The UV assets, as `uvAssetsFromFiles` gives them from the source files. */
  assets: UvAssets;
  /** The pack's header. */
  header: UvAssetPackHeader;
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function unshuffledVertices(planes: Uint8Array, count: number): Float32Array {
  const n = count * 3;
  const bytes = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) for (let b = 0; b < 4; b++) bytes[i * 4 + b] = planes[b * n + i]!;
  const dv = new DataView(bytes.buffer);
  const out = new Float32Array(n);
  for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = dv.getFloat32((c * count + i) * 4, true);
  return out;
}

/**
 * Decodes a UV asset pack (`uvAssetPackFormat.ts`) written by `encodeUvAssetPack`.
 * Isomorphic (the standard `DecompressionStream`). `name` labels errors: a wrong magic,
 * an unknown version, a truncated or corrupt payload, sizes that do not add up.
 *
 * ```ts
 * const { assets, header } = await decodeUvAssetPack(bytes, 'uv-assets.bin');
 * header.sha256['face_ind.txt']; // the official file's digest
 * ```
 */
export async function decodeUvAssetPack(bytes: Uint8Array, name = 'UV asset pack'): Promise<DecodedUvAssetPack> {
  const magic = new TextEncoder().encode(UV_ASSET_PACK_MAGIC);
  if (bytes.length < magic.length + 4 || magic.some((m, i) => bytes[i] !== m)) throw new Error(`${name}: not a prnet UV asset pack (wrong magic)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = dv.getUint32(magic.length, true);
  const start = magic.length + 4;
  if (start + headerLength > bytes.length) throw new Error(`${name}: truncated (header of ${headerLength} bytes, file of ${bytes.length})`);
  let header: UvAssetPackHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, start + headerLength))) as UvAssetPackHeader;
  } catch (err) {
    throw new Error(`${name}: corrupt header (${(err as Error).message})`);
  }
  if (header.format !== UV_ASSET_PACK_FORMAT || header.version !== UV_ASSET_PACK_VERSION) {
    throw new Error(`${name}: format ${header.format} version ${header.version}, this prnet reads ${UV_ASSET_PACK_FORMAT} version ${UV_ASSET_PACK_VERSION}`);
  }
  const { uvSize, vertexCount, keypointCount } = header;
  const pixels = uvSize * uvSize;
  const expected: Record<UvAssetPackSection, number> = {
    faceIndexMap: pixels, keypointIndices: keypointCount * 4, canonicalVertices: vertexCount * 12, faceMask: pixels, eyesMask: pixels, weightLevels: pixels,
  };
  for (const s of UV_ASSET_PACK_SECTIONS) {
    if (header.sections?.[s] !== expected[s]) throw new Error(`${name}: section ${s} has ${header.sections?.[s]} bytes, expected ${expected[s]}`);
  }
  let payload: Uint8Array;
  try {
    payload = await gunzip(bytes.subarray(start + headerLength));
  } catch (err) {
    throw new Error(`${name}: corrupt or truncated data (${(err as Error).message})`);
  }
  const total = UV_ASSET_PACK_SECTIONS.reduce((n, s) => n + expected[s], 0);
  if (payload.length !== total) throw new Error(`${name}: data holds ${payload.length} bytes, expected ${total}`);
  const section: Partial<Record<UvAssetPackSection, Uint8Array>> = {};
  let o = 0;
  for (const s of UV_ASSET_PACK_SECTIONS) {
    section[s] = payload.subarray(o, o + expected[s]);
    o += expected[s];
  }
  const faceIndices = new Uint32Array(vertexCount);
  let k = 0;
  section.faceIndexMap!.forEach((v, p) => {
    if (v && k < vertexCount) faceIndices[k] = p;
    if (v) k++;
  });
  if (k !== vertexCount) throw new Error(`${name}: ${k} face pixels, expected ${vertexCount}`);
  const kdv = new DataView(section.keypointIndices!.buffer, section.keypointIndices!.byteOffset, section.keypointIndices!.byteLength);
  const keypointIndices = new Uint32Array(keypointCount);
  for (let i = 0; i < keypointCount; i++) {
    keypointIndices[i] = kdv.getUint32(i * 4, true);
    if (keypointIndices[i]! >= pixels) throw new Error(`${name}: landmark ${i} at ${keypointIndices[i]} is outside the ${uvSize}×${uvSize} map`);
  }
  const weightMask = new Float32Array(pixels);
  section.weightLevels!.forEach((level, i) => { weightMask[i] = level * WEIGHT_MASK_SCALE; });
  const assets: UvAssets = {
    uvSize,
    faceIndices,
    keypointIndices,
    canonicalVertices: unshuffledVertices(section.canonicalVertices!, vertexCount),
    triangles: faceTriangles(faceIndices, uvSize),
    faceMask: section.faceMask!.slice(),
    eyesMask: section.eyesMask!.slice(),
    weightMask,
  };
  return { assets, header };
}
