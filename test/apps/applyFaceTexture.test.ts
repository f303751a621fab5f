import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { applyFaceTexture } from '../../src/apps/applyFaceTexture.js';
import { uvTexture } from '../../src/render/uvTexture.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { syntheticFace } from '../support/syntheticFace.js';
import { picture } from '../support/picture.js';

const shared = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared');
const assetsPromise = loadUvAssets({ dataDir: path.join(shared, 'prnet-data/uv-data'), download: false });


const RED = [210, 25, 30];

/** A photo with a synthetic face, a red UV texture, and the alpha of a UV square in the middle of the face at a given value. */
async function patchSetup() {
  const assets = await assetsPromise;
  const photo = picture(300, 300, (x, y, c) => 110 + 50 * Math.sin(x / 13 + c) + 30 * Math.cos(y / 19));
  const face = syntheticFace(assets, { scale: 0.9, tx: 150, ty: 150, yaw: 15 });
  const size = assets.uvSize;
  const red: RgbImage = { width: size, height: size, data: Uint8Array.from({ length: 3 * size * size }, (_, i) => RED[i % 3]!) };
  const patch = (value: number) => Uint8Array.from({ length: size * size }, (_, t) => (t % size >= 100 && t % size < 156 && Math.floor(t / size) >= 120 && Math.floor(t / size) < 160 ? value : 0));
  return { assets, photo, face, red, patch };
}

test('applyFaceTexture: an opaque patch turns its part of the face to the patch\'s colour, half alpha halfway, zero alpha leaves the face as its own texture renders it', async () => {
  const { assets, photo, face, red, patch } = await patchSetup();
  const opts = { blend: 'none' as const };
  const none = applyFaceTexture(photo, face, red, assets, { ...opts, alpha: patch(0) });
  const full = applyFaceTexture(photo, face, red, assets, { ...opts, alpha: patch(255) });
  const half = applyFaceTexture(photo, face, red, assets, { ...opts, alpha: patch(128) });
  // Zero alpha: the mixed texture is the photo's own, exactly.
  assert.deepEqual(none.texture.data, uvTexture(photo, face.positionMap).data);
  let solid = 0, changed = 0;
  for (let p = 0; p < 300 * 300; p++) {
    const px = (img: RgbImage) => [0, 1, 2].map((c) => img.data[3 * p + c]!);
    const [n, f, h] = [px(none.image), px(full.image), px(half.image)];
    if (!none.mask[p]) {
      for (let c = 0; c < 3; c++) assert.equal(f[c], photo.data[3 * p + c], `outside pixel ${p} changed`);
      continue;
    }
    if (f.some((v, c) => v !== n[c])) changed++;
    // Where the patch covers the whole pixel (the render is the patch's colour), half alpha is halfway.
    if (f.every((v, c) => Math.abs(v - RED[c]!) <= 1)) {
      solid++;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(h[c]! - (n[c]! + RED[c]!) / 2) <= 2, `pixel ${p}: half ${h}, none ${n}`);
    }
  }
  const facePixels = none.mask.reduce((a, b) => a + b, 0);
  assert.ok(solid > 300, `${solid} pixels fully under the patch`);
  assert.ok(changed >= solid && changed < facePixels / 3, `${changed} of ${facePixels} face pixels changed by a patch of ${(56 * 40)} of ${assets.faceIndices.length} texels`);
  // The Poisson blend keeps the patch's pixels reddish, and blends only where the patch
  // reaches: the rest of the face and the photo keep their exact values.
  const blended = applyFaceTexture(photo, face, red, assets, { alpha: patch(255) });
  let reddish = 0, reach = 0;
  for (let p = 0; p < 300 * 300; p++) {
    if (!blended.mask[p]) for (let c = 0; c < 3; c++) assert.equal(blended.image.data[3 * p + c], photo.data[3 * p + c], `pixel ${p} outside the patch's reach changed`);
    else {
      reach++;
      if (Math.abs(full.image.data[3 * p]! - RED[0]!) <= 1 && blended.image.data[3 * p]! > blended.image.data[3 * p + 1]! + 60) reddish++;
    }
  }
  assert.ok(reddish > 0.8 * solid, `${reddish} of ${solid} patch pixels reddish after blending`);
  assert.ok(reach >= solid && reach < facePixels / 3, `blended over ${reach} pixels of a ${facePixels}-pixel face`);
});

test('applyFaceTexture blend over: only the texture\'s own texels are painted, by their alpha; every other pixel keeps its exact value', async () => {
  const { assets, photo, face, red, patch } = await patchSetup();
  const full = applyFaceTexture(photo, face, red, assets, { blend: 'over', alpha: patch(255) });
  const half = applyFaceTexture(photo, face, red, assets, { blend: 'over', alpha: patch(128) });
  const none = applyFaceTexture(photo, face, red, assets, { blend: 'over', alpha: patch(0) });
  assert.deepEqual(none.image.data, photo.data, 'alpha 0 everywhere: the photo, bit for bit');
  assert.equal(none.mask.reduce((a, b) => a + b, 0), 0);
  // Against 'none' (the whole face re-rendered and pasted): where the patch covers a pixel fully, the same red.
  const pasted = applyFaceTexture(photo, face, red, assets, { blend: 'none', alpha: patch(255) });
  let solid = 0, touched = 0;
  for (let p = 0; p < 300 * 300; p++) {
    const f = [0, 1, 2].map((c) => full.image.data[3 * p + c]!);
    const changed = f.some((v, c) => v !== photo.data[3 * p + c]);
    if (!full.mask[p]) {
      assert.ok(!changed, `pixel ${p} outside the painted region changed`);
      continue;
    }
    touched++;
    if (f.every((v, c) => Math.abs(v - RED[c]!) <= 1)) {
      solid++;
      for (let c = 0; c < 3; c++) {
        assert.ok(Math.abs(pasted.image.data[3 * p + c]! - RED[c]!) <= 1, `pixel ${p}: over and none disagree where the patch is opaque`);
        assert.ok(Math.abs(half.image.data[3 * p + c]! - (photo.data[3 * p + c]! + RED[c]!) / 2) <= 1.5, `pixel ${p}: half alpha is not halfway`);
      }
    }
  }
  assert.ok(solid > 300 && touched < 3 * solid, `${solid} pixels painted solid of ${touched} touched`);
});

test('applyFaceTexture refuses a texture, alpha or region of the wrong size', async () => {
  const assets = await assetsPromise;
  const photo = picture(64, 64, () => 100);
  const face = syntheticFace(assets, { scale: 0.2, tx: 32, ty: 32 });
  const tex = (w: number): RgbImage => ({ width: w, height: w, data: new Uint8Array(3 * w * w) });
  assert.throws(() => applyFaceTexture(photo, face, tex(128), assets), /a UV texture is 256×256, got 128×128/);
  assert.throws(() => applyFaceTexture(photo, face, tex(256), assets, { alpha: new Uint8Array(10) }), /alpha has 10 texels, expected 65536/);
  assert.throws(() => applyFaceTexture(photo, face, tex(256), assets, { region: new Uint8Array(10) }), /region mask has 10 texels/);
});
