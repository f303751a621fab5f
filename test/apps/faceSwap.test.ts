import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { faceSwap } from '../../src/apps/faceSwap.js';
import { fillTexture } from '../../src/render/fillTexture.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { syntheticFace } from '../support/syntheticFace.js';
import { picture } from '../support/picture.js';

const shared = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared');
const assetsPromise = loadUvAssets({ dataDir: path.join(shared, 'prnet-data/uv-data'), download: false });


test('fillTexture mirrors hidden texels first, then grows known colours inward', () => {
  const w = 8, h = 4;
  const tex = picture(w, h, (x, y, c) => (x < 4 ? 10 * x + y + c : 0));
  const known = Uint8Array.from({ length: w * h }, (_, i) => (i % w < 4 ? 1 : 0));
  known[1 * w + 2] = 0; // a hole on the known side whose mirror (x = 5) is unknown too
  const face = new Uint8Array(w * h).fill(1);
  face[3 * w + 7] = 0; // outside the face: untouched
  const out = fillTexture(tex, known, face);
  // x = 6 mirrors x = 1.
  assert.deepEqual(Array.from(out.data.slice(3 * (0 * w + 6), 3 * (0 * w + 6) + 3)), [10, 11, 12]);
  assert.equal(out.data[3 * (3 * w + 7)], 0);
  // The hole at (2, 1) has known neighbours (1,1), (3,1), (2,0), (2,2): their mean.
  const mean = (11 + 31 + 20 + 22) / 4;
  assert.equal(out.data[3 * (1 * w + 2)], Math.round(mean));
});

test('a face swap changes the face region and nothing outside it', async () => {
  const assets = await assetsPromise;
  const target = picture(320, 300, (x, y, c) => 90 + 60 * Math.sin(x / 17 + c) + 40 * Math.cos(y / 23));
  const source = picture(300, 320, (x, y, c) => (c === 0 ? 220 : 40) + 20 * Math.sin((x + y) / 9));
  const dst = syntheticFace(assets, { scale: 0.9, tx: 160, ty: 150, yaw: 20 });
  const src = syntheticFace(assets, { scale: 1.0, tx: 150, ty: 165, yaw: -10 });
  const { image, mask } = faceSwap(target, dst, source, src, assets);
  let inside = 0, diff = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) {
      for (let c = 0; c < 3; c++) assert.equal(image.data[3 * p + c], target.data[3 * p + c], `outside pixel ${p} changed`);
      continue;
    }
    inside++;
    diff += Math.abs(image.data[3 * p]! - target.data[3 * p]!);
  }
  assert.ok(inside > 20000, `face covers ${inside} pixels`);
  assert.ok(diff / inside > 15, `mean red change inside the face ${diff / inside}`);

  const eyes = faceSwap(target, dst, source, src, assets, { region: 'eyes' });
  let changedFace = 0, changedEyes = 0;
  for (let p = 0; p < mask.length; p++) {
    if (Math.abs(image.data[3 * p]! - target.data[3 * p]!) > 20) changedFace++;
    if (Math.abs(eyes.image.data[3 * p]! - target.data[3 * p]!) > 20) changedEyes++;
  }
  assert.ok(changedEyes > 20 && changedEyes < changedFace / 5, `eyes changed ${changedEyes}, face ${changedFace}`);
});

test('swapping a face with itself leaves the photo nearly as it was', async () => {
  const assets = await assetsPromise;
  const photo = picture(300, 300, (x, y, c) => 100 + 50 * Math.sin(x / 13 + c) + 30 * Math.cos(y / 19));
  const face = syntheticFace(assets, { scale: 0.9, tx: 150, ty: 150, yaw: 35 });
  const { image, mask } = faceSwap(photo, face, photo, face, assets);
  let inside = 0, diff = 0;
  for (let p = 0; p < mask.length; p++) if (mask[p]) { inside++; diff += Math.abs(image.data[3 * p]! - photo.data[3 * p]!); }
  assert.ok(diff / inside < 4, `mean change ${diff / inside}`);
});
