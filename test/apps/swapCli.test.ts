import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { constantFaceModel } from '../support/randomModel.js';
import { syntheticFace } from '../support/syntheticFace.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = path.resolve(root, '../shared');
const uvDir = path.join(shared, 'prnet-data/uv-data');

/** A temporary folder with a "network" that always answers with the canonical face filling the crop, and two fixture photos. */
async function swapSetup() {
  const assets = await loadUvAssets({ dataDir: uvDir, download: false });
  const { positionMap } = syntheticFace(assets, { scale: 0.85, tx: 128, ty: 135, tz: 120 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-swap-'));
  const model = path.join(dir, 'face.onnx');
  writeFileSync(model, constantFaceModel(positionMap));
  return {
    dir, model,
    source: path.join(shared, 'fixtures/aflw2000-sample/image00002.jpg'),
    target: path.join(shared, 'fixtures/aflw2000-sample/image00004.jpg'),
  };
}

test('prnet swap blends one fixture face into another and keeps the rest of the photo', async () => {
  const { dir, model, source, target } = await swapSetup();
  const out = path.join(dir, 'swap.png');
  const r = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'swap', source, target, '-o', out, '--model', model, '--data-dir', uvDir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const a = await decodeImage(out);
  const b = await decodeImage(target);
  assert.equal(a.width, b.width);
  let changed = 0, corners = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    const d = Math.abs(a.data[3 * p]! - b.data[3 * p]!) + Math.abs(a.data[3 * p + 1]! - b.data[3 * p + 1]!);
    if (d > 30) changed++;
    const x = p % a.width, y = Math.floor(p / a.width);
    if ((x < 20 || x >= a.width - 20) && (y < 20 || y >= a.height - 20) && d !== 0) corners++;
  }
  assert.ok(changed > 2000, `only ${changed} pixels changed`);
  assert.equal(corners, 0, 'pixels far from the face changed');

  const bad = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'swap', path.join(dir, 'missing.jpg'), target, '-o', path.join(dir, 'x.png'), '--model', model, '--data-dir', uvDir], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /missing\.jpg/);
  assert.ok(!existsSync(path.join(dir, 'x.png')));
});

test('prnet swap: format from the extension, folder created, face choice, exit codes 1 and 2', async () => {
  const { dir, model, source, target } = await swapSetup();
  const swap = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'swap', source, target, '--model', model, ...args], { encoding: 'utf8' });
  // JPEG and WebP by extension, into a folder that does not exist yet.
  for (const [name, magic] of [['sub/dir/out.jpg', [0xff, 0xd8, 0xff]], ['sub/out.webp', [0x52, 0x49, 0x46, 0x46]], ['out.PNG', [0x89, 0x50, 0x4e, 0x47]]] as const) {
    const out = path.join(dir, name);
    const r = swap('-o', out);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([...readFileSync(out).subarray(0, magic.length)], [...magic], name);
  }
  // Usage errors: exit 2, one line, nothing written.
  const bmp = swap('-o', path.join(dir, 'x.bmp'));
  assert.equal(bmp.status, 2, bmp.stderr);
  assert.match(bmp.stderr, /x\.bmp: unknown image type; end the name with \.png, \.jpg, \.jpeg, \.webp/);
  assert.ok(!existsSync(path.join(dir, 'x.bmp')));
  assert.equal(swap('-o', path.join(dir, 'y.png'), '--blend', 'soft').status, 2);
  assert.equal(swap('-o', path.join(dir, 'y.png'), '--source-face', '-1').status, 2);
  // A face index the photo does not have: an input failure, exit 1.
  const none = swap('-o', path.join(dir, 'z.png'), '--target-face', '3');
  assert.equal(none.status, 1, none.stderr);
  assert.match(none.stderr, /image00004\.jpg: has 1 face, no face 3/);
  assert.doesNotMatch(none.stderr + bmp.stderr, /\.tmp/);
  assert.ok(!existsSync(path.join(dir, 'z.png')));
});
