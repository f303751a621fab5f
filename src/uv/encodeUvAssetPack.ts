import type { UvAssets } from './uvAssets.js';
import { WEIGHT_MASK_SCALE } from './uvMasks.js';
import {
  UV_ASSET_PACK_FORMAT, UV_ASSET_PACK_MAGIC, UV_ASSET_PACK_SECTIONS, UV_ASSET_PACK_VERSION,
  type UvAssetPackHeader, type UvAssetPackSection,
} from './uvAssetPackFormat.js';

/** What a pack records besides the arrays. */
export interface EncodeUvAssetPackOptions {
  /** Where the source files come from (e.g. the official repository's folder). */
  origin: string;
  /** sha256 of each source file. */
  sha256: Record<string, string>;
  /** The source files' licence notice, stored verbatim. */
  licence: string;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function uint32Le(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(i * 4, v, true));
  return out;
}

/** `count` vertices as float32 LE, component-major (x…, y…, z…), then split into 4 byte planes. */
function shuffledVertices(v: Float32Array, count: number): Uint8Array {
  const n = count * 3;
  const bytes = new Uint8Array(n * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) dv.setFloat32((c * count + i) * 4, v[i * 3 + c]!, true);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < n; i++) for (let b = 0; b < 4; b++) out[b * n + i] = bytes[i * 4 + b]!;
  return out;
}

/**
 * Encodes {@link UvAssets} into the compact pack format of `uvAssetPackFormat.ts`
 * (about 0.35 MB for the official assets, against 2.2 MB of source files). Refuses
 * assets it could not store exactly: face indices out of ascending order, weights that
 * are not `uv_weight_mask.png` levels, masks that are not 0/1.
 *
 * ```ts
 * const pack = await encodeUvAssetPack(assets, { origin, sha256, licence });
 * ```
 */
export async function encodeUvAssetPack(assets: UvAssets, options: EncodeUvAssetPackOptions): Promise<Uint8Array> {
  const { uvSize, faceIndices, keypointIndices, canonicalVertices } = assets;
  const pixels = uvSize * uvSize;
  const vertexCount = faceIndices.length;
  const faceIndexMap = new Uint8Array(pixels);
  for (let i = 0; i < vertexCount; i++) {
    if (i > 0 && faceIndices[i]! <= faceIndices[i - 1]!) throw new Error(`face index ${i} (${faceIndices[i]}) is not above the previous one: the pack stores ascending indices only`);
    faceIndexMap[faceIndices[i]!] = 1;
  }
  if (canonicalVertices.length !== vertexCount * 3) throw new Error(`canonical vertices: ${canonicalVertices.length} values for ${vertexCount} vertices`);
  const binary = (name: string, m: Uint8Array): Uint8Array => {
    if (m.length !== pixels || m.some((v) => v > 1)) throw new Error(`${name}: expected ${pixels} values of 0 or 1`);
    return m;
  };
  const weightLevels = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const level = Math.round(assets.weightMask[i]! / WEIGHT_MASK_SCALE);
    if (level < 0 || level > 255 || Math.fround(level * WEIGHT_MASK_SCALE) !== assets.weightMask[i]) throw new Error(`weight mask value ${assets.weightMask[i]} at ${i} is not a uv_weight_mask.png level`);
    weightLevels[i] = level;
  }
  const sections: Record<UvAssetPackSection, Uint8Array> = {
    faceIndexMap,
    keypointIndices: uint32Le(keypointIndices),
    canonicalVertices: shuffledVertices(canonicalVertices, vertexCount),
    faceMask: binary('face mask', assets.faceMask),
    eyesMask: binary('eyes mask', assets.eyesMask),
    weightLevels,
  };
  const header: UvAssetPackHeader = {
    format: UV_ASSET_PACK_FORMAT,
    version: UV_ASSET_PACK_VERSION,
    uvSize,
    vertexCount,
    keypointCount: keypointIndices.length,
    origin: options.origin,
    sha256: options.sha256,
    licence: options.licence,
    sections: Object.fromEntries(UV_ASSET_PACK_SECTIONS.map((s) => [s, sections[s].length])) as Record<UvAssetPackSection, number>,
  };
  const payload = new Uint8Array(UV_ASSET_PACK_SECTIONS.reduce((n, s) => n + sections[s].length, 0));
  let o = 0;
  for (const s of UV_ASSET_PACK_SECTIONS) {
    payload.set(sections[s], o);
    o += sections[s].length;
  }
  const compressed = await gzip(payload);
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const magic = new TextEncoder().encode(UV_ASSET_PACK_MAGIC);
  const out = new Uint8Array(magic.length + 4 + headerBytes.length + compressed.length);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(magic.length, headerBytes.length, true);
  out.set(headerBytes, magic.length + 4);
  out.set(compressed, magic.length + 4 + headerBytes.length);
  return out;
}
