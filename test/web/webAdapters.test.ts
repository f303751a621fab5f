/**
 * The demo's Node-testable pieces: RGBA → RGB, fetch with progress, and the static server
 * (isolation headers, routes, no path escapes). The browser-only parts are covered by
 * `demo.test.ts`.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rgbFromRgba } from '../../src/web/rgbFromRgba.js';
import { fetchBytes } from '../../src/web/fetchBytes.js';
import { serveDemo } from '../../scripts/serveDemo.js';
import { resolveDemoRoute, type DemoRoute } from '../../scripts/demoAssets.js';
import { seededRandom } from '../support/random.js';

test('rgbFromRgba drops alpha, pixel by pixel, like a naive loop', () => {
  const rng = seededRandom(11);
  const [w, h] = [7, 5];
  const rgba = Uint8ClampedArray.from({ length: w * h * 4 }, () => Math.floor(rng() * 256));
  const img = rgbFromRgba(rgba, w, h);
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    assert.equal(img.data[(y * w + x) * 3 + c], rgba[(y * w + x) * 4 + c]);
  }
  assert.throws(() => rgbFromRgba(rgba, w, h + 1), /needs 168 bytes, got 140/);
  assert.throws(() => rgbFromRgba(rgba, 0, h), /positive integers/);
});

test('fetchBytes returns the body, reports progress up to 1, and names the file on errors', async () => {
  const rng = seededRandom(5);
  const body = Uint8Array.from({ length: 300_000 }, () => Math.floor(rng() * 256));
  const server = createServer((req, res) => {
    if (req.url === '/file.bin') {
      res.writeHead(200, { 'Content-Length': String(body.length) });
      // Several writes, so progress is reported more than once.
      for (let i = 0; i < body.length; i += 65536) res.write(body.subarray(i, i + 65536));
      res.end();
    } else if (req.url === '/chunked.bin') {
      res.writeHead(200);
      res.end(body.subarray(0, 1000));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const fractions: number[] = [];
    const got = await fetchBytes(`${base}/file.bin`, { onProgress: (f) => fractions.push(f) });
    assert.deepEqual(got, body);
    assert.ok(fractions.length >= 2, `progress reported ${fractions.length} times`);
    for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i]! >= fractions[i - 1]!, 'progress never goes back');
    assert.equal(fractions.at(-1), 1);
    const unknown: number[] = [];
    assert.equal((await fetchBytes(`${base}/chunked.bin`, { onProgress: (f) => unknown.push(f) })).length, 1000);
    assert.equal(unknown.at(-1), 1);
    await assert.rejects(fetchBytes(`${base}/missing.onnx`, { what: 'model missing.onnx' }), /cannot fetch model missing\.onnx: HTTP 404/);
  } finally {
    server.close();
  }
});

test('demo server: isolation headers on every response, routes with allow-lists, no escapes', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-serve-'));
  const site = path.join(dir, 'site');
  const data = path.join(dir, 'data');
  await mkdir(site);
  await mkdir(data);
  await writeFile(path.join(site, 'index.html'), '<!doctype html><p>demo</p>');
  await writeFile(path.join(data, 'face_ind.txt'), '1 2 3');
  await writeFile(path.join(data, 'secret.txt'), 'no');
  await writeFile(path.join(dir, 'outside.txt'), 'outside');
  const routes: DemoRoute[] = [{ prefix: '/uv-data/', dirs: [data], files: ['face_ind.txt'], emit: false }];
  assert.equal(resolveDemoRoute(routes, '/uv-data/face_ind.txt'), path.join(data, 'face_ind.txt'));
  assert.equal(resolveDemoRoute(routes, '/uv-data/secret.txt'), undefined);
  assert.equal(resolveDemoRoute(routes, '/uv-data/../outside.txt'), undefined);
  const { url, close } = await serveDemo({ root: site, routes });
  try {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /demo/);
    const asset = await fetch(`${url}uv-data/face_ind.txt`);
    assert.equal(await asset.text(), '1 2 3');
    assert.equal(asset.headers.get('cross-origin-embedder-policy'), 'require-corp');
    for (const bad of ['uv-data/secret.txt', '..%2Foutside.txt', '%2e%2e/outside.txt', 'nothing.js']) {
      const res = await fetch(`${url}${bad}`);
      assert.equal(res.status, 404, bad);
      assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp', `${bad}: headers on errors too`);
    }
  } finally {
    await close();
    await rm(dir, { recursive: true, force: true });
  }
});
