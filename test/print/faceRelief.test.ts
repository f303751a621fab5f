import test from 'node:test';
import assert from 'node:assert/strict';
import { faceRelief } from '../../src/print/faceRelief.js';
import { encodeStl } from '../../src/io/stl.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { assertClosedSurface } from './closedSurface.js';

/** Signed volume (divergence theorem), float64: positive when the triangles face outward. */
function signedVolume(v: Float32Array, t: Uint32Array): number {
  let vol = 0;
  for (let k = 0; k < t.length; k += 3) {
    const [a, b, c] = [t[k]!, t[k + 1]!, t[k + 2]!].map((i) => [v[3 * i]!, v[3 * i + 1]!, v[3 * i + 2]!]) as [number[], number[], number[]];
    vol += (a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!)) / 6;
  }
  return vol;
}

/** A dome z = R·√(1 − r²/R²)·h over the disk of radius R (image frame: y down, z toward the viewer), as a triangulated polar grid. */
function dome(R: number, h: number): { vertices: Float64Array; triangles: Uint32Array } {
  const rings = 40, seg = 96;
  const v: number[] = [0, 0, R * h];
  for (let r = 1; r <= rings; r++) {
    const rr = (R * r) / rings;
    for (let s = 0; s < seg; s++) {
      const a = (2 * Math.PI * s) / seg;
      v.push(rr * Math.cos(a), rr * Math.sin(a), h * Math.sqrt(Math.max(0, R * R - rr * rr)));
    }
  }
  const t: number[] = [];
  const at = (r: number, s: number) => (r === 0 ? 0 : 1 + (r - 1) * seg + (s % seg));
  for (let s = 0; s < seg; s++) t.push(0, at(1, s), at(1, s + 1));
  for (let r = 1; r < rings; r++) for (let s = 0; s < seg; s++) t.push(at(r, s), at(r + 1, s), at(r + 1, s + 1), at(r, s), at(r + 1, s + 1), at(r, s + 1));
  return { vertices: Float64Array.from(v), triangles: Uint32Array.from(t) };
}

test('faceRelief: a dome becomes a closed solid of the dome\'s size and volume, its top on the dome', () => {
  const R = 50, h = 0.5; // a half-height hemisphere, 100 units wide
  const { vertices, triangles } = dome(R, h);
  const widthMm = 40, cellMm = 0.5, baseMm = 2;
  const solid = faceRelief(vertices, triangles, { widthMm, cellMm, baseMm, smoothMm: 0 });
  assertClosedSurface(solid.vertices, solid.triangles);
  const s = widthMm / (2 * R); // mm per unit
  // Analytic volume: the base slab under the disk plus the dome over it (rim at z = 0 above the base).
  const rMm = R * s;
  const want = Math.PI * rMm * rMm * baseMm + (2 / 3) * Math.PI * rMm * rMm * (R * h * s);
  const got = signedVolume(solid.vertices, solid.triangles);
  assert.ok(Math.abs(got - want) / want < 0.03, `volume ${got.toFixed(0)} mm³, analytic ${want.toFixed(0)} mm³`);
  assert.ok(Math.abs(solid.size[0] - widthMm) <= 2 * cellMm, `width ${solid.size[0]}`);
  assert.ok(Math.abs(solid.size[2] - (baseMm + R * h * s)) < 0.2, `height ${solid.size[2]}`);
  // The top lies on the dome (heights are averages of the cells around each corner).
  let worst = 0, tops = 0;
  const cx = solid.size[0] / 2, cy = solid.size[1] / 2;
  for (let i = 0; i < solid.vertices.length; i += 3) {
    const z = solid.vertices[i + 2]!;
    if (z === 0) continue;
    const r = Math.hypot(solid.vertices[i]! - cx, solid.vertices[i + 1]! - cy);
    if (r > 0.8 * rMm) continue; // near the rim the slope turns a half-cell offset into more
    tops++;
    worst = Math.max(worst, Math.abs(z - baseMm - h * Math.sqrt(rMm * rMm - r * r)));
  }
  assert.ok(tops > 1000 && worst < 0.3, `${tops} top vertices, worst ${worst.toFixed(3)} mm off the dome`);
  // The bottom is flat, at 0, and under the dome only.
  assert.ok(Math.min(...Array.from(solid.vertices.filter((_, i) => i % 3 === 2))) === 0);
});

test('faceRelief: smoothing takes out ripples of a millimetre and keeps the shape', () => {
  // A low dome 100 units (40 mm) wide with ripples 1 mm apart at print scale, 0.3 mm high.
  const { vertices, triangles } = dome(50, 0.3);
  const rippled = Float64Array.from(vertices, (v, i) => (i % 3 === 2 ? v + (0.3 / 0.4) * Math.sin((2 * Math.PI * vertices[i - 2]!) / 2.5) : v));
  const opts = { widthMm: 40, cellMm: 0.25, baseMm: 2 };
  // The ripple at print scale: how far the top strays from the same solid built without ripples.
  const deviation = (a: ReturnType<typeof faceRelief>, b: ReturnType<typeof faceRelief>) => {
    let sum = 0, count = 0;
    for (let i = 0; i < a.vertices.length; i += 3) {
      const r = Math.hypot(a.vertices[i]! - a.size[0] / 2, a.vertices[i + 1]! - a.size[1] / 2);
      if (a.vertices[i + 2] === 0 || r > 15) continue;
      sum += Math.abs(a.vertices[i + 2]! - b.vertices[i + 2]!);
      count++;
    }
    return sum / count;
  };
  const raw = [faceRelief(rippled, triangles, { ...opts, smoothMm: 0 }), faceRelief(vertices, triangles, { ...opts, smoothMm: 0 })] as const;
  const smooth = [faceRelief(rippled, triangles, { ...opts, smoothMm: 1 }), faceRelief(vertices, triangles, { ...opts, smoothMm: 1 })] as const;
  assert.equal(raw[0].vertices.length, raw[1].vertices.length, 'same cells');
  const before = deviation(raw[0], raw[1]), after = deviation(smooth[0], smooth[1]);
  assert.ok(before > 0.15, `the ripple is there: ${before.toFixed(3)} mm`);
  assert.ok(after < before / 5, `ripple ${before.toFixed(3)} mm → ${after.toFixed(3)} mm`);
  assertClosedSurface(smooth[0].vertices, smooth[0].triangles);
  // The dome itself barely changes away from its steep rim: its rise from 12 mm out to the middle.
  const rise = (x: ReturnType<typeof faceRelief>) => {
    const at = (radius: number) => {
      let best = Infinity, z = 0;
      for (let i = 0; i < x.vertices.length; i += 3) {
        const d = Math.abs(Math.hypot(x.vertices[i]! - x.size[0] / 2, x.vertices[i + 1]! - x.size[1] / 2) - radius);
        if (x.vertices[i + 2]! > 0 && d < best) { best = d; z = x.vertices[i + 2]!; }
      }
      return z;
    };
    return at(0) - at(12);
  };
  assert.ok(Math.abs(rise(smooth[1]) - rise(raw[1])) < 0.1 && rise(raw[1]) > 1, `rise ${rise(smooth[1]).toFixed(3)} mm smoothed, ${rise(raw[1]).toFixed(3)} mm raw`);
});

test('faceRelief: PRNet\'s face (the canonical mesh) is a closed 2-manifold plaque; a mesh with a hole and two pieces too', async () => {
  const assets = await loadUvAssets();
  const solid = faceRelief(assets.canonicalVertices, assets.triangles, { widthMm: 60, cellMm: 0.5 });
  assertClosedSurface(solid.vertices, solid.triangles);
  assert.ok(signedVolume(solid.vertices, solid.triangles) > 0, 'faces outward');
  assert.ok(Math.abs(solid.size[0] - 60) <= 1, `width ${solid.size[0]} mm`);
  // The face is taller than wide and a few centimetres deep at this scale.
  assert.ok(solid.size[1] > 55 && solid.size[1] < 70 && solid.size[2] > 20 && solid.size[2] < 60, `size ${solid.size.map((v) => v.toFixed(1)).join(' × ')} mm`);
  // Two separate domes, one of them with a hole cut out of its middle: the larger piece is
  // kept, and the hole is filled, so the result is still one closed surface.
  const a = dome(20, 0.5), b = dome(30, 0.5);
  const holed = Array.from(b.triangles).filter((_, i, t) => i % 3 !== 0 || ![t[i], t[i + 1], t[i + 2]].every((k) => k! < 1 + 3 * 96));
  const vertices = Float64Array.from([...a.vertices, ...Array.from(b.vertices, (v, i) => (i % 3 === 0 ? v + 100 : v))]);
  const triangles = Uint32Array.from([...a.triangles, ...holed.map((k) => k + a.vertices.length / 3)]);
  const merged = faceRelief(vertices, triangles, { widthMm: 60, cellMm: 0.5 });
  assertClosedSurface(merged.vertices, merged.triangles);
  // The larger dome is 60 of the 150 units the mesh spans: 24 of the 60 mm.
  assert.ok(Math.abs(merged.size[0] - 24) <= 1, `only the larger dome is kept: ${merged.size[0]} mm wide`);
  const xs = merged.vertices.filter((_, i) => i % 3 === 0);
  assert.equal(Math.min(...xs), 0);
  assert.ok(Math.abs(Math.max(...xs) - merged.size[0]) < 1e-4);
  assert.throws(() => faceRelief(vertices, triangles, { widthMm: -1 }), /widthMm must be a positive number/);
  assert.throws(() => faceRelief(Float32Array.of(0, 0, 0, 0, 0, 0, 0, 0, NaN), Uint32Array.of(0, 1, 2)), /vertex 2 is not finite/);
});

test('encodeStl: the triangles, their corners and unit normals, as an independent reader and three.js\'s STLLoader read them', async () => {
  const { vertices, triangles } = dome(10, 1);
  const solid = faceRelief(vertices, triangles, { widthMm: 20, cellMm: 1 });
  const stl = encodeStl(solid);
  const view = new DataView(stl.buffer, stl.byteOffset, stl.byteLength);
  const m = solid.triangles.length / 3;
  assert.equal(stl.length, 84 + 50 * m);
  assert.equal(view.getUint32(80, true), m);
  assert.match(new TextDecoder().decode(stl.subarray(0, 80)), /^prnet face relief/);
  for (let k = 0; k < m; k++) {
    const o = 84 + 50 * k;
    const normal = [0, 1, 2].map((j) => view.getFloat32(o + 4 * j, true));
    const corners = [0, 1, 2].map((c) => [0, 1, 2].map((j) => view.getFloat32(o + 12 + 12 * c + 4 * j, true)));
    for (let c = 0; c < 3; c++) assert.deepEqual(corners[c], Array.from(solid.vertices.subarray(3 * solid.triangles[3 * k + c]!, 3 * solid.triangles[3 * k + c]! + 3)));
    const u = [0, 1, 2].map((j) => corners[1]![j]! - corners[0]![j]!), w = [0, 1, 2].map((j) => corners[2]![j]! - corners[0]![j]!);
    const cross = [u[1]! * w[2]! - u[2]! * w[1]!, u[2]! * w[0]! - u[0]! * w[2]!, u[0]! * w[1]! - u[1]! * w[0]!];
    const len = Math.hypot(...cross);
    assert.ok(Math.abs(Math.hypot(...normal) - 1) < 1e-6 && cross.every((c, j) => Math.abs(c / len - normal[j]!) < 1e-5), `triangle ${k}: normal ${normal}`);
    assert.equal(view.getUint16(o + 48, true), 0);
  }
  const { STLLoader } = await import('three/examples/jsm/loaders/STLLoader.js');
  const geometry = new STLLoader().parse(stl.buffer.slice(stl.byteOffset, stl.byteOffset + stl.byteLength) as ArrayBuffer);
  assert.equal(geometry.getAttribute('position').count, 3 * m);
  assert.throws(() => encodeStl(solid, 'solid face'), /must not start with "solid"/);
});
