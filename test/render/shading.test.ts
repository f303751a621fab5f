import test from 'node:test';
import assert from 'node:assert/strict';
import { rasterize } from '../../src/render/rasterize.js';
import { renderDepth } from '../../src/render/renderDepth.js';
import { vertexVisibility } from '../../src/render/vertexVisibility.js';
import { vertexColors } from '../../src/render/vertexColors.js';
import { uvTexture } from '../../src/render/uvTexture.js';
import { renderTexture } from '../../src/render/renderTexture.js';
import { uvTextureColors } from '../../src/render/uvTextureColors.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { rng, gridMesh } from './helpers.js';

function randomImage(w: number, h: number, seed: number): RgbImage {
  const r = rng(seed);
  return { width: w, height: h, data: new Uint8Array(w * h * 3).map(() => Math.floor(r() * 256)) };
}

/** Naive float64 bilinear sample with a per-call border policy. */
function sample(img: RgbImage, x: number, y: number, c: number, border: 'clamp' | 'zero'): number {
  const get = (xi: number, yi: number) => {
    if (border === 'clamp') {
      xi = Math.min(img.width - 1, Math.max(0, xi));
      yi = Math.min(img.height - 1, Math.max(0, yi));
    } else if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return 0;
    return img.data[3 * (yi * img.width + xi) + c];
  };
  if (border === 'clamp') {
    x = Math.min(img.width - 1, Math.max(0, x));
    y = Math.min(img.height - 1, Math.max(0, y));
  }
  const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
  return get(x0, y0) * (1 - fx) * (1 - fy) + get(x0 + 1, y0) * fx * (1 - fy) + get(x0, y0 + 1) * (1 - fx) * fy + get(x0 + 1, y0 + 1) * fx * fy;
}

test('renderDepth: raw z-buffer and 8-bit normalisations', () => {
  const random = rng(10);
  const mesh = gridMesh(12, 12, 4, 4, 3, (x, y) => 20 + x - 0.5 * y + random(), 0.8, random);
  const { depth, image } = renderDepth(mesh.vertices, mesh.triangles, 48, 44);
  const raster = rasterize(mesh.vertices, mesh.triangles, 48, 44);
  assert.deepEqual(depth, raster.depth);
  let zMin = Infinity, zMax = -Infinity;
  for (const z of depth) if (z > -Infinity) { zMin = Math.min(zMin, z); zMax = Math.max(zMax, z); }
  for (let p = 0; p < depth.length; p++) {
    if (depth[p] === -Infinity) { assert.equal(image.data[p], 0); continue; }
    assert.equal(image.data[p], 1 + Math.round((depth[p] - zMin) * 254 / (zMax - zMin)));
  }
  assert.ok(image.data.includes(255) && image.data.includes(1));
  const max = renderDepth(mesh.vertices, mesh.triangles, 48, 44, { normalize: 'max', raster });
  for (let p = 0; p < depth.length; p++) {
    assert.equal(max.image.data[p], depth[p] === -Infinity ? 0 : Math.round(depth[p] * 255 / zMax));
  }
});

test('vertexVisibility: the back layer is hidden where the front layer covers it', () => {
  // Back sheet z=0 over 0…30 × 0…30; front sheet z=10 over -0.5…14.2 × -0.5…20.5.
  const back = gridMesh(10, 10, 0, 0, 3, () => 0);
  const front = gridMesh(7, 10, -0.5, -0.5, 2.1, () => 10);
  const nb = back.vertices.length / 3;
  const vertices = new Float64Array([...back.vertices, ...front.vertices]);
  const triangles = new Uint32Array([...back.triangles, ...front.triangles.map((i) => i + nb)]);
  const raster = rasterize(vertices, triangles, 40, 40);
  const vis = vertexVisibility(vertices, raster);
  for (let i = 0; i < vertices.length / 3; i++) {
    const x = vertices[3 * i], y = vertices[3 * i + 1], z = vertices[3 * i + 2];
    const expected = z === 10 || x > 14.2 || y > 20.5 ? 1 : 0;
    assert.equal(vis[i], expected, `vertex ${i} at x=${x}, z=${z}`);
  }
  // A vertex just below the surface counts as visible within the tolerance only.
  const probe = new Float64Array([5, 5, 9.5, 5, 5, 8]);
  assert.deepEqual([...vertexVisibility(probe, raster)], [1, 0]);
  assert.deepEqual([...vertexVisibility(probe, raster, { tolerance: 3 })], [1, 1]);
  // Outside the image or NaN: not visible.
  assert.deepEqual([...vertexVisibility(new Float64Array([-1, 5, 100, 5, 40, 100, NaN, 1, 1]), raster)], [0, 0, 0]);
});

test('vertexColors: bilinear sampling with clamped borders matches a float64 reference', () => {
  const img = randomImage(23, 17, 11);
  const random = rng(12);
  const v = new Float32Array(300);
  for (let i = 0; i < 100; i++) { v[3 * i] = -3 + random() * 29; v[3 * i + 1] = -3 + random() * 23; v[3 * i + 2] = random(); }
  const colors = vertexColors(img, v);
  for (let i = 0; i < 100; i++) for (let c = 0; c < 3; c++) {
    const ref = sample(img, v[3 * i], v[3 * i + 1], c, 'clamp') / 255;
    assert.ok(Math.abs(colors[3 * i + c] - ref) < 1e-5, `vertex ${i} channel ${c}`);
  }
  // At integer positions it is the pixel itself.
  const at = vertexColors(img, new Float32Array([4, 7, 0]));
  assert.ok(Math.abs(at[1] * 255 - img.data[3 * (7 * 23 + 4) + 1]) < 1e-3);
});

test('uvTexture: remap with bilinear / nearest sampling, black border and mask', () => {
  const img = randomImage(40, 30, 13);
  const size = 16;
  const random = rng(14);
  const pos = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) { pos[3 * i] = -2 + random() * 44; pos[3 * i + 1] = -2 + random() * 34; pos[3 * i + 2] = random() * 50; }
  const mask = new Uint8Array(size * size).map(() => (random() < 0.8 ? 1 : 0));
  const tex = uvTexture(img, pos, { mask });
  assert.equal(tex.width, size);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) {
    const expected = mask[i] ? sample(img, pos[3 * i], pos[3 * i + 1], c, 'zero') : 0;
    assert.ok(Math.abs(tex.data[3 * i + c] - expected) <= 0.5 + 1e-3, `texel ${i}: ${tex.data[3 * i + c]} vs ${expected}`);
  }
  const near = uvTexture(img, pos, { interpolation: 'nearest' });
  for (let i = 0; i < size * size; i++) {
    const x = Math.round(pos[3 * i]), y = Math.round(pos[3 * i + 1]);
    const inside = x >= 0 && y >= 0 && x < 40 && y < 30;
    assert.equal(near.data[3 * i], inside ? img.data[3 * (y * 40 + x)] : 0);
  }
  assert.throws(() => uvTexture(img, new Float32Array(10)), /size×size×3/);
});

test('renderTexture interpolates a linear colour gradient exactly and reports coverage', () => {
  const random = rng(15);
  const W = 50, H = 40;
  const mesh = gridMesh(9, 7, 3.2, 2.6, 5, (x, y) => x + y, 1.5, random);
  const nv = mesh.vertices.length / 3;
  // Colours linear in x and y: barycentric interpolation must reproduce them at every pixel.
  const colors = new Float32Array(nv * 3);
  for (let i = 0; i < nv; i++) {
    const x = mesh.vertices[3 * i], y = mesh.vertices[3 * i + 1];
    colors[3 * i] = x / W; colors[3 * i + 1] = y / H; colors[3 * i + 2] = 0.5 + 0.3 * (x / W - y / H);
  }
  const bg = randomImage(W, H, 16);
  const { image, mask } = renderTexture(colors, mesh.vertices, mesh.triangles, W, H, { background: bg });
  const raster = rasterize(mesh.vertices, mesh.triangles, W, H);
  let n = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    assert.equal(mask[p], raster.triangleIds[p] >= 0 ? 1 : 0);
    if (!mask[p]) { assert.deepEqual([...image.data.subarray(3 * p, 3 * p + 3)], [...bg.data.subarray(3 * p, 3 * p + 3)]); continue; }
    n++;
    const expected = [x / W, y / H, 0.5 + 0.3 * (x / W - y / H)].map((c) => c * 255);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(image.data[3 * p + c] - expected[c]) <= 0.5 + 1e-3, `pixel (${x}, ${y})`);
  }
  assert.ok(n > 1000);
  // The background is not modified; bytes work like floats.
  assert.notDeepEqual(image.data, bg.data);
  const bytes = Uint8Array.from(colors, (c) => Math.round(c * 255));
  const b = renderTexture(bytes, mesh.vertices, mesh.triangles, W, H, { raster });
  for (let p = 0; p < W * H; p++) if (mask[p]) assert.ok(Math.abs(b.image.data[3 * p] - image.data[3 * p]) <= 1);
});

test('renderTexture opacity: a linear opacity mixes colour and background per pixel by its interpolated value; zero is left out', () => {
  const random = rng(21);
  const W = 50, H = 40;
  const mesh = gridMesh(9, 7, 3.2, 2.6, 5, (x, y) => x + y, 1.5, random);
  const nv = mesh.vertices.length / 3;
  const colors = new Float32Array(nv * 3).fill(0.9);
  // Opacity linear in x, from below 0 (left out) to 1: interpolation gives it exactly per pixel.
  const opacity = new Float32Array(nv);
  for (let i = 0; i < nv; i++) opacity[i] = Math.min(1, (mesh.vertices[3 * i] - 10) / 30);
  const bg = randomImage(W, H, 22);
  const opaque = renderTexture(colors, mesh.vertices, mesh.triangles, W, H, { background: bg });
  const { image, mask } = renderTexture(colors, mesh.vertices, mesh.triangles, W, H, { background: bg, opacity });
  let mixed = 0, out = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const p = y * W + x;
    if (!opaque.mask[p]) continue;
    // The ramp is clamped at 1 from x = 40: checked well left of it, where every corner is on the line.
    const a = (x - 10) / 30;
    if (a <= -0.05) {
      assert.equal(mask[p], 0, `pixel (${x}, ${y}) of opacity ${a} drawn`);
      assert.deepEqual([...image.data.subarray(3 * p, 3 * p + 3)], [...bg.data.subarray(3 * p, 3 * p + 3)]);
      out++;
    } else if (a > 0.05 && a < 0.75) {
      mixed++;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(image.data[3 * p + c] - ((1 - a) * bg.data[3 * p + c] + a * 0.9 * 255)) <= 0.5 + 1e-3, `pixel (${x}, ${y})`);
    }
  }
  assert.ok(mixed > 300 && out > 50, `${mixed} mixed, ${out} left out`);
  // All opaque: the same bytes as without opacity.
  assert.deepEqual(renderTexture(colors, mesh.vertices, mesh.triangles, W, H, { background: bg, opacity: new Float32Array(nv).fill(1) }).image.data, opaque.image.data);
  assert.throws(() => renderTexture(colors, mesh.vertices, mesh.triangles, W, H, { opacity: new Float32Array(3) }), /3 opacities for/);
});

test('uvTextureColors reads the texel of each face index', () => {
  const tex = randomImage(8, 8, 17);
  const idx = new Uint32Array([0, 9, 63, 17]);
  const c = uvTextureColors(tex, idx);
  for (let i = 0; i < 4; i++) for (let k = 0; k < 3; k++) assert.ok(Math.abs(c[3 * i + k] * 255 - tex.data[3 * idx[i] + k]) < 1e-3);
  assert.throws(() => uvTextureColors(tex, new Uint32Array([64])), /outside/);
});

test('renderShaded: Lambert shading of a tilted plane, independent of winding', async () => {
  const { renderShaded } = await import('../support/renderShaded.js');
  // Plane z = 0.5·x: normal ∝ (-0.5, 0, 1); light from +z gives cos = 1/√1.25.
  const mesh = gridMesh(6, 6, 2, 2, 5, (x) => 0.5 * x);
  const out = renderShaded(mesh.vertices, mesh.triangles, 36, 36, { ambient: 0.2, color: [1, 0.5, 0.25] });
  const flipped = Uint32Array.from(mesh.triangles);
  for (let t = 0; t < flipped.length; t += 3) { const s = flipped[t]; flipped[t] = flipped[t + 1]; flipped[t + 1] = s; }
  const out2 = renderShaded(mesh.vertices, flipped, 36, 36, { ambient: 0.2, color: [1, 0.5, 0.25] });
  assert.deepEqual(out2.image.data, out.image.data);
  const shade = 0.2 + 0.8 / Math.sqrt(1.25);
  const p = 3 * (15 * 36 + 15);
  assert.equal(out.mask[15 * 36 + 15], 1);
  assert.deepEqual([...out.image.data.subarray(p, p + 3)], [1, 0.5, 0.25].map((c) => Math.round(255 * c * shade)));
  // Light from the side the plane faces away from: ambient only.
  const dark = renderShaded(mesh.vertices, mesh.triangles, 36, 36, { ambient: 0.2, color: [1, 1, 1], lightDirection: [1, 0, 0] });
  assert.equal(dark.image.data[p], Math.round(255 * 0.2));
  assert.equal(dark.image.data[0], 0);
});
