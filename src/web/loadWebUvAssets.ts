/**
 * The official UV assets over HTTP, for browsers: fetched from a base URL, PNG masks
 * decoded by the browser, everything else parsed by the isomorphic `uvAssetsFromFiles`.
 */
import type { UvAssets } from '../uv/uvAssets.js';
import { UV_ASSET_BASE_URL, UV_ASSET_FILES, type UvAssetFileName } from '../uv/uvAssetFiles.js';
import { UV_ASSET_PNG_FILES, uvAssetsFromFiles, type UvAssetFiles } from '../uv/uvAssetsFromFiles.js';
import { fetchBytes } from './fetchBytes.js';
import { decodeUvAssetPack } from '../uv/decodeUvAssetPack.js';
import { decodeImagePixels } from './decodeImagePixels.js';

/** Options of {@link loadWebUvAssets}. */
export interface LoadWebUvAssetsOptions {
  /**
   * Where the assets are: the URL of a UV asset pack (ending in `.bin`, e.g. the package's
   * `assets/uv-assets.bin`), or the base URL of the official `uv-data` files, `<baseUrl>/<name>`
   * (default: the official repository's raw files).
   */
  baseUrl?: string;
  /** Overall progress in 0…1 over the files. */
  onProgress?: (fraction: number) => void;
}

/** A URL naming a UV asset pack rather than a folder of official files. */
const UV_ASSET_PACK_URL = /\.bin(?:[?#].*)?$/i;

/**
 * Fetches and decodes the UV assets: one pack (0.34 MB), or the official files (about
 * 2.2 MB, fetched in parallel).
 *
 * ```ts
 * const assets = await loadWebUvAssets({ baseUrl: '/assets/uv-assets.bin' }); // or { baseUrl: '/uv-data' }
 * assets.triangles.length / 3; // 86907
 * ```
 */
export async function loadWebUvAssets(options: LoadWebUvAssetsOptions = {}): Promise<UvAssets> {
  const base = (options.baseUrl ?? UV_ASSET_BASE_URL).replace(/\/+$/, '');
  if (UV_ASSET_PACK_URL.test(base)) {
    // One compact file (0.34 MB), the same pack Node loads by default.
    const bytes = await fetchBytes(base, { what: `UV asset pack ${base}`, onProgress: options.onProgress });
    return (await decodeUvAssetPack(bytes, `UV asset pack ${base}`)).assets;
  }
  const fractions = new Map<UvAssetFileName, number>();
  const report = () => {
    let sum = 0;
    for (const f of fractions.values()) sum += Number.isFinite(f) ? f : 0;
    options.onProgress?.(sum / UV_ASSET_FILES.length);
  };
  const entries = await Promise.all(
    UV_ASSET_FILES.map(async (name) => {
      const url = `${base}/${name}`;
      const bytes = await fetchBytes(url, { what: `UV asset ${url}`, onProgress: (f) => { fractions.set(name, f); report(); } });
      if (!UV_ASSET_PNG_FILES.includes(name)) return [name, bytes] as const;
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' });
      return [name, await decodeImagePixels(blob, { name: `UV asset ${url}` })] as const;
    }),
  );
  try {
    return uvAssetsFromFiles(Object.fromEntries(entries) as unknown as UvAssetFiles);
  } catch (err) {
    throw new Error(`UV assets at ${base}: ${(err as Error).message}`);
  }
}
