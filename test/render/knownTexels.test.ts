/**
 * `knownTexels`: the texels a texture trusts are seen, face the camera, and form coherent
 * regions (a lone seen texel among hidden ones is dropped, a lone hidden one among seen
 * ones kept), on a frontal synthetic face.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { positionMapVertices } from '../../src/uv/positionMapVertices.js';
import { knownTexels } from '../../src/render/knownTexels.js';
import { syntheticFace } from '../support/syntheticFace.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const assets = await loadUvAssets({ dataDir, download: false });
const N = assets.faceIndices.length;
const uv = assets.uvSize;
const vertices = positionMapVertices(syntheticFace(assets, { scale: 0.8, tx: 150, ty: 150, tz: 60, yaw: 0 }).positionMap, assets);
// A vertex in the middle of the cheek, far from the mask's edges.
const middle = assets.faceIndices.findIndex((t) => t === 140 * uv + 80);

test('a lone hidden texel among seen ones is kept, a lone seen one among hidden ones dropped; radius 0 keeps the texel-by-texel test', () => {
  assert.ok(middle >= 0);
  const t = assets.faceIndices[middle]!;
  const allButOne = new Uint8Array(N).fill(1);
  allButOne[middle] = 0;
  assert.equal(knownTexels(vertices, allButOne, assets)[t], 1);
  assert.equal(knownTexels(vertices, allButOne, assets, { majorityRadius: 0 })[t], 0);
  const onlyOne = new Uint8Array(N);
  onlyOne[middle] = 1;
  assert.equal(knownTexels(vertices, onlyOne, assets)[t], 0);
  assert.equal(knownTexels(vertices, onlyOne, assets, { majorityRadius: 0 })[t], 1);
  // Texels outside the face mask are never known.
  const all = knownTexels(vertices, new Uint8Array(N).fill(1), assets);
  for (let i = 0; i < uv * uv; i++) if (!assets.faceMask[i]) assert.equal(all[i], 0);
});

test('a frontal face keeps most texels and leaves its edge-on sides to the fill; turned, its far half much more; minFacing near 1 leaves almost nothing', () => {
  const seen = new Uint8Array(N).fill(1);
  const faceTexels = assets.faceIndices.filter((t) => assets.faceMask[t]);
  const halves = (m: Uint8Array) => {
    const k = [0, 0], n = [0, 0];
    for (const t of faceTexels) { const h = t % uv < uv / 2 ? 0 : 1; n[h]++; k[h] += m[t]!; }
    return [k[0]! / n[0]!, k[1]! / n[1]!] as const;
  };
  const [l, r] = halves(knownTexels(vertices, seen, assets));
  assert.ok(l > 0.5 && l < 0.95 && r > 0.5 && r < 0.95, `frontal: ${l.toFixed(2)} / ${r.toFixed(2)} of each half known`);
  assert.ok(Math.abs(l - r) < 0.05, 'a frontal face is symmetric');
  const turned = positionMapVertices(syntheticFace(assets, { scale: 0.8, tx: 150, ty: 150, tz: 60, yaw: 55 }).positionMap, assets);
  const [tl, tr] = halves(knownTexels(turned, seen, assets));
  assert.ok(Math.min(tl, tr) < 0.5 * Math.max(tl, tr), `turned 55°: ${tl.toFixed(2)} / ${tr.toFixed(2)} known`);
  const strict = knownTexels(vertices, seen, assets, { minFacing: 0.9999, majorityRadius: 0 });
  assert.ok(faceTexels.filter((t) => strict[t]).length < 0.05 * faceTexels.length);
});

test('the majority over random visibility equals a naive window count', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const vis = Uint8Array.from({ length: N }, () => (rand() < 0.55 ? 1 : 0));
  const got = knownTexels(vertices, vis, assets, { minFacing: -2, majorityRadius: 2 });
  const seen = new Uint8Array(uv * uv);
  for (let i = 0; i < N; i++) if (vis[i] && assets.faceMask[assets.faceIndices[i]!]) seen[assets.faceIndices[i]!] = 1;
  let set = 0;
  for (let y = 0; y < uv; y++) for (let x = 0; x < uv; x++) {
    let yes = 0, all = 0;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
      const yy = y + dy, xx = x + dx;
      if (yy < 0 || yy >= uv || xx < 0 || xx >= uv || !assets.faceMask[yy * uv + xx]) continue;
      all++;
      yes += seen[yy * uv + xx]!;
    }
    const want = assets.faceMask[y * uv + x] && 2 * yes > all ? 1 : 0;
    assert.equal(got[y * uv + x], want, `texel ${x}, ${y}`);
    set += want;
  }
  assert.ok(set > 1000, `${set} texels set`);
});
