import test from 'node:test';
import { uvAssetsNotice } from '../../scripts/packUvAssets.js';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets, SHIPPED_UV_ASSETS_PATH } from '../../src/node/inference/uvAssets.js';
import { UV_ASSET_SHA256 } from '../../src/uv/uvAssetFiles.js';
import { encodeUvAssetPack } from '../../src/uv/encodeUvAssetPack.js';
import { decodeUvAssetPack } from '../../src/uv/decodeUvAssetPack.js';
import type { UvAssets } from '../../src/uv/uvAssets.js';

const sharedData = fileURLToPath(new URL('../../../shared/prnet-data/', import.meta.url));
const uvDir = path.join(sharedData, 'uv-data');
const ARRAYS = ['faceIndices', 'keypointIndices', 'canonicalVertices', 'triangles', 'faceMask', 'eyesMask', 'weightMask'] as const;

function assertSameAssets(got: UvAssets, want: UvAssets): void {
  assert.equal(got.uvSize, want.uvSize);
  for (const k of ARRAYS) {
    assert.equal(got[k].constructor, want[k].constructor, `${k} type`);
    assert.equal(got[k].length, want[k].length, `${k} length`);
    for (let i = 0; i < want[k].length; i++) if (!Object.is(got[k][i], want[k][i])) assert.fail(`${k}[${i}]: ${got[k][i]} != ${want[k][i]}`);
  }
}

test('the shipped pack decodes to exactly the official files, records their sha256 and the MIT notice', async () => {
  const official = await loadUvAssets({ dataDir: uvDir });
  const bytes = new Uint8Array(await readFile(SHIPPED_UV_ASSETS_PATH));
  assert.ok(bytes.length < 400_000, `compact: ${bytes.length} bytes (the official files are 2.2 MB)`);
  const { assets, header } = await decodeUvAssetPack(bytes);
  assertSameAssets(assets, official);
  assert.deepEqual(header.sha256, { ...UV_ASSET_SHA256 });
  const licence = await readFile(path.join(sharedData, 'LICENSE-PRNet'), 'utf8');
  assert.equal(header.licence, licence);
  const notice = await readFile(path.join(path.dirname(SHIPPED_UV_ASSETS_PATH), 'NOTICE-PRNet'), 'utf8');
  assert.equal(notice, uvAssetsNotice(licence), 'notice next to the pack: origin, then the licence verbatim');
  assert.ok(notice.endsWith(licence));
});

test('default lookup: the shipped pack, with an empty home, no PRNET_DATA and no network', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'prnet-uvpack-'));
  try {
    const official = await loadUvAssets({ dataDir: uvDir });
    // A download would fail: port 9 refuses connections.
    const a = await loadUvAssets({ env: { PRNET_HOME: home }, baseUrl: 'http://127.0.0.1:9/none' });
    assertSameAssets(a, official);
    // PRNET_DATA and dataDir still win over the pack.
    await assert.rejects(loadUvAssets({ env: { PRNET_HOME: home, PRNET_DATA: home } }), /face_ind\.txt is missing in /);
    await assert.rejects(loadUvAssets({ dataDir: home, env: { PRNET_HOME: home } }), /face_ind\.txt is missing in /);
    // Without the pack, the official files come from the cache (here: a failing download).
    await assert.rejects(loadUvAssets({ env: { PRNET_HOME: home }, shipped: path.join(home, 'absent.bin'), baseUrl: 'http://127.0.0.1:9/none' }), /cannot download/);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('a damaged or foreign pack is refused with a clear error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-uvpack-'));
  try {
    const good = new Uint8Array(await readFile(SHIPPED_UV_ASSETS_PATH));
    await assert.rejects(decodeUvAssetPack(new Uint8Array(good.length), 'x.bin'), /x\.bin: not a prnet UV asset pack/);
    await assert.rejects(decodeUvAssetPack(good.subarray(0, good.length - 5000), 'x.bin'), /x\.bin: corrupt or truncated data/);
    const flipped = good.slice();
    flipped[good.length - 100_000]! ^= 0x55;
    await assert.rejects(decodeUvAssetPack(flipped, 'x.bin'), /x\.bin: corrupt or truncated data|x\.bin: data holds/);
    // A pack made from other data is not taken for the official assets.
    const official = await loadUvAssets({ dataDir: uvDir });
    const other = await encodeUvAssetPack(official, { origin: 'elsewhere', sha256: { ...UV_ASSET_SHA256, 'face_ind.txt': '0'.repeat(64) }, licence: 'MIT' });
    const file = path.join(dir, 'other.bin');
    await writeFile(file, other);
    await assert.rejects(loadUvAssets({ env: { PRNET_HOME: dir }, shipped: file }), /not made from the official face_ind\.txt/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the encoder refuses what it cannot store exactly', async () => {
  const official = await loadUvAssets({ dataDir: uvDir });
  const info = { origin: 'x', sha256: {}, licence: 'MIT' };
  const shuffled = official.faceIndices.slice();
  [shuffled[0], shuffled[1]] = [shuffled[1]!, shuffled[0]!];
  await assert.rejects(encodeUvAssetPack({ ...official, faceIndices: shuffled }, info), /ascending/);
  const weights = official.weightMask.slice();
  weights[0] = 0.5;
  await assert.rejects(encodeUvAssetPack({ ...official, weightMask: weights }, info), /not a uv_weight_mask\.png level/);
  const mask = official.eyesMask.slice();
  mask[0] = 2;
  await assert.rejects(encodeUvAssetPack({ ...official, eyesMask: mask }, info), /eyes mask/);
});
