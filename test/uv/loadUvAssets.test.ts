import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile, readdir, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets, resolveUvDataDir } from '../../src/node/inference/uvAssets.js';
import { UV_ASSET_FILES } from '../../src/uv/uvAssetFiles.js';

const uvDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));

test('loads the official assets from a data dir', async () => {
  const a = await loadUvAssets({ dataDir: uvDir });
  assert.equal(a.uvSize, 256);
  assert.equal(a.faceIndices.length, 43867);
  assert.equal(a.canonicalVertices.length, 43867 * 3);
  assert.ok(Math.abs(a.canonicalVertices[0]! - -80.75020625) < 1e-4);
  assert.equal(a.triangles.length, 86907 * 3);
  // face mask = exactly the face_ind pixels
  let maskCount = 0;
  for (const m of a.faceMask) maskCount += m;
  assert.equal(maskCount, 43867);
  for (const p of a.faceIndices) assert.equal(a.faceMask[p], 1);
  // weight levels: 16 at the 68 landmarks, 4 and 3 for regions, 0 at the neck
  const hist = new Map<number, number>();
  for (const w of a.weightMask) hist.set(Math.round(w), (hist.get(Math.round(w)) ?? 0) + 1);
  assert.equal(hist.get(16), 68);
  assert.ok(hist.get(3)! > 50000 && hist.get(4)! > 10000 && hist.get(0)! > 0);
  for (const k of a.keypointIndices) assert.ok(Math.abs(a.weightMask[k]! - 16) < 1e-5);
  let eyes = 0;
  for (let i = 0; i < a.eyesMask.length; i++) {
    eyes += a.eyesMask[i]!;
    if (a.eyesMask[i]) assert.equal(a.faceMask[i], 1, 'eye pixels lie inside the face');
  }
  assert.equal(eyes, 411);
});

test('data dir resolution: option, PRNET_DATA, cache', () => {
  assert.deepEqual(resolveUvDataDir({ dataDir: '/x/y', env: { PRNET_DATA: '/a' } }), { dir: '/x/y', isCache: false });
  assert.deepEqual(resolveUvDataDir({ env: { PRNET_DATA: '/a' } }), { dir: '/a', isCache: false });
  assert.deepEqual(resolveUvDataDir({ env: { PRNET_HOME: '/h' } }), { dir: '/h/uv-data', isCache: true });
  if (process.platform === 'linux') assert.deepEqual(resolveUvDataDir({ env: { XDG_CACHE_HOME: '/c' } }), { dir: '/c/prnet/uv-data', isCache: true });
});

test('missing files are downloaded into the cache, verified, written atomically', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'prnet-uv-'));
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const url = req.url ?? '';
    const name = path.basename(url);
    requests.push(name);
    try {
      const body = await readFile(path.join(uvDir, name));
      if (url.startsWith('/uv-data/')) res.writeHead(200).end(body);
      else if (url.startsWith('/tampered/')) res.writeHead(200).end(Buffer.concat([body, Buffer.from(' ')]));
      else res.writeHead(404).end();
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = `${root}/uv-data`;
  try {
    const cache = path.join(home, 'uv-data');
    const env = { PRNET_HOME: home };
    const a = await loadUvAssets({ env, baseUrl, shipped: false });
    assert.equal(a.triangles.length, 86907 * 3);
    assert.deepEqual(requests.sort(), [...UV_ASSET_FILES].sort());
    assert.deepEqual((await readdir(cache)).sort(), [...UV_ASSET_FILES].sort(), 'no temp files left');
    // second load: everything cached, no requests
    requests.length = 0;
    await loadUvAssets({ env, baseUrl, shipped: false });
    assert.equal(requests.length, 0);
    // a corrupt cached file is reported with its sha256
    await writeFile(path.join(cache, 'uv_kpt_ind.txt'), '1 2\n3 4\n');
    await assert.rejects(loadUvAssets({ env, baseUrl, shipped: false }), /uv_kpt_ind\.txt is corrupt: sha256 [0-9a-f]{64}, expected 158f329a/);
    // a 404 and a server that serves wrong bytes: download rejected, nothing written
    await rm(path.join(cache, 'uv_kpt_ind.txt'));
    await assert.rejects(loadUvAssets({ env, baseUrl: `${root}/nothing`, shipped: false }), /cannot download .*uv_kpt_ind\.txt: HTTP 404/);
    await assert.rejects(loadUvAssets({ env, baseUrl: `${root}/tampered`, shipped: false }), /downloaded .*uv_kpt_ind\.txt has sha256 [0-9a-f]{64}, expected 158f329a/);
    assert.deepEqual((await readdir(cache)).sort(), UV_ASSET_FILES.filter((f) => f !== 'uv_kpt_ind.txt').sort());
  } finally {
    server.close();
    await rm(home, { recursive: true, force: true });
  }
});

test('explicit data dir with a missing file: clear error, no download', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-uv-'));
  try {
    for (const f of UV_ASSET_FILES) if (f !== 'uv_face.png') await copyFile(path.join(uvDir, f), path.join(dir, f));
    await assert.rejects(loadUvAssets({ dataDir: dir, baseUrl: 'http://127.0.0.1:9/none' }), (err: Error) => {
      assert.match(err.message, /uv_face\.png is missing in /);
      assert.ok(err.message.includes(dir));
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
