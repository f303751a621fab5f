/**
 * The mesh writers' fast paths against simple references written here: OBJ (4-decimal
 * numbers by whole 4-byte stores, `vt` and `f` lines cached per topology array) against
 * `toFixed` strings joined line by line; GLB parsed back and compared value by value with
 * positions, normals (`Math.hypot`), colours and indices computed directly. Random
 * meshes, the real PRNet topology, values that round across a digit boundary or to a
 * signless zero, NaN, and arrays changed in place.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { encodeObj, type EncodeObjOptions } from '../../src/io/obj.js';
import { encodeGlb } from '../../src/io/glb.js';
import { writeFixed4 } from '../../src/io/writeFixed.js';
import { AsciiWriter } from '../../src/io/asciiWriter.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { seededRandom } from '../support/random.js';

/** `toFixed` without the minus sign of a value that rounds to zero (the writers' rule). */
function fixed(v: number, d: number): string {
  const s = v.toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Values that end on a rounding edge: digit-count changes, halves, signless zeros, the 1000 limit. */
const EDGES = [
  9.9999996, -9.9999996, 99.99995, 999.99994, 999.99995, -999.99995, 1000, 0.99995, 0.00005, -0.00004, -0.00005, -0.00006,
  0.5, -0.5, 0.00015, 1.00005, 449.99997, 123.45675, -0, 0, 1e-9, -1e-9, 2147.4836, 214748.36, 3e5, -3e5,
];

/**
 * For float32 values (every mesh the pipeline makes) the writers' text is toFixed's. A
 * float64 value is rounded as `Math.round(|v|·10⁴)`, as the writers always did
 * (AsciiWriter, the general path): it differs from toFixed only within a rounding error
 * of a tie, e.g. 99.99995 (stored as 99.9999499…) → "100.0000" where toFixed says "99.9999".
 */
function writersFixed4(v: number): string {
  return Math.fround(v) === v ? fixed(v, 4) : new AsciiWriter().fixed(v, 4).toString();
}

test('writeFixed4 writes toFixed(4) for float32 values (the writers\' rule for float64) of every size, rounding edges, and the fallback', () => {
  const random = seededRandom(1601);
  const out = new Uint8Array(64);
  const view = new DataView(out.buffer);
  const check = (v: number): void => {
    out.fill(0x7e);
    const end = writeFixed4(out, view, 3, v);
    if (!Number.isFinite(v) || Math.abs(v) * 1e4 >= 2147483647) { assert.equal(end, -1, `${v}`); return; }
    assert.equal(new TextDecoder().decode(out.subarray(3, end)), writersFixed4(v), `${v}`);
    assert.equal(out[2], 0x7e, 'nothing before the number');
  };
  for (let i = 0; i < 200000; i++) {
    const v = (random() - 0.4) * 10 ** Math.floor(random() * 10 - 5);
    check(v); // float64: Math.round's path
    check(Math.fround(v)); // float32: the branch-free rounding
  }
  for (const v of EDGES) { check(v); check(Math.fround(v)); }
  for (const v of [NaN, Infinity, -Infinity, 3e6]) assert.equal(writeFixed4(out, view, 0, v), -1);
  const at = (v: number): string => new TextDecoder().decode(out.subarray(0, writeFixed4(out, view, 0, v)));
  assert.equal(at(Math.fround(9.9999996)), '10.0000');
  assert.equal(at(Math.fround(-0.00004)), '0.0000');
  assert.equal(at(-0.00006), '-0.0001');
  assert.equal(at(Math.fround(999.99995)), '999.9999'); // 999.999938…: float32 has nothing between it and 1000
  assert.equal(at(999.99996), '1000.0000'); // past the table's range: writeFixed
  assert.equal(at(-999.99996), '-1000.0000');
  assert.equal(at(99.99995), '100.0000', 'float64 near a tie: the writers\' rule, not toFixed\'s');
  assert.equal(fixed(99.99995, 4), '99.9999');
});

interface Mesh { vertices: Float32Array | Float64Array; triangles: Uint32Array | Int32Array; colors?: Float32Array | Float64Array }

/**
 * The naive OBJ writer, independent of src/io (only the 'auto' winding decision is
 * recomputed here the simple way): a string per number and per line, joined.
 */
function naiveObj(mesh: Mesh, options: EncodeObjOptions = {}): string {
  const d = options.decimals ?? 4, h = options.imageHeight, tex = options.texture;
  const nv = mesh.vertices.length / 3;
  const p = new Float32Array(3 * nv);
  for (let i = 0; i < nv; i++) {
    p[3 * i] = mesh.vertices[3 * i]!;
    p[3 * i + 1] = h === undefined ? -mesh.vertices[3 * i + 1]! : h - 1 - mesh.vertices[3 * i + 1]!;
    p[3 * i + 2] = mesh.vertices[3 * i + 2]!;
  }
  const t = mesh.triangles;
  let area = 0;
  for (let k = 0; k < t.length; k += 3) {
    const a = 3 * t[k]!, b = 3 * t[k + 1]!, c = 3 * t[k + 2]!;
    const s = (p[b]! - p[a]!) * (p[c + 1]! - p[a + 1]!) - (p[b + 1]! - p[a + 1]!) * (p[c]! - p[a]!);
    if (Number.isFinite(s)) area += s;
  }
  const winding = options.winding ?? 'auto';
  const reverse = winding === 'reverse' || (winding === 'auto' && area < 0);
  const lines = ['# prnet face mesh'];
  if (tex) lines.push(`mtllib ${tex.mtlFile}`);
  for (let i = 0; i < nv; i++) {
    const v = [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!];
    if (mesh.colors && !tex) v.push(mesh.colors[3 * i]!, mesh.colors[3 * i + 1]!, mesh.colors[3 * i + 2]!);
    lines.push(`v ${v.map((x) => fixed(x, d)).join(' ')}`);
  }
  if (tex) {
    const n = tex.uvSize;
    for (const k of tex.faceIndices) lines.push(`vt ${fixed(((k % n) + 0.5) / n, 6)} ${fixed(1 - (Math.floor(k / n) + 0.5) / n, 6)}`);
    lines.push('usemtl FaceTexture');
  }
  for (let k = 0; k < t.length; k += 3) {
    const c = [t[k]! + 1, t[k + (reverse ? 2 : 1)]! + 1, t[k + (reverse ? 1 : 2)]! + 1];
    lines.push(`f ${c.map((i) => (tex ? `${i}/${i}` : `${i}`)).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: got ${JSON.stringify(a.slice(i - 20, i + 40))}, want ${JSON.stringify(b.slice(i - 20, i + 40))}`;
}

function assertObj(mesh: Mesh, options: EncodeObjOptions, what: string): void {
  const got = encodeObj(mesh, options).obj, want = naiveObj(mesh, options);
  assert.ok(got === want, `${what}: ${firstDifference(got, want)}`);
}

/**
 * Random vertices with the edge values sprinkled in, in float32 or float64 arrays (the
 * edge values as float32 numbers: see writersFixed4 for float64 ties; the vertices become
 * float32 in the writers anyway).
 */
function randomMesh(seed: number, nv: number, spread: number, float64: boolean): Mesh & { faceIndices: Uint32Array } {
  const random = seededRandom(seed);
  const F = float64 ? Float64Array : Float32Array;
  const vertices = new F(3 * nv).map((_, i) => (i % 17 === 5 ? Math.fround(EDGES[i % EDGES.length]!) : (random() - 0.3) * spread));
  const colors = new F(3 * nv).map((_, i) => (i % 13 === 2 ? Math.fround(EDGES[i % EDGES.length]!) : random()));
  const triangles = new Uint32Array(6 * nv).map(() => Math.floor(random() * nv));
  const faceIndices = new Uint32Array(nv).map(() => Math.floor(random() * 65536));
  return { vertices, triangles, colors, faceIndices };
}

test('encodeObj equals the naive toFixed writer: random float32/float64 meshes with rounding edges, every option', () => {
  for (const [seed, nv, spread, float64] of [[1, 300, 900, false], [2, 300, 900, true], [3, 200, 4, false], [4, 100, 5000, true]] as const) {
    const m = randomMesh(seed, nv, spread, float64);
    const tex = { faceIndices: m.faceIndices, uvSize: 256, mtlFile: 'face.mtl', textureFile: 'face_texture.png' };
    const variants: EncodeObjOptions[] = [
      { imageHeight: 450 }, {}, { winding: 'keep' }, { winding: 'reverse' }, { decimals: 3 }, { decimals: 6 },
      { texture: tex, imageHeight: 450 }, { texture: { ...tex, uvSize: 100 } }, { texture: tex, decimals: 2 },
    ];
    for (const options of variants) {
      for (const colors of [m.colors, undefined]) assertObj({ vertices: m.vertices, triangles: m.triangles, colors }, options, `seed ${seed} ${JSON.stringify({ ...options, texture: options.texture?.uvSize })}`);
    }
  }
});

test('encodeObj: NaN and huge values (the general path) give the naive text, with and without texture', () => {
  const m = randomMesh(5, 120, 600, false);
  const tex = { faceIndices: m.faceIndices, uvSize: 256, mtlFile: 'face.mtl', textureFile: 'face_texture.png' };
  for (const [k, v] of [[4, NaN], [10, 5e6], [11, -Infinity]] as const) {
    const vertices = m.vertices.slice();
    vertices[k] = v;
    for (const options of [{ imageHeight: 450, winding: 'keep' as const }, { texture: tex, winding: 'keep' as const }]) {
      assertObj({ vertices, triangles: m.triangles, colors: m.colors }, options, `vertex value ${v}`);
    }
  }
  const colors = m.colors!.slice();
  colors[7] = NaN;
  assertObj({ vertices: m.vertices, triangles: m.triangles, colors }, { imageHeight: 450 }, 'NaN colour');
  // UV sizes whose coordinates are not finite or huge: the vt text still matches.
  for (const uvSize of [0, 1e-3]) assertObj({ vertices: m.vertices, triangles: m.triangles }, { texture: { ...tex, uvSize } }, `uvSize ${uvSize}`);
});

test('encodeObj: the cached vt and f lines follow face indices and triangles changed in place', () => {
  const m = randomMesh(6, 150, 400, false);
  const faceIndices = m.faceIndices.slice(), triangles = new Int32Array(m.triangles);
  const tex = { faceIndices, uvSize: 256, mtlFile: 'a b.mtl', textureFile: 't.png' };
  const mesh = { vertices: m.vertices, triangles };
  assertObj(mesh, { texture: tex }, 'first');
  assertObj(mesh, { texture: tex }, 'again, from the caches');
  assertObj(mesh, { texture: { ...tex, uvSize: 300 } }, 'same indices, another UV size');
  faceIndices[9] = (faceIndices[9]! + 1) % 65536;
  assertObj(mesh, { texture: tex }, 'face index changed in place');
  triangles[4] = (triangles[4]! + 1) % 150;
  assertObj(mesh, { texture: tex }, 'triangle changed in place');
  assertObj(mesh, { winding: 'reverse' }, 'untextured after textured');
});

test('encodeObj of the real PRNet topology (43,867 vertices) equals the naive writer, with colours and with texture', async () => {
  const uv = await loadUvAssets({ dataDir: new URL('../../../shared/prnet-data/uv-data', import.meta.url).pathname, download: false });
  const random = seededRandom(16);
  const c = uv.canonicalVertices;
  const vertices = new Float32Array(c.length);
  for (let i = 0; i < c.length; i += 3) {
    vertices[i] = 225 + 1.3 * c[i]! + random() - 0.5;
    vertices[i + 1] = 240 - 1.3 * c[i + 1]! + random() - 0.5;
    vertices[i + 2] = 1.3 * c[i + 2]! - 40 + random() - 0.5;
  }
  const colors = new Float32Array(c.length).map(() => random());
  const tex = { faceIndices: uv.faceIndices, uvSize: 256, mtlFile: 'face.mtl', textureFile: 'face_texture.png' };
  for (let round = 0; round < 2; round++) { // the second round from the topology caches
    assertObj({ vertices, triangles: uv.triangles, colors }, { imageHeight: 450 }, `colours, round ${round}`);
    assertObj({ vertices, triangles: uv.triangles }, { imageHeight: 450, texture: tex }, `texture, round ${round}`);
  }
});

/** A GLB's JSON and its vertex/index arrays, read back. */
function parseGlb(glb: Uint8Array) {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  assert.equal(dv.getUint32(0, true), 0x46546c67);
  const jsonLength = dv.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength)));
  const bin = 20 + jsonLength + 8;
  const prim = json.meshes[0].primitives[0];
  const read = (name: string): Float32Array => {
    const acc = json.accessors[prim.attributes[name]];
    const view = json.bufferViews[acc.bufferView];
    const n = acc.type === 'VEC2' ? 2 : 3;
    const out = new Float32Array(acc.count * n);
    for (let i = 0; i < acc.count; i++) {
      for (let j = 0; j < n; j++) out[n * i + j] = dv.getFloat32(bin + view.byteOffset + acc.byteOffset + i * view.byteStride + 4 * j, true);
    }
    return out;
  };
  const ia = json.accessors[prim.indices];
  const iv = json.bufferViews[ia.bufferView];
  const indices = new Uint32Array(ia.count);
  for (let i = 0; i < ia.count; i++) indices[i] = dv.getUint32(bin + iv.byteOffset + 4 * i, true);
  return { json, positions: read('POSITION'), normals: read('NORMAL'), colors: prim.attributes.COLOR_0 === undefined ? undefined : read('COLOR_0'), indices };
}

/** What the GLB must hold, computed directly: y-up scaled positions, re-wound indices, Math.hypot normals, clamped colours. */
function expectGlb(mesh: Mesh, imageHeight: number, reverse: boolean, scale = 0.001) {
  const nv = mesh.vertices.length / 3;
  const positions = new Float32Array(3 * nv);
  for (let i = 0; i < nv; i++) {
    positions[3 * i] = Math.fround(mesh.vertices[3 * i]!) * scale;
    positions[3 * i + 1] = Math.fround(imageHeight - 1 - mesh.vertices[3 * i + 1]!) * scale;
    positions[3 * i + 2] = Math.fround(mesh.vertices[3 * i + 2]!) * scale;
  }
  const t = mesh.triangles;
  const indices = new Uint32Array(t.length);
  for (let k = 0; k < t.length; k += 3) {
    indices[k] = t[k]!;
    indices[k + 1] = t[k + (reverse ? 2 : 1)]!;
    indices[k + 2] = t[k + (reverse ? 1 : 2)]!;
  }
  const acc = new Float64Array(3 * nv);
  for (let k = 0; k < indices.length; k += 3) {
    const [a, b, c] = [3 * indices[k]!, 3 * indices[k + 1]!, 3 * indices[k + 2]!];
    const u = [0, 1, 2].map((j) => positions[b + j]! - positions[a + j]!), v = [0, 1, 2].map((j) => positions[c + j]! - positions[a + j]!);
    const n = [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
    for (const x of [a, b, c]) for (let j = 0; j < 3; j++) acc[x + j] += n[j]!;
  }
  const normals = new Float32Array(3 * nv);
  for (let i = 0; i < 3 * nv; i += 3) {
    const l = Math.hypot(acc[i]!, acc[i + 1]!, acc[i + 2]!);
    if (l > 0) for (let j = 0; j < 3; j++) normals[i + j] = acc[i + j]! / l;
    else normals[i + 2] = 1;
  }
  const colors = mesh.colors && Float32Array.from(mesh.colors, (x) => Math.min(1, Math.max(0, x || 0)));
  return { positions, normals, colors, indices };
}

function assertGlb(got: ReturnType<typeof parseGlb>, want: ReturnType<typeof expectGlb>, what: string): void {
  for (const k of ['positions', 'normals', 'indices', 'colors'] as const) {
    const g = got[k], w = want[k];
    assert.equal(g === undefined, w === undefined, `${what}: ${k}`);
    if (g && w) assert.ok(Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength)), `${what}: ${k} differ`);
  }
}

test('encodeGlb holds the directly computed positions, normals, colours and indices: across topologies, sizes and in-place changes', async () => {
  const random = seededRandom(7);
  const big = randomMesh(8, 500, 400, false), small = randomMesh(9, 60, 400, true);
  for (const m of [big, small, big]) {
    for (const winding of ['reverse', 'keep'] as const) {
      const mesh = { vertices: m.vertices, triangles: m.triangles, colors: m.colors!.map((x) => x * 1.4 - 0.2) };
      assertGlb(parseGlb(await encodeGlb(mesh, { imageHeight: 450, winding })), expectGlb(mesh, 450, winding === 'reverse'), `${m.vertices.length / 3} vertices, ${winding}`);
    }
  }
  // Int32 triangles, changed in place between calls.
  const triangles = new Int32Array(big.triangles);
  const mesh = { vertices: big.vertices, triangles };
  assertGlb(parseGlb(await encodeGlb(mesh, { imageHeight: 450, winding: 'reverse' })), expectGlb(mesh, 450, true), 'int32 first');
  for (let k = 0; k < 20; k++) triangles[Math.floor(random() * triangles.length)] = Math.floor(random() * 500);
  assertGlb(parseGlb(await encodeGlb(mesh, { imageHeight: 450, winding: 'reverse' })), expectGlb(mesh, 450, true), 'int32 changed in place');
});

test('encodeGlb of the real PRNet topology holds the directly computed arrays', async () => {
  const uv = await loadUvAssets({ dataDir: new URL('../../../shared/prnet-data/uv-data', import.meta.url).pathname, download: false });
  const random = seededRandom(17);
  const c = uv.canonicalVertices;
  const vertices = new Float32Array(c.length);
  for (let i = 0; i < c.length; i += 3) {
    vertices[i] = 225 + 1.3 * c[i]! + random();
    vertices[i + 1] = 240 - 1.3 * c[i + 1]! + random();
    vertices[i + 2] = 1.3 * c[i + 2]! - 40 + random();
  }
  const colors = new Float32Array(c.length).map(() => random());
  const mesh = { vertices, triangles: uv.triangles, colors };
  const got = parseGlb(await encodeGlb(mesh, { imageHeight: 450 }));
  // 'auto' winding: the face seen from the camera; which way it went is checked by the reference writers' test.
  const reverse = got.indices[1] !== uv.triangles[1];
  assertGlb(got, expectGlb(mesh, 450, reverse), 'real topology');
});
