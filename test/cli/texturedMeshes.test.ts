/**
 * Textured meshes (issue 15, point 6): `--outputs obj,texture` writes `vt`, an MTL and the
 * PNG; the GLB embeds the UV texture; `--texture full|visible|filled` with `filled`, which
 * has no black holes, as the default.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { NodeIO } from '@gltf-transform/core';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const photo = path.resolve(repo, '../shared/fixtures/photos/photo3.jpg');
const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-tex-'));
test.after(() => rm(work, { recursive: true, force: true }));

function prnet(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

/** Fraction of the UV face mask's texels that are pure black. */
async function blackFraction(file: string, faceMask: Uint8Array): Promise<number> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 256);
  let black = 0, n = 0;
  for (let i = 0; i < faceMask.length; i++) {
    if (!faceMask[i]) continue;
    n++;
    if (data[info.channels * i] + data[info.channels * i + 1] + data[info.channels * i + 2] === 0) black++;
  }
  return black / n;
}

test('obj,glb,texture: textured OBJ with vt and MTL, GLB embedding the same PNG; default texture filled', async () => {
  const out = path.join(work, 'default');
  const r = await prnet(['reconstruct', photo, '-o', out, '--outputs', 'obj,glb,texture']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['photo3_0.glb', 'photo3_0.mtl', 'photo3_0.obj', 'photo3_0_texture.png']);
  const assets = await loadUvAssets();
  const obj = await readFile(path.join(out, 'photo3_0.obj'), 'utf8');
  assert.match(obj, /^mtllib photo3_0\.mtl$/m);
  assert.match(obj, /^usemtl FaceTexture$/m);
  const vt = obj.split('\n').filter((l) => l.startsWith('vt '));
  assert.equal(vt.length, 43867);
  // vt of vertex 0 is its UV texel centre (v up).
  const k = assets.faceIndices[0]!;
  const [u, v] = vt[0]!.split(' ').slice(1).map(Number);
  assert.ok(Math.abs(u! - ((k % 256) + 0.5) / 256) < 1e-6 && Math.abs(v! - (1 - (Math.floor(k / 256) + 0.5) / 256)) < 1e-6);
  const face = obj.split('\n').find((l) => l.startsWith('f '))!;
  assert.match(face, /^f (\d+)\/\1 (\d+)\/\2 (\d+)\/\3$/);
  const mtl = await readFile(path.join(out, 'photo3_0.mtl'), 'utf8');
  assert.match(mtl, /^map_Kd photo3_0_texture\.png$/m);
  // GLB: TEXCOORD_0 and the very PNG written beside it.
  const png = new Uint8Array(await readFile(path.join(out, 'photo3_0_texture.png')));
  const doc = await new NodeIO().readBinary(new Uint8Array(await readFile(path.join(out, 'photo3_0.glb'))));
  const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
  assert.equal(prim.getAttribute('TEXCOORD_0')?.getCount(), 43867);
  const image = prim.getMaterial()?.getBaseColorTexture()?.getImage();
  assert.ok(image, 'base colour texture');
  assert.deepEqual(new Uint8Array(image), png);
  // The default texture has (almost) no black face texels.
  assert.ok(await blackFraction(path.join(out, 'photo3_0_texture.png'), assets.faceMask) < 0.02);
});

test('--texture visible leaves hidden texels black, full and filled do not; filled is the default', async () => {
  const assets = await loadUvAssets();
  const fractions: Record<string, number> = {};
  const pngs: Record<string, Buffer> = {};
  for (const mode of ['visible', 'full', 'filled']) {
    const out = path.join(work, mode);
    const r = await prnet(['reconstruct', photo, '-o', out, '--outputs', 'texture', '--texture', mode]);
    assert.equal(r.code, 0, r.stderr);
    fractions[mode] = await blackFraction(path.join(out, 'photo3_0_texture.png'), assets.faceMask);
    pngs[mode] = await readFile(path.join(out, 'photo3_0_texture.png'));
  }
  assert.ok(fractions.visible! > 0.2, `visible: ${fractions.visible}`);
  assert.ok(fractions.full! < 0.02, `full: ${fractions.full}`);
  assert.ok(fractions.filled! < 0.02, `filled: ${fractions.filled}`);
  assert.notDeepEqual(pngs.filled, pngs.full);
  assert.deepEqual(pngs.filled, await readFile(path.join(work, 'default', 'photo3_0_texture.png')), 'default = filled');
  const bad = await prnet(['reconstruct', photo, '-o', path.join(work, 'bad'), '--texture', 'shiny']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--texture.*shiny.*filled, full, visible/s);
});
