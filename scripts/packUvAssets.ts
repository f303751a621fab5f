/**
 * Makes the compact UV asset file shipped inside the package (`assets/uv-assets.bin`)
 * from the official PRNet files (github.com/YadiraF/PRNet, `Data/uv-data/`, MIT licence),
 * and writes their licence notice next to it (`assets/NOTICE-PRNet`: where the data comes from, then
 * the licence verbatim).
 *
 * Every source file is checked against its official sha256 (`src/uv/uvAssetFiles.ts`)
 * before anything is written, and the written pack is decoded again and compared array
 * by array with the assets read from the source files.
 *
 * ```sh
 * node --import tsx scripts/packUvAssets.ts                         # from ../shared/prnet-data
 * node --import tsx scripts/packUvAssets.ts --from PRNet/Data/uv-data --licence PRNet/LICENSE
 * node --import tsx scripts/packUvAssets.ts --check                 # compare the shipped pack, write nothing
 * ```
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { UvAssets } from '../src/uv/uvAssets.js';
import { UV_ASSET_BASE_URL, UV_ASSET_SHA256 } from '../src/uv/uvAssetFiles.js';
import { encodeUvAssetPack } from '../src/uv/encodeUvAssetPack.js';
import { decodeUvAssetPack } from '../src/uv/decodeUvAssetPack.js';
import { loadUvAssets, SHIPPED_UV_ASSETS_PATH } from '../src/node/inference/uvAssets.js';
import { writeFileAtomic } from '../src/node/files/atomicWrite.js';
import { REPO_ROOT } from './demoAssets.js';
import { withDefaults } from '../src/io/withDefaults.js';

/** Options of {@link packUvAssets}. */
export interface PackUvAssetsOptions {
  /** Folder with the official `uv-data` files. */
  from: string;
  /** The official licence file. */
  licence: string;
  /** Pack to write (or to compare with `check`). */
  out: string;
  /** Only compare `out` with a pack made now from `from`; write nothing. */
  check: boolean;
}

/** Defaults of {@link packUvAssets}: the shared copy of the official files, the shipped pack. */
export const PACK_UV_ASSETS_DEFAULTS: PackUvAssetsOptions = {
  from: path.resolve(REPO_ROOT, '../shared/prnet-data/uv-data'),
  licence: path.resolve(REPO_ROOT, '../shared/prnet-data/LICENSE-PRNet'),
  out: SHIPPED_UV_ASSETS_PATH,
  check: false,
};

/** Names of the arrays that differ between two asset sets (empty when identical). */
function differingArrays(a: UvAssets, b: UvAssets): string[] {
  const out: string[] = [];
  if (a.uvSize !== b.uvSize) out.push('uvSize');
  for (const k of ['faceIndices', 'keypointIndices', 'canonicalVertices', 'triangles', 'faceMask', 'eyesMask', 'weightMask'] as const) {
    const x = a[k];
    const y = b[k];
    if (x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]))) out.push(k);
  }
  return out;
}

/** Writes (or checks) the pack; resolves with its size in bytes. */
export async function packUvAssets(options: Partial<PackUvAssetsOptions> = {}): Promise<number> {
  const o = withDefaults(PACK_UV_ASSETS_DEFAULTS, options);
  // loadUvAssets checks each file against its official sha256 (verify is on by default).
  const assets = await loadUvAssets({ dataDir: o.from, download: false, verify: true });
  const licence = await readFile(o.licence, 'utf8');
  if (!/MIT License/.test(licence) || !/Yao Feng/.test(licence)) throw new Error(`${o.licence} is not the PRNet MIT licence`);
  const pack = await encodeUvAssetPack(assets, { origin: UV_ASSET_BASE_URL, sha256: { ...UV_ASSET_SHA256 }, licence });
  const again = await decodeUvAssetPack(pack);
  const bad = differingArrays(assets, again.assets);
  if (bad.length) throw new Error(`the new pack does not decode to the source files: ${bad.join(', ')} differ`);
  if (o.check) {
    const shipped = await decodeUvAssetPack(new Uint8Array(await readFile(o.out)), o.out);
    const diff = differingArrays(assets, shipped.assets);
    if (diff.length) throw new Error(`${o.out} differs from the files in ${o.from}: ${diff.join(', ')}`);
    if (shipped.header.licence !== licence) throw new Error(`${o.out}: its licence notice differs from ${o.licence}`);
    return pack.length;
  }
  await writeFileAtomic(o.out, pack);
  await writeFile(path.join(path.dirname(o.out), 'NOTICE-PRNet'), uvAssetsNotice(licence));
  return pack.length;
}

/** The notice shipped beside the pack: its origin, then PRNet's licence verbatim. */
export function uvAssetsNotice(licence: string): string {
  return `uv-assets.bin holds data derived from the official PRNet UV assets\n(https://github.com/YadiraF/PRNet, Data/uv-data), distributed under this licence:\n\n${licence}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { from: { type: 'string' }, licence: { type: 'string' }, out: { type: 'string', short: 'o' }, check: { type: 'boolean' } } });
  packUvAssets(values).then(
    (size) => console.log(`${values.check ? 'checked' : 'wrote'} ${values.out ?? PACK_UV_ASSETS_DEFAULTS.out} (${size} bytes)`),
    (err: unknown) => {
      console.error(`packUvAssets: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
