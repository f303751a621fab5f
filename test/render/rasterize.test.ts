import test from 'node:test';
import assert from 'node:assert/strict';
import { rasterize } from '../../src/render/rasterize.js';
import { barycentric } from '../../src/render/barycentric.js';
import { rng, gridMesh } from './helpers.js';

/**
 * Brute force in float64: for each pixel centre and each triangle, a point-in-
 * triangle test by cross products and the barycentric depth; keep the max z.
 * Pixels where any edge passes within `eps` of the centre, or where the two
 * nearest surfaces are closer than `zEps`, are ties and reported as such.
 */
function reference(v: Float64Array, tri: Uint32Array, w: number, h: number) {
  const depth = new Float64Array(w * h).fill(-Infinity);
  const ids = new Int32Array(w * h).fill(-1);
  const tie = new Uint8Array(w * h);
  const second = new Float64Array(w * h).fill(-Infinity);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      for (let t = 0; t < tri.length / 3; t++) {
        const a = tri[3 * t], b = tri[3 * t + 1], c = tri[3 * t + 2];
        const ax = v[3 * a], ay = v[3 * a + 1], bx = v[3 * b], by = v[3 * b + 1], cx = v[3 * c], cy = v[3 * c + 1];
        const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
        if (area === 0) continue;
        const wa = ((bx - x) * (cy - y) - (by - y) * (cx - x)) / area;
        const wb = ((cx - x) * (ay - y) - (cy - y) * (ax - x)) / area;
        const wc = ((ax - x) * (by - y) - (ay - y) * (bx - x)) / area;
        const eps = 1e-9;
        const edgeDist = Math.min(
          Math.abs(wa) * Math.abs(area) / Math.hypot(bx - cx, by - cy),
          Math.abs(wb) * Math.abs(area) / Math.hypot(cx - ax, cy - ay),
          Math.abs(wc) * Math.abs(area) / Math.hypot(ax - bx, ay - by),
        );
        const inside = wa >= 0 && wb >= 0 && wc >= 0;
        if (edgeDist < eps && (inside || Math.min(wa, wb, wc) > -1e-6)) { tie[p] = 1; continue; }
        if (!inside) continue;
        const z = wa * v[3 * a + 2] + wb * v[3 * b + 2] + wc * v[3 * c + 2];
        if (z > depth[p]) { second[p] = depth[p]; depth[p] = z; ids[p] = t; }
        else if (z > second[p]) second[p] = z;
      }
      if (depth[p] - second[p] < 1e-4) tie[p] = 1;
    }
  }
  return { depth, ids, tie };
}

function compare(v: Float64Array, tri: Uint32Array, w: number, h: number) {
  const r = rasterize(v, tri, w, h);
  const ref = reference(v, tri, w, h);
  let checked = 0, covered = 0;
  for (let p = 0; p < w * h; p++) {
    if (ref.tie[p]) continue;
    checked++;
    if (ref.ids[p] >= 0) covered++;
    assert.equal(r.triangleIds[p], ref.ids[p], `pixel (${p % w}, ${Math.floor(p / w)}) triangle id`);
    if (ref.ids[p] < 0) assert.equal(r.depth[p], -Infinity);
    else assert.ok(Math.abs(r.depth[p] - ref.depth[p]) <= 1e-5 * Math.max(1, Math.abs(ref.depth[p])), `pixel ${p} depth ${r.depth[p]} vs ${ref.depth[p]}`);
  }
  return { checked, covered };
}

test('rasterize matches a brute-force float64 reference on random overlapping triangles', () => {
  const random = rng(1);
  const w = 61, h = 47, m = 150;
  const v = new Float64Array(m * 9);
  for (let i = 0; i < m * 3; i++) {
    // Vertices partly outside the image exercise clipping; z in [-50, 50].
    v[3 * i] = -10 + random() * (w + 20);
    v[3 * i + 1] = -10 + random() * (h + 20);
    v[3 * i + 2] = (random() - 0.5) * 100;
  }
  const tri = new Uint32Array(m * 3).map((_, i) => i);
  const { checked, covered } = compare(v, tri, w, h);
  assert.ok(checked > 0.95 * w * h, `too many ties: ${w * h - checked}`);
  assert.ok(covered > 0.5 * checked, 'random mesh should cover most pixels');
});

test('rasterize matches the reference on small triangles of a jittered grid (both windings)', () => {
  const random = rng(2);
  const mesh = gridMesh(30, 25, 3.3, 2.7, 1.7, (x, y) => Math.sin(x / 7) * 10 + y / 3, 1.2, random);
  // Reverse every other triangle's winding: the rasteriser must not cull either.
  for (let t = 0; t < mesh.triangles.length / 3; t += 2) {
    const s = mesh.triangles[3 * t];
    mesh.triangles[3 * t] = mesh.triangles[3 * t + 1];
    mesh.triangles[3 * t + 1] = s;
  }
  compare(mesh.vertices, mesh.triangles, 60, 50);
});

test('top-left fill rule: pixels on shared edges of an integer grid are drawn exactly once', () => {
  // Integer vertices put many pixel centres exactly on edges and on vertices.
  for (const [step, jitter] of [[2, 0], [3, 0], [4, 0], [5, 2]] as const) {
    const random = rng(3 + step);
    const cols = 8, rows = 7, w = 50, h = 45;
    const mesh = gridMesh(cols, rows, 2, 3, step, () => 0, 0, random);
    if (jitter) {
      // Integer jitter of inner vertices keeps the coordinates exact.
      for (let j = 1; j < rows; j++) for (let i = 1; i < cols; i++) {
        const k = j * (cols + 1) + i;
        mesh.vertices[3 * k] += Math.floor(random() * 3) - 1;
        mesh.vertices[3 * k + 1] += Math.floor(random() * 3) - 1;
      }
    }
    const count = new Uint8Array(w * h);
    const m = mesh.triangles.length / 3;
    for (let t = 0; t < m; t++) {
      const one = rasterize(mesh.vertices, mesh.triangles.subarray(3 * t, 3 * t + 3), w, h);
      for (let p = 0; p < w * h; p++) if (one.triangleIds[p] === 0) count[p]++;
    }
    const x1 = 2 + cols * step, y1 = 3 + rows * step;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const interior = x > 2 && x < x1 && y > 3 && y < y1;
      const outside = x < 2 || x > x1 || y < 3 || y > y1;
      if (interior) assert.equal(count[y * w + x], 1, `step ${step}: pixel (${x}, ${y}) drawn ${count[y * w + x]} times`);
      if (outside) assert.equal(count[y * w + x], 0);
      // On the outer border each pixel is drawn at most once.
      assert.ok(count[y * w + x] <= 1);
    }
    // The whole mesh at once gives the same coverage.
    const all = rasterize(mesh.vertices, mesh.triangles, w, h);
    for (let p = 0; p < w * h; p++) assert.equal(all.triangleIds[p] >= 0 ? 1 : 0, count[p]);
  }
});

test('rasterize: z toward the viewer wins, empty pixels, degenerate and NaN triangles are skipped', () => {
  // Two overlapping triangles: the one with larger z is in front whatever the order.
  const v = new Float32Array([0, 0, 1, 10, 0, 1, 0, 10, 1, 0, 0, 5, 10, 0, 5, 0, 10, 5, 1, 1, 0, 2, 2, 0, 3, 3, 0, NaN, 1, 1, 5, 5, 1, 1, 5, 1]);
  const tri = new Uint32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const r = rasterize(v, tri, 12, 12);
  assert.equal(r.triangleIds[2 * 12 + 2], 1);
  assert.equal(r.depth[2 * 12 + 2], 5);
  assert.equal(r.triangleIds[11 * 12 + 11], -1);
  assert.equal(r.depth[11 * 12 + 11], -Infinity);
  for (let p = 0; p < 144; p++) assert.ok(r.triangleIds[p] === -1 || r.triangleIds[p] === 1);
  assert.throws(() => rasterize(v, new Uint32Array([0, 1, 99]), 4, 4), /vertex 99/);
  assert.throws(() => rasterize(v, tri, 0, 4), /positive integers/);
});

test('barycentric reproduces the pixel position and depth from a raster', () => {
  const random = rng(4);
  const mesh = gridMesh(10, 10, 1.5, 2.5, 3.1, (x, y) => 0.3 * x - 0.2 * y + 7, 1, random);
  const r = rasterize(mesh.vertices, mesh.triangles, 40, 40);
  const w = new Float64Array(3);
  let n = 0;
  for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) {
    const t = r.triangleIds[y * 40 + x];
    if (t < 0) continue;
    n++;
    barycentric(mesh.vertices, mesh.triangles, t, x, y, w);
    let px = 0, py = 0, pz = 0;
    for (let k = 0; k < 3; k++) {
      const i = mesh.triangles[3 * t + k];
      assert.ok(w[k] >= -1e-9);
      px += w[k] * mesh.vertices[3 * i]; py += w[k] * mesh.vertices[3 * i + 1]; pz += w[k] * mesh.vertices[3 * i + 2];
    }
    assert.ok(Math.abs(px - x) < 1e-9 && Math.abs(py - y) < 1e-9);
    assert.ok(Math.abs(pz - r.depth[y * 40 + x]) < 1e-4);
  }
  assert.ok(n > 800);
});
