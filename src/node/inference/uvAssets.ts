import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { UvAssets } from '../../uv/uvAssets.js';
import { UV_ASSET_BASE_URL, UV_ASSET_FILES, UV_ASSET_SHA256, type UvAssetFileName } from '../../uv/uvAssetFiles.js';
import { UV_ASSET_PNG_FILES, uvAssetsFromFiles, type UvAssetFiles } from '../../uv/uvAssetsFromFiles.js';
import type { DecodedPixels } from '../../uv/uvMasks.js';
import { decodeUvAssetPack } from '../../uv/decodeUvAssetPack.js';
import { prnetHome } from '../weights/prnetHome.js';
import { withDefaults } from '../../io/withDefaults.js';
import { writeFileAtomic } from '../files/atomicWrite.js';

/**
 * The UV assets shipped inside the package: a compact copy of the official MIT-licensed
 * files made by `scripts/packUvAssets.ts` (licence notice in `assets/NOTICE-PRNet`).
 */
export const SHIPPED_UV_ASSETS_PATH = fileURLToPath(new URL('../../../assets/uv-assets.bin', import.meta.url));

/** Options of {@link loadUvAssets}. */
export interface LoadUvAssetsOptions {
  /** Directory holding the official `uv-data` files. Default: `$PRNET_DATA`, else the shipped copy, else `<prnetHome>/uv-data`. */
  dataDir?: string;
  /**
   * The shipped pack to use when neither `dataDir` nor `$PRNET_DATA` is set
   * (default {@link SHIPPED_UV_ASSETS_PATH}); `false` skips it and reads (or downloads)
   * the official files in the cache.
   */
  shipped?: string | false;
  /** Download missing files into the cache directory (never into an explicit `dataDir` or `$PRNET_DATA`). */
  download?: boolean;
  /** Base URL for downloads, `<baseUrl>/<name>` (tests point this at a local server). */
  baseUrl?: string;
  /** Check every file's sha256 against the official digests. */
  verify?: boolean;
  /** Environment to read `PRNET_DATA` / `PRNET_HOME` from. */
  env?: NodeJS.ProcessEnv;
}

/** Defaults of {@link loadUvAssets}. */
export const LOAD_UV_ASSETS_DEFAULTS = {
  shipped: SHIPPED_UV_ASSETS_PATH as string | false,
  download: true,
  baseUrl: UV_ASSET_BASE_URL,
  verify: true,
};

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Resolves the UV data directory: `dataDir`, else `$PRNET_DATA`, else the cache
 * `<prnetHome>/uv-data`. `isCache` says whether files may be downloaded into it.
 */
export function resolveUvDataDir(options: Pick<LoadUvAssetsOptions, 'dataDir' | 'env'> = {}): { dir: string; isCache: boolean } {
  const env = options.env ?? process.env;
  if (options.dataDir) return { dir: path.resolve(options.dataDir), isCache: false };
  if (env.PRNET_DATA) return { dir: path.resolve(env.PRNET_DATA), isCache: false };
  return { dir: path.join(prnetHome(env), 'uv-data'), isCache: true };
}

async function download(url: string, dest: string, expected: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`cannot download ${url}: ${(err as Error).message} (offline? point --data-dir or PRNET_DATA at a copy of the official Data/uv-data folder)`);
  }
  if (!res.ok) throw new Error(`cannot download ${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const got = sha256(bytes);
  if (got !== expected) throw new Error(`downloaded ${url} has sha256 ${got}, expected ${expected}`);
  // A crash never leaves a half file.
  await writeFileAtomic(dest, bytes);
  return bytes;
}

/** Reads one asset file's bytes (downloading it into the cache if allowed) and checks its digest. */
async function assetBytes(name: UvAssetFileName, dir: string, mayDownload: boolean, options: typeof LOAD_UV_ASSETS_DEFAULTS): Promise<Uint8Array> {
  const file = path.join(dir, name);
  const expected = UV_ASSET_SHA256[name];
  let bytes: Uint8Array | undefined;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!bytes) {
    if (!mayDownload) {
      throw new Error(`UV asset ${name} is missing in ${dir} (set --data-dir / PRNET_DATA to the official PRNet Data/uv-data folder)`);
    }
    await mkdir(dir, { recursive: true });
    return download(`${options.baseUrl}/${name}`, file, expected);
  }
  if (options.verify) {
    const got = sha256(bytes);
    if (got !== expected) {
      throw new Error(`UV asset ${file} is corrupt: sha256 ${got}, expected ${expected} (delete it to download it again)`);
    }
  }
  return bytes;
}

async function decodePng(bytes: Uint8Array, name: string): Promise<DecodedPixels> {
  try {
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new Error(`${name}: cannot decode PNG: ${(err as Error).message}`);
  }
}

/**
 * Reads the shipped pack; undefined when it is absent. The pack must have been made
 * from the official files (its recorded sha256 sums must be the official ones).
 */
async function shippedAssets(file: string): Promise<UvAssets | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const { assets, header } = await decodeUvAssetPack(bytes, file);
  for (const name of UV_ASSET_FILES) {
    if (header.sha256[name] !== UV_ASSET_SHA256[name]) throw new Error(`${file}: not made from the official ${name} (sha256 ${header.sha256[name]}, expected ${UV_ASSET_SHA256[name]})`);
  }
  return assets;
}

/**
 * Loads the PRNet UV assets in Node, from the first of: `dataDir`; `$PRNET_DATA`; the
 * copy shipped in the package ({@link SHIPPED_UV_ASSETS_PATH}, no network needed); the
 * per-user cache (downloading missing official files there). Official files are checked
 * against their sha256.
 *
 * ```ts
 * const assets = await loadUvAssets();                                          // shipped copy
 * const same = await loadUvAssets({ dataDir: '../shared/prnet-data/uv-data' }); // official files
 * assets.triangles.length / 3; // 86907
 * ```
 */
export async function loadUvAssets(options: LoadUvAssetsOptions = {}): Promise<UvAssets> {
  const opts = withDefaults(LOAD_UV_ASSETS_DEFAULTS, options);
  const { dir, isCache } = resolveUvDataDir(options);
  if (isCache && opts.shipped) {
    const shipped = await shippedAssets(opts.shipped);
    if (shipped) return shipped;
  }
  const mayDownload = isCache && opts.download;
  const files: Partial<Record<UvAssetFileName, Uint8Array | DecodedPixels>> = {};
  for (const name of UV_ASSET_FILES) {
    const bytes = await assetBytes(name, dir, mayDownload, opts);
    files[name] = UV_ASSET_PNG_FILES.includes(name) ? await decodePng(bytes, path.join(dir, name)) : bytes;
  }
  try {
    return uvAssetsFromFiles(files as UvAssetFiles);
  } catch (err) {
    throw new Error(`UV assets in ${dir}: ${(err as Error).message}`);
  }
}
