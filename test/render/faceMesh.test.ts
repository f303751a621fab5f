import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { faceTriangles } from '../../src/uv/faceTriangles.js';
import { rasterize } from '../../src/render/rasterize.js';
import { vertexVisibility } from '../../src/render/vertexVisibility.js';

const uvDir = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/prnet-data/uv-data');

test('the real PRNet topology rasterises without cracks, and turning the head hides the far cheek', async () => {
  const uv = await loadUvAssets({ dataDir: uvDir, download: false });
  const triangles = faceTriangles(uv.faceIndices);
  const c = uv.canonicalVertices;
  for (const yawDeg of [0, 60]) {
    const a = (yawDeg * Math.PI) / 180, ca = Math.cos(a), sa = Math.sin(a);
    const v = new Float32Array(c.length);
    // Rotate about the vertical axis through the face centre (x, z), scale 0.8, centre in a 300×300 image.
    for (let i = 0; i < v.length; i += 3) {
      const x = c[i], y = c[i + 1] - 258, z = c[i + 2] - 90;
      v[i] = 0.8 * (ca * x + sa * z) + 150;
      v[i + 1] = 0.8 * y + 150;
      v[i + 2] = 0.8 * (-sa * x + ca * z);
    }
    const r = rasterize(v, triangles, 300, 300);
    let holes = 0, covered = 0;
    for (let y = 1; y < 299; y++) for (let x = 1; x < 299; x++) {
      const p = y * 300 + x;
      if (r.triangleIds[p] >= 0) { covered++; continue; }
      // An empty pixel whose four neighbours are all covered is a crack between triangles.
      if (r.triangleIds[p - 1] >= 0 && r.triangleIds[p + 1] >= 0 && r.triangleIds[p - 300] >= 0 && r.triangleIds[p + 300] >= 0) holes++;
    }
    assert.equal(holes, 0, `yaw ${yawDeg}: cracks`);
    assert.ok(covered > 10000);
    const vis = vertexVisibility(v, r);
    // Left and right cheek: vertices with canonical x < -60 and x > 60.
    let left = 0, leftVis = 0, right = 0, rightVis = 0;
    for (let i = 0; i < vis.length; i++) {
      if (c[3 * i] < -60) { left++; leftVis += vis[i]; }
      if (c[3 * i] > 60) { right++; rightVis += vis[i]; }
    }
    if (yawDeg === 0) {
      assert.ok(leftVis / left > 0.7 && rightVis / right > 0.7, `frontal: ${leftVis / left}, ${rightVis / right}`);
    } else {
      // z' = −sin(a)·x + …: the +x side moves away from the viewer (smaller z) and is hidden.
      assert.ok(rightVis / right < 0.3, `turned away: ${rightVis / right}`);
      assert.ok(leftVis / left > 0.8, `turned toward: ${leftVis / left}`);
    }
  }
});
