import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { nccColors } from '../../src/render/nccColors.js';
import { renderPncc } from '../../src/render/renderPncc.js';
import { rasterize } from '../../src/render/rasterize.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data', import.meta.url));
const assets = await loadUvAssets({ dataDir: path.resolve(dataDir), download: false });
const canonical = assets.canonicalVertices;
const n = canonical.length / 3;

/** Per-axis range of the mean face, in float64. */
function range(): { min: number[]; max: number[] } {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) {
    min[c] = Math.min(min[c]!, canonical[i * 3 + c]!);
    max[c] = Math.max(max[c]!, canonical[i * 3 + c]!);
  }
  return { min, max };
}

/** The offset that puts the middle of the mean face's box at (x, y) when scaled by s. */
function centredAt(s: number, x: number, y: number, z: number): [number, number, number] {
  const { min, max } = range();
  return [x - (s * (min[0]! + max[0]!)) / 2, y - (s * (min[1]! + max[1]!)) / 2, z];
}

/** The mean face placed in a picture: s·v + t, no turn. */
function placed(s: number, t: [number, number, number]): Float32Array {
  const v = new Float32Array(canonical.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) v[i * 3 + c] = s * canonical[i * 3 + c]! + t[c];
  return v;
}

test('nccColors: each axis of the mean face scaled to 0…1', () => {
  const ncc = nccColors(canonical);
  const { min, max } = range();
  for (let c = 0; c < 3; c++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { lo = Math.min(lo, ncc[i * 3 + c]!); hi = Math.max(hi, ncc[i * 3 + c]!); }
    assert.ok(Math.abs(lo) < 1e-6 && Math.abs(hi - 1) < 1e-6, `axis ${c}: ${lo}…${hi}`);
  }
  for (const i of [0, 1234, 20_000, n - 1]) {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(ncc[i * 3 + c]! - (canonical[i * 3 + c]! - min[c]!) / (max[c]! - min[c]!)) < 1e-6);
  }
  assert.throws(() => nccColors(new Float32Array([1, 2, 3, 1, 5, 6])), /flat along axis x/);
});

test('renderPncc of the mean face: each pixel\'s colour is the mean-face x, y, z of the surface point it shows', () => {
  const W = 320, H = 320;
  const s = 1.2, t = centredAt(s, 160, 160, 40);
  const v = placed(s, t);
  const pic = renderPncc([v], assets.triangles, nccColors(canonical), W, H);
  assert.deepEqual([pic.width, pic.height, pic.data.length], [W, H, W * H * 3]);
  const { depth } = rasterize(v, assets.triangles, W, H);
  const { min, max } = range();
  let covered = 0, worst = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    const rgb = [pic.data[p * 3]!, pic.data[p * 3 + 1]!, pic.data[p * 3 + 2]!];
    if (depth[p] === -Infinity) {
      assert.deepEqual(rgb, [0, 0, 0], 'black where no face is');
      continue;
    }
    covered++;
    // The mesh is an affine image of the mean face, so the point a pixel shows is known
    // exactly: x and y from the pixel, z from the z-buffer.
    const point = [(x - t[0]) / s, (y - t[1]) / s, (depth[p]! - t[2]) / s];
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(rgb[c]! - 255 * (point[c]! - min[c]!) / (max[c]! - min[c]!)));
  }
  assert.ok(covered > 20_000, `the face covers ${covered} pixels`);
  assert.ok(worst <= 0.51, `worst colour error ${worst} of 255`);
});

test('renderPncc of two faces: where they overlap the nearer one shows; none gives a black picture', () => {
  const W = 360, H = 260;
  const ncc = nccColors(canonical);
  const far = placed(0.8, centredAt(0.8, 130, 130, 0));
  const near = placed(0.8, centredAt(0.8, 220, 130, 60));
  const both = renderPncc([far, near], assets.triangles, ncc, W, H);
  const nearOnly = renderPncc([near], assets.triangles, ncc, W, H);
  const farOnly = renderPncc([far], assets.triangles, ncc, W, H);
  const nearDepth = rasterize(near, assets.triangles, W, H).depth;
  const farDepth = rasterize(far, assets.triangles, W, H).depth;
  let overlap = 0;
  for (let p = 0; p < W * H; p++) {
    const got = Array.from(both.data.subarray(p * 3, p * 3 + 3));
    const wantNear = nearDepth[p]! >= farDepth[p]!;
    const want = Array.from((wantNear ? nearOnly : farOnly).data.subarray(p * 3, p * 3 + 3));
    if (nearDepth[p] !== -Infinity && farDepth[p] !== -Infinity) overlap++;
    if (nearDepth[p] === -Infinity && farDepth[p] === -Infinity) assert.deepEqual(got, [0, 0, 0]);
    else assert.deepEqual(got, want, `pixel ${p % W}, ${Math.floor(p / W)}`);
  }
  assert.ok(overlap > 1000, `the faces overlap on ${overlap} pixels`);
  const none = renderPncc([], assets.triangles, ncc, 40, 30);
  assert.ok(none.data.length === 40 * 30 * 3 && none.data.every((b) => b === 0));
  assert.throws(() => renderPncc([new Float32Array(9)], assets.triangles, ncc, 10, 10), /a mesh has 3 vertices, the colours 43867/);
});
