import test from 'node:test';
import assert from 'node:assert/strict';
import { smoothPositionMap } from '../../src/uv/smoothPositionMap.js';

/** The same blur written the slow way: a direct 2D sum in float64 with the border texels repeated. */
function naiveBlur(map: Float32Array, size: number, sigma: number): Float64Array {
  const r = Math.ceil(2 * sigma);
  const out = new Float64Array(map.length);
  let total = 0;
  for (let dv = -r; dv <= r; dv++) for (let du = -r; du <= r; du++) total += Math.exp(-(du * du + dv * dv) / (2 * sigma * sigma));
  const at = (i: number) => Math.min(size - 1, Math.max(0, i));
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dv = -r; dv <= r; dv++) for (let du = -r; du <= r; du++) s += Math.exp(-(du * du + dv * dv) / (2 * sigma * sigma)) * map[3 * (at(v + dv) * size + at(u + du)) + c]!;
        out[3 * (v * size + u) + c] = s / total;
      }
    }
  }
  return out;
}

test('smoothPositionMap: the separable blur equals a direct 2D Gaussian sum (float64) on a random map, border included', () => {
  const size = 24;
  let seed = 7;
  const map = Float32Array.from({ length: size * size * 3 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 200 - 50);
  for (const sigma of [0.6, 1, 2.3]) {
    const got = smoothPositionMap(map, size, { sigma });
    const want = naiveBlur(map, size, sigma);
    let worst = 0;
    for (let i = 0; i < map.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    assert.ok(worst < 2e-4, `σ ${sigma}: worst ${worst}`);
    // It does smooth: the texel-to-texel differences shrink.
    const rough = (m: ArrayLike<number>) => { let s = 0; for (let i = 3; i < m.length; i++) s += Math.abs(m[i]! - m[i - 3]!); return s; };
    assert.ok(rough(got) < 0.6 * rough(map), `σ ${sigma}: roughness ${rough(got)} vs ${rough(map)}`);
  }
});

test('smoothPositionMap: a plane keeps its place away from the border (a blur moves no flat surface); bad input is refused', () => {
  const size = 32;
  const plane = new Float32Array(size * size * 3);
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) plane.set([3 * u + 10, 2 * v - 5, 0.5 * u - 0.25 * v + 100], 3 * (v * size + u));
  const got = smoothPositionMap(plane, size, { sigma: 1.5 });
  for (let v = 5; v < size - 5; v++) for (let u = 5; u < size - 5; u++) for (let c = 0; c < 3; c++) {
    const i = 3 * (v * size + u) + c;
    assert.ok(Math.abs(got[i]! - plane[i]!) < 1e-3, `texel ${u},${v}`);
  }
  assert.throws(() => smoothPositionMap(plane, size, { sigma: 0 }), /sigma must be a positive number/);
  assert.throws(() => smoothPositionMap(plane, size + 1), /has 3267 values, got 3072/);
  assert.throws(() => smoothPositionMap(plane, size, { out: new Float32Array(5) }), /out has 5 values/);
  // In place: the same values.
  const copy = plane.slice();
  smoothPositionMap(copy, size, { sigma: 1.5, out: copy });
  assert.deepEqual(copy, got);
  assert.throws(() => smoothPositionMap(plane, size, { mask: new Uint8Array(3) }), /the mask has 3 texels/);
});

test('smoothPositionMap with a mask: only texels whose whole kernel lies in it are blurred (as without a mask), the rim band and the outside keep their values', () => {
  const size = 20;
  let seed = 3;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const map = Float32Array.from({ length: size * size * 3 }, () => 100 + 20 * rand());
  // A disc inside; wild values outside, which a blur cut by the rim would drag in.
  const mask = new Uint8Array(size * size);
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) if ((u - 9.5) ** 2 + (v - 9.5) ** 2 < 49) mask[v * size + u] = 1; else map.fill(1e4 * (rand() - 0.5), 3 * (v * size + u), 3 * (v * size + u) + 3);
  const sigma = 1.2, r = Math.ceil(2 * sigma);
  const got = smoothPositionMap(map, size, { sigma, mask });
  const want = naiveBlur(map, size, sigma);
  let blurred = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const t = v * size + u;
      let inner = true;
      for (let dv = -r; dv <= r; dv++) for (let du = -r; du <= r; du++) if (!mask[(v + dv) * size + (u + du)] || u + du < 0 || v + dv < 0 || u + du >= size || v + dv >= size) inner = false;
      for (let c = 0; c < 3; c++) {
        if (inner) assert.ok(Math.abs(got[3 * t + c]! - want[3 * t + c]!) < 1e-3, `texel ${u},${v}`);
        else assert.equal(got[3 * t + c], map[3 * t + c], `texel ${u},${v} keeps its value`);
      }
      if (inner) blurred++;
    }
  }
  assert.ok(blurred > 15, `${blurred} texels blurred`);
});
