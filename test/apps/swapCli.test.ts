import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/uvAssets.js';
import { decodeImage } from '../../src/node/decodeImage.js';
import { constantFaceModel } from '../support/randomModel.js';
import { syntheticFace } from '../support/syntheticFace.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = path.resolve(root, '../shared');
const uvDir = path.join(shared, 'prnet-data/uv-data');

test('prnet swap blends one fixture face into another and keeps the rest of the photo', async () => {
  const assets = await loadUvAssets({ dataDir: uvDir, download: false });
  // A "network" that always answers with the canonical face filling the crop.
  const { positionMap } = syntheticFace(assets, { scale: 0.85, tx: 128, ty: 135, tz: 120 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-swap-'));
  const model = path.join(dir, 'face.onnx');
  writeFileSync(model, constantFaceModel(positionMap));
  const source = path.join(shared, 'fixtures/aflw2000-sample/image00002.jpg');
  const target = path.join(shared, 'fixtures/aflw2000-sample/image00004.jpg');
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
