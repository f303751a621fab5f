/**
 * Issue 15, point 14, the parts Node can check: the demo reads the package's UV asset pack
 * (served and copied into the build) and a taken port gives one line naming PORT=.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { serveDemo, listenErrorMessage } from '../../scripts/serveDemo.js';
import { demoRoutes, resolveDemoRoute, REPO_ROOT } from '../../scripts/demoAssets.js';
import { loadWebUvAssets } from '../../src/web/loadWebUvAssets.js';
import { loadUvAssets, SHIPPED_UV_ASSETS_PATH } from '../../src/node/inference/uvAssets.js';

test('the demo serves the package\'s UV asset pack, copies it into the build, and the web loader reads it like Node', async () => {
  const routes = demoRoutes();
  const route = routes.find((r) => r.prefix === '/assets/');
  assert.ok(route?.emit, 'emitted into the build');
  assert.equal(resolveDemoRoute(routes, '/assets/uv-assets.bin'), SHIPPED_UV_ASSETS_PATH);
  const server = await serveDemo({ root: REPO_ROOT, routes });
  try {
    const web = await loadWebUvAssets({ baseUrl: `${server.url}assets/uv-assets.bin` });
    const node = await loadUvAssets();
    for (const k of ['faceIndices', 'keypointIndices', 'canonicalVertices', 'triangles', 'faceMask', 'eyesMask', 'weightMask'] as const) {
      assert.deepEqual(web[k], node[k], k);
    }
  } finally {
    await server.close();
  }
  // The page asks for the pack by default.
  assert.match(await readFile(new URL('../../web/main.ts', import.meta.url), 'utf8'), /params\.get\('data'\) \?\? 'assets\/uv-assets\.bin'/);
});

test('a taken port: one line that names PORT=', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const err = await serveDemo({ root: REPO_ROOT, port }).then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'listening on a taken port fails');
    const line = listenErrorMessage(err, port);
    assert.equal(line, `prnet demo: port ${port} is already in use; choose another one: PORT=8080 npm run demo`);
    assert.equal(listenErrorMessage(new Error('other'), port), undefined);
  } finally {
    blocker.close();
  }
});
