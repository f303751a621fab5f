import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  downloadOfficialCheckpoint, OFFICIAL_CHECKPOINT_FILES, officialCheckpointPrefix, officialFileUrl, officialModelPath, type OfficialFile,
} from '../../../src/node/weights/weightsCache.js';
import { makeOfficialLikeCheckpoint } from '../../support/checkpointFixture.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const OFFICIAL_INDEX = readFileSync(new URL('../../../../shared/prnet-data/net-data/256_256_resfcn256_weight.index', import.meta.url));
const run = promisify(execFile);

async function serve(routes: Record<string, Buffer | number>) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    seen.push(u.pathname);
    const body = routes[u.pathname];
    if (body === undefined || typeof body === 'number') { res.writeHead(typeof body === 'number' ? body : 404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('official file table and cache layout', () => {
  assert.equal(OFFICIAL_CHECKPOINT_FILES.data.size, 160_290_984);
  assert.equal(OFFICIAL_CHECKPOINT_FILES.index.size, OFFICIAL_INDEX.length);
  assert.equal(officialFileUrl('data'), 'https://drive.usercontent.google.com/download?id=1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH&export=download&confirm=t');
  assert.equal(officialFileUrl('data', { googleDriveBaseUrl: 'http://127.0.0.1:9' }), 'http://127.0.0.1:9/download?id=1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH&export=download&confirm=t');
  assert.equal(officialFileUrl('index', { urls: { index: 'http://m/i' } }), 'http://m/i');
  assert.equal(officialCheckpointPrefix('/h'), path.join('/h', 'weights', '256_256_resfcn256_weight'));
  assert.equal(officialModelPath('/h', true), path.join('/h', 'models', 'resfcn256-fp16.onnx'));
});

test('downloadOfficialCheckpoint: verified index is kept, a wrong data file is rejected and deleted, cached files are not fetched again', async () => {
  const s = await serve({ '/index': OFFICIAL_INDEX, '/download': Buffer.alloc(1000, 1) });
  const home = mkdtempSync(path.join(os.tmpdir(), 'prnet-home-'));
  try {
    const events: string[] = [];
    const opts = {
      home, urls: { index: `${s.base}/index` }, googleDriveBaseUrl: s.base, retries: 0,
      onFile: (f: OfficialFile, action: string) => events.push(`${action} ${f.fileName}`),
    };
    await assert.rejects(downloadOfficialCheckpoint(opts), /^Error: http:\/\/127\.0\.0\.1:\d+\/download\?id=1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH&export=download&confirm=t serves a file of 1000 bytes, expected 160290984/);
    const indexPath = `${officialCheckpointPrefix(home)}.index`;
    assert.deepEqual(readFileSync(indexPath), OFFICIAL_INDEX);
    assert.ok(!existsSync(`${officialCheckpointPrefix(home)}.data-00000-of-00001`));
    assert.ok(!existsSync(`${officialCheckpointPrefix(home)}.data-00000-of-00001.part`));
    assert.deepEqual(events, ['download 256_256_resfcn256_weight.index', 'download 256_256_resfcn256_weight.data-00000-of-00001']);
    events.length = 0;
    s.seen.length = 0;
    await assert.rejects(downloadOfficialCheckpoint(opts));
    assert.equal(events[0], 'cached 256_256_resfcn256_weight.index');
    assert.ok(!s.seen.includes('/index'), 'a verified cached file is not downloaded again');
  } finally { await s.close(); rmSync(home, { recursive: true, force: true }); }
});

test('prnet weights download: an HTTP error exits non-zero with a one-line message', async () => {
  const s = await serve({ '/index': OFFICIAL_INDEX, '/data': 404 });
  const home = mkdtempSync(path.join(os.tmpdir(), 'prnet-home-'));
  try {
    const env = { ...process.env, PRNET_HOME: home, PRNET_CHECKPOINT_INDEX_URL: `${s.base}/index`, PRNET_CHECKPOINT_DATA_URL: `${s.base}/data` };
    await assert.rejects(run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'weights', 'download'], { cwd: REPO, env }),
      (e: { code: number; stderr: string }) => e.code === 1 && e.stderr.includes(`prnet: download failed: HTTP 404 Not Found from ${s.base}/data\n`));
  } finally { await s.close(); rmSync(home, { recursive: true, force: true }); }
});

test('prnet weights download --from converts local files (warning they are not official); weights path lists the model', async () => {
  const files = await makeOfficialLikeCheckpoint();
  const home = mkdtempSync(path.join(os.tmpdir(), 'prnet-home-'));
  try {
    const env = { ...process.env, PRNET_HOME: home };
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'weights', 'download', '--from', files.prefix, '--fp16'], { cwd: REPO, env });
    assert.match(r.stderr, /warning: .*256_256_resfcn256_weight\.data-00000-of-00001 is not the official/);
    const model = officialModelPath(home, true);
    assert.ok(statSync(model).size > 20e6 && statSync(model).size < 35e6, 'fp16 model of 13.35 M parameters');
    const p = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'weights', 'path'], { cwd: REPO, env });
    assert.equal(p.stdout.split('\n')[0], home);
    assert.match(p.stdout, /resfcn256-fp16\.onnx {2}\d+\.\d MB/);
  } finally { rmSync(home, { recursive: true, force: true }); }
});
