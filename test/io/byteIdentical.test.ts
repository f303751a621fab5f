/**
 * The fast mesh writers (OBJ by digit tables and a cached face section, GLB written
 * straight into one typed array, PLY without a triangle copy) against naive reference
 * writers: OBJ from `toFixed` strings joined, GLB from a glTF Transform document (how
 * encodeGlb wrote it before), PLY through `toYUp` and a DataView. Byte for byte, on
 * random meshes and on the real PRNet topology.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Document, WebIO } from '@gltf-transform/core';
import { encodeObj, type EncodeObjOptions } from '../../src/io/obj.js';
import { encodeGlb, type EncodeGlbOptions, type GlbMesh, GLB_GENERATOR } from '../../src/io/glb.js';
import { encodePly, type EncodePlyOptions } from '../../src/io/ply.js';
import { writeFixed } from '../../src/io/writeFixed.js';
import { toYUp } from '../../src/io/toYUp.js';
import { faceTriangles } from '../../src/uv/faceTriangles.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { seededRandom } from '../support/random.js';

/** `toFixed`, without the sign of a value that rounds to zero ("-0.0000" → "0.0000"), as the writers have always done. */
function fixed(v: number, d: number): string {
  const s = v.toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** The naive OBJ writer: strings per number, joined. */
function referenceObj(mesh: { vertices: Float32Array | Float64Array; triangles: Uint32Array | Int32Array; colors?: Float32Array }, options: EncodeObjOptions = {}): { obj: string; mtl?: string } {
  const d = options.decimals ?? 4;
  const { positions, triangles } = toYUp(mesh.vertices, mesh.triangles, { imageHeight: options.imageHeight, winding: options.winding });
  const tex = options.texture;
  const lines = ['# prnet face mesh'];
  if (tex) lines.push(`mtllib ${tex.mtlFile}`);
  for (let i = 0; i < positions.length / 3; i++) {
    const v = [positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]].map((x) => fixed(x, d));
    if (mesh.colors && !tex) v.push(...[mesh.colors[3 * i], mesh.colors[3 * i + 1], mesh.colors[3 * i + 2]].map((x) => fixed(x, d)));
    lines.push(`v ${v.join(' ')}`);
  }
  if (tex) {
    const n = tex.uvSize;
    for (const k of tex.faceIndices) lines.push(`vt ${fixed(((k % n) + 0.5) / n, 6)} ${fixed(1 - (Math.floor(k / n) + 0.5) / n, 6)}`);
    lines.push('usemtl FaceTexture');
  }
  for (let t = 0; t < triangles.length; t += 3) {
    const c = [triangles[t] + 1, triangles[t + 1] + 1, triangles[t + 2] + 1];
    lines.push(`f ${c.map((k) => (tex ? `${k}/${k}` : `${k}`)).join(' ')}`);
  }
  const obj = lines.join('\n') + '\n';
  if (!tex) return { obj };
  return { obj, mtl: ['newmtl FaceTexture', 'Ka 1 1 1', 'Kd 1 1 1', 'Ks 0 0 0', 'd 1', 'illum 1', `map_Kd ${tex.textureFile}`, ''].join('\n') };
}

/** encodeGlb as it was: a glTF Transform document written by WebIO. */
async function referenceGlb(mesh: GlbMesh, options: EncodeGlbOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 0.001, name = options.name ?? 'face';
  const { vertices, colors, texture } = mesh;
  const nv = vertices.length / 3;
  const { positions, triangles } = toYUp(vertices, mesh.triangles, { imageHeight: options.imageHeight, winding: options.winding });
  for (let i = 0; i < positions.length; i++) positions[i] *= scale;
  const acc = new Float64Array(positions.length);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t], b = 3 * triangles[t + 1], c = 3 * triangles[t + 2];
    const p = positions;
    const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    const n = [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
    for (const k of [a, b, c]) for (let j = 0; j < 3; j++) acc[k + j] += n[j];
  }
  const normals = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    const l = Math.hypot(acc[i], acc[i + 1], acc[i + 2]);
    if (l > 0) for (let j = 0; j < 3; j++) normals[i + j] = acc[i + j] / l;
    else normals[i + 2] = 1;
  }
  const doc = new Document();
  doc.getRoot().getAsset().generator = GLB_GENERATOR;
  const buffer = doc.createBuffer();
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(normals).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(triangles).setBuffer(buffer));
  if (colors) prim.setAttribute('COLOR_0', doc.createAccessor().setType('VEC3').setArray(Float32Array.from(colors, (c) => Math.min(1, Math.max(0, c || 0)))).setBuffer(buffer));
  const material = doc.createMaterial('face').setMetallicFactor(0).setRoughnessFactor(1).setDoubleSided(false);
  if (texture) {
    const n = texture.uvSize;
    const uv = new Float32Array(nv * 2);
    texture.faceIndices.forEach((k, i) => { uv[2 * i] = ((k % n) + 0.5) / n; uv[2 * i + 1] = (Math.floor(k / n) + 0.5) / n; });
    prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer));
    material.setBaseColorTexture(doc.createTexture('face_texture').setMimeType('image/png').setImage(texture.png));
  }
  prim.setMaterial(material);
  doc.createScene('scene').addChild(doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(prim)));
  doc.getRoot().setDefaultScene(doc.getRoot().listScenes()[0]);
  return new WebIO().writeBinary(doc);
}

/** The naive PLY writer: toYUp's copy, then a DataView. */
function referencePly(mesh: { vertices: Float32Array; triangles: Uint32Array | Int32Array; colors?: Float32Array }, options: EncodePlyOptions = {}): Uint8Array {
  const { positions, triangles } = toYUp(mesh.vertices, mesh.triangles, options);
  const nv = positions.length / 3, m = triangles.length / 3, colors = mesh.colors;
  const head = new TextEncoder().encode(['ply', 'format binary_little_endian 1.0', 'comment prnet face mesh, y up', `element vertex ${nv}`,
    'property float x', 'property float y', 'property float z', ...(colors ? ['property uchar red', 'property uchar green', 'property uchar blue'] : []),
    `element face ${m}`, 'property list uchar int vertex_indices', 'end_header', ''].join('\n'));
  const stride = colors ? 15 : 12;
  const out = new Uint8Array(head.length + nv * stride + 13 * m);
  out.set(head);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < nv; i++) {
    const o = head.length + stride * i;
    for (let k = 0; k < 3; k++) dv.setFloat32(o + 4 * k, positions[3 * i + k], true);
    if (colors) for (let k = 0; k < 3; k++) out[o + 12 + k] = Math.max(0, Math.min(255, Math.round(colors[3 * i + k] * 255 || 0)));
  }
  for (let t = 0; t < m; t++) {
    const o = head.length + stride * nv + 13 * t;
    out[o] = 3;
    for (let k = 0; k < 3; k++) dv.setInt32(o + 1 + 4 * k, triangles[3 * t + k], true);
  }
  return out;
}

/** A random triangulated sheet: float32 positions spread over `spread` pixels, some negative, colours in 0…1. */
function randomMesh(seed: number, nv: number, spread: number) {
  const random = seededRandom(seed);
  const vertices = new Float32Array(3 * nv).map(() => (random() - 0.3) * spread);
  const triangles = new Uint32Array(3 * 2 * nv).map(() => Math.floor(random() * nv));
  const colors = new Float32Array(3 * nv).map(() => random());
  const faceIndices = new Uint32Array(nv).map(() => Math.floor(random() * 256 * 256));
  return { vertices, triangles, colors, faceIndices };
}

/** The shipped UV assets' mean face placed in a 450×450 photo: the real topology and realistic numbers. */
async function realMesh() {
  const uv = await loadUvAssets({ dataDir: new URL('../../../shared/prnet-data/uv-data', import.meta.url).pathname, download: false });
  const random = seededRandom(11);
  const c = uv.canonicalVertices;
  const vertices = new Float32Array(c.length);
  for (let i = 0; i < c.length; i += 3) {
    vertices[i] = 225 + 1.3 * c[i] + random() - 0.5;
    vertices[i + 1] = 240 - 1.3 * c[i + 1] + random() - 0.5; // image y down
    vertices[i + 2] = 1.3 * c[i + 2] - 40 + random() - 0.5;
  }
  const colors = new Float32Array(c.length).map(() => random());
  return { vertices, triangles: faceTriangles(uv.faceIndices), colors, faceIndices: uv.faceIndices };
}

test('writeFixed writes what toFixed writes, on random float32 values of every size and 0…9 decimals', () => {
  const random = seededRandom(21);
  const out = new Uint8Array(32);
  for (let i = 0; i < 200000; i++) {
    const v = Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 9 - 4));
    const d = Math.floor(random() * 10);
    const end = writeFixed(out, 0, v, d);
    if (Math.abs(v) * 10 ** d >= 2147483647) { assert.equal(end, -1); continue; }
    assert.equal(new TextDecoder().decode(out.subarray(0, end)), fixed(v, d), `${v} with ${d} decimals`);
  }
  // Exact halves of float32 values round away from zero like toFixed; near-zero negatives lose their sign.
  for (const [v, d, s] of [[0.5, 0, '1'], [2.5, 0, '3'], [-0.125, 2, '-0.13'], [1.375, 2, '1.38'], [-0.00001, 4, '0.0000'], [199.96875, 4, '199.9688']] as const) {
    const end = writeFixed(out, 0, v, d);
    assert.equal(new TextDecoder().decode(out.subarray(0, end)), s);
    assert.equal(fixed(v, d), s);
  }
  for (const v of [NaN, Infinity, -Infinity, 3e9]) assert.equal(writeFixed(out, 0, v, 4), -1);
  assert.equal(writeFixed(out, 0, 1.5, 10), -1, 'more than 9 decimals is not handled');
});

test('encodeObj equals the naive toFixed writer on random meshes (colours, texture, windings, decimals, no image height)', () => {
  for (const [seed, nv, spread] of [[1, 200, 900], [2, 500, 3], [3, 50, 2e5]] as const) {
    const m = randomMesh(seed, nv, spread);
    const tex = { faceIndices: m.faceIndices, uvSize: 256, mtlFile: 'face.mtl', textureFile: 'face_texture.png' };
    const variants: EncodeObjOptions[] = [
      { imageHeight: 450 }, {}, { winding: 'keep' }, { winding: 'reverse', imageHeight: 100 }, { decimals: 2 }, { decimals: 6 }, { decimals: 0 },
      { texture: tex, imageHeight: 450 }, { texture: { ...tex, uvSize: 17 }, winding: 'reverse' },
    ];
    for (const options of variants) {
      for (const colors of [m.colors, undefined]) {
        const mesh = { vertices: m.vertices, triangles: m.triangles, colors };
        const got = encodeObj(mesh, options), want = referenceObj(mesh, options);
        assert.equal(got.mtl, want.mtl);
        assert.ok(got.obj === want.obj, `seed ${seed} ${JSON.stringify({ ...options, texture: !!options.texture })}: first difference at ${firstDifference(got.obj, want.obj)}`);
      }
    }
  }
});

test('encodeObj: numbers outside the fast path (NaN, huge, 12 decimals) fall back to the same text; int32 triangles; a changed triangle array is noticed', () => {
  const m = randomMesh(4, 100, 500);
  for (const [k, v] of [[7, NaN], [20, 3e9], [33, -Infinity]] as const) {
    const vertices = m.vertices.slice();
    vertices[k] = v;
    const mesh = { vertices, triangles: m.triangles, colors: m.colors };
    assert.equal(encodeObj(mesh, { imageHeight: 450, winding: 'keep' }).obj, referenceObj(mesh, { imageHeight: 450, winding: 'keep' }).obj);
  }
  const small = { vertices: m.vertices.slice(0, 30).map((x) => x / 1000), triangles: new Int32Array([0, 1, 2, 3, 4, 5, 9, 8, 7]), colors: m.colors.slice(0, 30) };
  assert.equal(encodeObj(small, { decimals: 12 }).obj, referenceObj(small, { decimals: 12 }).obj);
  assert.equal(encodeObj(small).obj, referenceObj(small).obj);
  // The face section is cached per triangle array: changing the array in place must show.
  const triangles = m.triangles.slice();
  const mesh = { vertices: m.vertices, triangles, colors: m.colors };
  const first = encodeObj(mesh, { imageHeight: 450 }).obj;
  assert.equal(encodeObj(mesh, { imageHeight: 450 }).obj, first);
  triangles[5] = (triangles[5] + 1) % 100;
  const second = encodeObj(mesh, { imageHeight: 450 }).obj;
  assert.notEqual(second, first);
  assert.equal(second, referenceObj(mesh, { imageHeight: 450 }).obj);
  assert.throws(() => encodeObj({ vertices: m.vertices, triangles: m.triangles.subarray(0, 4) }), /not a multiple of 3/);
});

test('encodeGlb equals the glTF Transform path byte for byte on random meshes', async () => {
  const png = new Uint8Array(37).map((_, i) => (i * 53 + 7) % 256); // not a real PNG: only its bytes are copied
  for (const [seed, nv] of [[5, 300], [6, 41]] as const) {
    const m = randomMesh(seed, nv, 700);
    const texture = { png, faceIndices: m.faceIndices, uvSize: 256 };
    const cases: Array<[GlbMesh, EncodeGlbOptions]> = [
      [{ vertices: m.vertices, triangles: m.triangles, colors: m.colors }, { imageHeight: 450 }],
      [{ vertices: m.vertices, triangles: m.triangles }, {}],
      [{ vertices: m.vertices, triangles: m.triangles, texture: { ...texture, png: png.subarray(0, 32) } }, { winding: 'reverse', name: 'x"ä' }],
      [{ vertices: m.vertices, triangles: m.triangles, colors: Float32Array.from(m.colors, (c, i) => (i % 7 ? c * 1.4 - 0.2 : NaN)), texture }, { scale: 1, winding: 'keep', name: '' }],
      [{ vertices: m.vertices, triangles: new Uint32Array(0) }, { imageHeight: 10 }],
    ];
    for (const [mesh, options] of cases) {
      const got = await encodeGlb(mesh, options), want = await referenceGlb(mesh, options);
      assert.equal(got.length, want.length, `seed ${seed} ${JSON.stringify(options)}`);
      assert.ok(Buffer.from(got).equals(Buffer.from(want)), `seed ${seed} ${JSON.stringify(options)}: first difference at byte ${firstDifference(got, want)}`);
    }
  }
});

test('encodePly equals the toYUp + DataView writer on random meshes', () => {
  const m = randomMesh(8, 400, 600);
  for (const options of [{ imageHeight: 450 }, {}, { winding: 'reverse' as const }]) {
    for (const colors of [m.colors, undefined]) {
      const mesh = { vertices: m.vertices, triangles: m.triangles, colors };
      assert.ok(Buffer.from(encodePly(mesh, options)).equals(Buffer.from(referencePly(mesh, options))));
    }
  }
});

test('OBJ, GLB and PLY of the real PRNet topology (43,867 vertices, 86,907 triangles) equal the reference writers', async () => {
  const m = await realMesh();
  assert.equal(m.triangles.length, 3 * 86907);
  const mesh = { vertices: m.vertices, triangles: m.triangles, colors: m.colors };
  const tex = { faceIndices: m.faceIndices, uvSize: 256, mtlFile: 'face.mtl', textureFile: 'face_texture.png' };
  for (const options of [{ imageHeight: 450 }, { imageHeight: 450, texture: tex }]) {
    const got = encodeObj(mesh, options).obj, want = referenceObj(mesh, options).obj;
    assert.ok(got === want, `first difference at ${firstDifference(got, want)}`);
    assert.equal(encodeObj(mesh, options).obj, want, 'again, from the cached face section');
  }
  const png = new Uint8Array(101).map((_, i) => (i * 31) % 256);
  for (const glbMesh of [mesh, { ...mesh, texture: { png, faceIndices: m.faceIndices, uvSize: 256 } }]) {
    const got = await encodeGlb(glbMesh, { imageHeight: 450 }), want = await referenceGlb(glbMesh, { imageHeight: 450 });
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), `first difference at byte ${firstDifference(got, want)}`);
  }
  assert.ok(Buffer.from(encodePly(mesh, { imageHeight: 450 })).equals(Buffer.from(referencePly(mesh, { imageHeight: 450 }))));
});

function firstDifference(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
