import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import sharp from 'sharp';
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
  // A file where the output's folder would be: said so, not mkdir's "EEXIST".
  writeFileSync(path.join(dir, 'a-file'), 'not a folder\n');
  const inTheWay = swap('-o', path.join(dir, 'a-file', 'out.png'));
  assert.equal(inTheWay.status, 2, inTheWay.stderr);
  assert.match(inTheWay.stderr, /a-file\/out\.png: cannot create its folder \(.*a-file is a file\)\n$/);
  // It is found before any photo is read: a missing photo is not what is reported.
  const early = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'swap', path.join(dir, 'missing.jpg'), target, '--model', model, '-o', path.join(dir, 'a-file', 'out.png')], { encoding: 'utf8' });
  assert.equal(early.status, 2, early.stderr);
  assert.match(early.stderr, /cannot create its folder/);
  assert.equal(swap('-o', path.join(dir, 'y.png'), '--source-face', '-1').status, 2);
  // A face index the photo does not have: an input failure, exit 1.
  const none = swap('-o', path.join(dir, 'z.png'), '--target-face', '3');
  assert.equal(none.status, 1, none.stderr);
  assert.match(none.stderr, /image00004\.jpg: has 1 face, no face 3/);
  assert.doesNotMatch(none.stderr + bmp.stderr, /\.tmp/);
  assert.ok(!existsSync(path.join(dir, 'z.png')));
});

test('prnet swap --source-uv: texture editing, the face\'s own texture from --outputs texture with a painted patch goes back onto the photo; the patch\'s alpha decides', async () => {
  const { dir, model, target } = await swapSetup();
  const prnet = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), ...args, '--model', model, '--data-dir', uvDir], { encoding: 'utf8' });
  const rec = prnet('reconstruct', target, '-o', path.join(dir, 'rec'), '--outputs', 'texture', '--force');
  assert.equal(rec.status, 0, rec.stderr);
  const own = await sharp(path.join(dir, 'rec/image00004_0_texture.png')).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([own.info.width, own.info.height, own.info.channels], [256, 256, 3]);
  // The texture painted on: an opaque blue square on a transparent layer over the face's own texture.
  const rgba = Buffer.alloc(256 * 256 * 4);
  for (let t = 0; t < 256 * 256; t++) {
    const inSquare = t % 256 >= 100 && t % 256 < 156 && Math.floor(t / 256) >= 120 && Math.floor(t / 256) < 160;
    for (let c = 0; c < 3; c++) rgba[4 * t + c] = inSquare ? [20, 40, 230][c]! : own.data[3 * t + c]!;
    rgba[4 * t + 3] = inSquare ? 255 : 0;
  }
  const edited = path.join(dir, 'edited.png');
  await sharp(rgba, { raw: { width: 256, height: 256, channels: 4 } }).png().toFile(edited);
  const transparent = path.join(dir, 'transparent.png');
  await sharp(Buffer.from(rgba.map((v, i) => (i % 4 === 3 ? 0 : v))), { raw: { width: 256, height: 256, channels: 4 } }).png().toFile(transparent);
  const run = (texture: string, out: string) => {
    const r = prnet('swap', texture, target, '--source-uv', '--blend', 'none', '-o', path.join(dir, out), '--force');
    assert.equal(r.status, 0, r.stderr);
    return decodeImage(path.join(dir, out));
  };
  const [withPatch, withoutPatch, photo] = await Promise.all([run(edited, 'patch.png'), run(transparent, 'clear.png'), decodeImage(target)]);
  let blue = 0, other = 0;
  for (let p = 0; p < photo.width * photo.height; p++) {
    const [r, g, b] = [0, 1, 2].map((c) => withPatch.data[3 * p + c]!);
    const same = [0, 1, 2].every((c) => withPatch.data[3 * p + c] === withoutPatch.data[3 * p + c]);
    if (same) continue;
    if (b! > r! + 100 && b! > g! + 100) blue++;
    else other++;
  }
  // Only the square's pixels change (its rim mixes with the face: not all of them pure blue).
  assert.ok(blue > 300 && other < blue, `${blue} blue pixels, ${other} other changed pixels`);
  // Corners of the photo: untouched either way.
  for (const p of [0, photo.width - 1, photo.width * (photo.height - 1)]) for (let c = 0; c < 3; c++) assert.equal(withoutPatch.data[3 * p + c], photo.data[3 * p + c]);

  const small = path.join(dir, 'small.png');
  await sharp({ create: { width: 128, height: 128, channels: 3, background: '#808080' } }).png().toFile(small);
  const bad = prnet('swap', small, target, '--source-uv', '-o', path.join(dir, 'bad.png'), '--force');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /small\.png: a UV texture must be 256×256 \(as --outputs texture writes it\), got 128×128/);
  assert.ok(!existsSync(path.join(dir, 'bad.png')));
});
