import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { encodeObj } from '../../src/io/obj.js';
import { encodePly } from '../../src/io/ply.js';
import { encodeGlb } from '../../src/io/glb.js';
import { encodePng } from '../../src/io/png.js';
import { toYUp } from '../../src/io/toYUp.js';
import { faceJson, FACE_JSON_SCHEMA } from '../../src/io/faceJson.js';
import { rng, gridMesh } from '../render/helpers.js';

interface ValidationReport { issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number; pointer?: string }[] } }
const validator = createRequire(import.meta.url)('gltf-validator') as { validateBytes(data: Uint8Array, options?: object): Promise<ValidationReport> };

const H = 120;
/** A bumpy face-like sheet in image coordinates with random colours; `flip` reverses every winding. */
function testMesh(seed: number, flip: boolean) {
  const random = rng(seed);
  const mesh = gridMesh(12, 10, 20.3, 15.7, 7, (x, y) => 50 + 10 * Math.cos((x - 60) / 30) * Math.cos((y - 50) / 30) + random(), 3, random);
  if (flip) for (let t = 0; t < mesh.triangles.length; t += 3) { const s = mesh.triangles[t]; mesh.triangles[t] = mesh.triangles[t + 2]; mesh.triangles[t + 2] = s; }
  const colors = new Float32Array(mesh.vertices.length).map(() => random());
  const nv = mesh.vertices.length / 3;
  // UV texels of a 16×16 map, all distinct.
  const faceIndices = new Uint32Array(nv).map((_, i) => (i * 7) % 256);
  return { vertices: Float32Array.from(mesh.vertices), triangles: mesh.triangles, colors, faceIndices };
}

/** Signed projected area seen from +z in a y-up frame: positive is counter-clockwise. */
function projectedArea(p: ArrayLike<number>, tri: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < tri.length; t += 3) {
    const a = 3 * tri[t], b = 3 * tri[t + 1], c = 3 * tri[t + 2];
    s += (p[b] - p[a]) * (p[c + 1] - p[a + 1]) - (p[b + 1] - p[a + 1]) * (p[c] - p[a]);
  }
  return s;
}

/** Same triangle up to a rotation of its indices, in either winding; returns +1, -1 or 0. */
function sameTriangle(a: number[], b: number[]): number {
  const rot = (x: number[], k: number) => [x[k % 3], x[(k + 1) % 3], x[(k + 2) % 3]];
  for (let k = 0; k < 3; k++) {
    if (rot(b, k).every((v, i) => v === a[i])) return 1;
    if (rot([b[0], b[2], b[1]], k).every((v, i) => v === a[i])) return -1;
  }
  return 0;
}

test('toYUp flips y and winds faces counter-clockwise toward the viewer for either input winding', () => {
  for (const flip of [false, true]) {
    const m = testMesh(1, flip);
    const { positions, triangles } = toYUp(m.vertices, m.triangles, { imageHeight: H });
    for (let i = 0; i < m.vertices.length / 3; i++) {
      assert.equal(positions[3 * i], m.vertices[3 * i]);
      assert.ok(Math.abs(positions[3 * i + 1] - (H - 1 - m.vertices[3 * i + 1])) < 1e-4);
      assert.equal(positions[3 * i + 2], m.vertices[3 * i + 2]);
    }
    assert.ok(projectedArea(positions, triangles) > 0);
    // Every triangle is kept, all re-wound the same way.
    const signs = new Set<number>();
    for (let t = 0; t < triangles.length; t += 3) signs.add(sameTriangle([...triangles.subarray(t, t + 3)], [...m.triangles.subarray(t, t + 3)]));
    assert.equal(signs.size, 1);
    assert.ok(!signs.has(0));
    const noHeight = toYUp(m.vertices, m.triangles);
    assert.equal(noHeight.positions[1], -m.vertices[1]);
    // Forced windings: 'keep' is the input order, 'reverse' always swaps.
    assert.deepEqual(toYUp(m.vertices, m.triangles, { winding: 'keep' }).triangles, m.triangles);
    const rev = toYUp(m.vertices, m.triangles, { winding: 'reverse' }).triangles;
    for (let t = 0; t < rev.length; t += 3) assert.equal(sameTriangle([...rev.subarray(t, t + 3)], [...m.triangles.subarray(t, t + 3)]), -1);
    // The input with flip=false is clockwise in y-up (like faceTriangles), so 'auto' = 'reverse' there.
    if (!flip) assert.deepEqual(triangles, rev);
  }
});

/** Minimal OBJ reader for the test: v (with optional colours), vt, f with v or v/vt. */
function parseObj(text: string) {
  const v: number[][] = [], vt: number[][] = [], f: number[][] = [], ft: number[][] = [];
  let mtllib = '', usemtl = '';
  for (const line of text.split('\n')) {
    const [k, ...rest] = line.trim().split(/\s+/);
    if (k === 'v') v.push(rest.map(Number));
    else if (k === 'vt') vt.push(rest.map(Number));
    else if (k === 'f') { f.push(rest.map((s) => Number(s.split('/')[0]) - 1)); if (rest[0].includes('/')) ft.push(rest.map((s) => Number(s.split('/')[1]) - 1)); }
    else if (k === 'mtllib') mtllib = rest.join(' ');
    else if (k === 'usemtl') usemtl = rest.join(' ');
  }
  return { v, vt, f, ft, mtllib, usemtl };
}

test('OBJ with vertex colours round-trips positions (y flipped), colours and faces', () => {
  const m = testMesh(2, true);
  const { obj, mtl } = encodeObj({ vertices: m.vertices, triangles: m.triangles, colors: m.colors }, { imageHeight: H });
  assert.equal(mtl, undefined);
  const p = parseObj(obj);
  const nv = m.vertices.length / 3;
  assert.equal(p.v.length, nv);
  assert.equal(p.f.length, m.triangles.length / 3);
  for (let i = 0; i < nv; i++) {
    assert.equal(p.v[i].length, 6);
    const expected = [m.vertices[3 * i], H - 1 - m.vertices[3 * i + 1], m.vertices[3 * i + 2], m.colors[3 * i], m.colors[3 * i + 1], m.colors[3 * i + 2]];
    for (let k = 0; k < 6; k++) assert.ok(Math.abs(p.v[i][k] - expected[k]) <= 1e-4, `vertex ${i} value ${k}: ${p.v[i][k]} vs ${expected[k]}`);
  }
  for (let t = 0; t < p.f.length; t++) assert.notEqual(sameTriangle(p.f[t], [...m.triangles.subarray(3 * t, 3 * t + 3)]), 0);
  assert.ok(projectedArea(p.v.flat().filter((_, i) => i % 6 < 3), p.f.flat()) > 0, 'faces wound counter-clockwise toward +z');
});

test('OBJ + MTL with texture coordinates at UV texel centres', () => {
  const m = testMesh(3, false);
  const { obj, mtl } = encodeObj({ vertices: m.vertices, triangles: m.triangles, colors: m.colors }, {
    imageHeight: H, texture: { faceIndices: m.faceIndices, uvSize: 16, mtlFile: 'face.mtl', textureFile: 'face_texture.png' },
  });
  const p = parseObj(obj);
  assert.equal(p.mtllib, 'face.mtl');
  assert.equal(p.usemtl, 'FaceTexture');
  assert.match(mtl!, /^newmtl FaceTexture$/m);
  assert.match(mtl!, /^map_Kd face_texture\.png$/m);
  assert.equal(p.v[0].length, 3, 'no colours when textured');
  assert.equal(p.vt.length, m.vertices.length / 3);
  for (let i = 0; i < p.vt.length; i++) {
    const k = m.faceIndices[i];
    assert.ok(Math.abs(p.vt[i][0] - ((k % 16) + 0.5) / 16) < 1e-6);
    assert.ok(Math.abs(p.vt[i][1] - (1 - (Math.floor(k / 16) + 0.5) / 16)) < 1e-6);
  }
  assert.deepEqual(p.ft, p.f, 'vertex i uses texture coordinate i');
});

test('binary PLY round-trips positions, byte colours and faces', () => {
  const m = testMesh(4, false);
  const bytes = encodePly({ vertices: m.vertices, triangles: m.triangles, colors: m.colors }, { imageHeight: H });
  const text = new TextDecoder('latin1').decode(bytes);
  const end = text.indexOf('end_header\n') + 'end_header\n'.length;
  const header = text.slice(0, end);
  assert.match(header, /^ply\nformat binary_little_endian 1\.0\n/);
  const nv = Number(/element vertex (\d+)/.exec(header)![1]);
  const nf = Number(/element face (\d+)/.exec(header)![1]);
  assert.equal(nv, m.vertices.length / 3);
  assert.equal(nf, m.triangles.length / 3);
  assert.equal(bytes.length, end + nv * 15 + nf * 13);
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const pos: number[] = [];
  for (let i = 0; i < nv; i++) {
    const o = end + 15 * i;
    const xyz = [dv.getFloat32(o, true), dv.getFloat32(o + 4, true), dv.getFloat32(o + 8, true)];
    pos.push(...xyz);
    assert.equal(xyz[0], m.vertices[3 * i]);
    assert.equal(xyz[1], Math.fround(H - 1 - m.vertices[3 * i + 1]));
    assert.equal(xyz[2], m.vertices[3 * i + 2]);
    for (let c = 0; c < 3; c++) assert.equal(bytes[o + 12 + c], Math.round(m.colors[3 * i + c] * 255));
  }
  const faces: number[] = [];
  for (let t = 0; t < nf; t++) {
    const o = end + 15 * nv + 13 * t;
    assert.equal(bytes[o], 3);
    const f = [dv.getInt32(o + 1, true), dv.getInt32(o + 5, true), dv.getInt32(o + 9, true)];
    faces.push(...f);
    assert.notEqual(sameTriangle(f, [...m.triangles.subarray(3 * t, 3 * t + 3)]), 0);
  }
  assert.ok(projectedArea(pos, faces) > 0);
  const plain = encodePly({ vertices: m.vertices, triangles: m.triangles });
  assert.ok(!new TextDecoder().decode(plain.subarray(0, 300)).includes('red'));
});

test('GLB with vertex colours and with a texture passes the Khronos validator and re-reads', async () => {
  const m = testMesh(5, true);
  const tex = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 3).map((_, i) => (i * 37) % 256) };
  const png = await encodePng(tex);
  for (const variant of ['colors', 'texture'] as const) {
    const glb = await encodeGlb({
      vertices: m.vertices, triangles: m.triangles,
      ...(variant === 'colors' ? { colors: m.colors } : { texture: { png, faceIndices: m.faceIndices, uvSize: 16 } }),
    }, { imageHeight: H, scale: 0.01 });
    const report = await validator.validateBytes(glb);
    const errors = report.issues.messages.filter((x) => x.severity === 0);
    assert.equal(report.issues.numErrors, 0, JSON.stringify(errors.slice(0, 5)));

    const doc = await new NodeIO().readBinary(glb);
    const prim = doc.getRoot().listMeshes()[0].listPrimitives()[0];
    const pos = prim.getAttribute('POSITION')!.getArray()!;
    const idx = prim.getIndices()!.getArray()!;
    assert.ok(idx instanceof Uint32Array);
    for (let i = 0; i < m.vertices.length / 3; i++) {
      assert.ok(Math.abs(pos[3 * i] - m.vertices[3 * i] * 0.01) < 1e-5);
      assert.ok(Math.abs(pos[3 * i + 1] - (H - 1 - m.vertices[3 * i + 1]) * 0.01) < 1e-5);
      assert.ok(Math.abs(pos[3 * i + 2] - m.vertices[3 * i + 2] * 0.01) < 1e-5);
    }
    assert.ok(projectedArea(pos, idx) > 0, 'front faces toward the viewer');
    // Normals point toward the viewer (+z) on a face seen from the front.
    const nrm = prim.getAttribute('NORMAL')!.getArray()!;
    let meanZ = 0;
    for (let i = 2; i < nrm.length; i += 3) meanZ += nrm[i];
    assert.ok(meanZ / (nrm.length / 3) > 0.8);
    const mat = prim.getMaterial()!;
    assert.equal(mat.getMetallicFactor(), 0);
    if (variant === 'colors') {
      const col = prim.getAttribute('COLOR_0')!.getArray()!;
      for (let i = 0; i < col.length; i++) assert.ok(Math.abs(col[i] - m.colors[i]) < 1e-6);
    } else {
      const uv = prim.getAttribute('TEXCOORD_0')!.getArray()!;
      for (let i = 0; i < m.faceIndices.length; i++) {
        const k = m.faceIndices[i];
        assert.ok(Math.abs(uv[2 * i] - ((k % 16) + 0.5) / 16) < 1e-6);
        assert.ok(Math.abs(uv[2 * i + 1] - (Math.floor(k / 16) + 0.5) / 16) < 1e-6, 'glTF v points down like the image');
      }
      const image = mat.getBaseColorTexture()!.getImage()!;
      const { data } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual(new Uint8Array(data), tex.data);
    }
  }
  await assert.rejects(encodeGlb({ vertices: new Float32Array([0, 0, NaN]), triangles: new Uint32Array(0) }), /vertex 0 is not finite/);
});

test('faceJson writes the documented schema', () => {
  const random = rng(6);
  const landmarks = new Float32Array(68 * 3).map(() => random() * 400);
  const cameraMatrix = [0.9, 0.01, -0.02, 10.5, -0.01, 0.9, 0.03, 20.25, 0.02, -0.03, 0.9, 0.000123456];
  const text = faceJson({
    image: { width: 450, height: 400, file: 'a.jpg' }, model: 'resfcn256',
    faces: [{ landmarks, vertices: new Float32Array(30), pose: { yaw: 12.345, pitch: -3.21, roll: NaN, cameraMatrix }, box: [10, 20, 200, 220], score: 0.98765 }],
  });
  const doc = JSON.parse(text);
  assert.equal(doc.schema, 'prnet-faces/2');
  assert.equal(doc.schema, FACE_JSON_SCHEMA);
  assert.match(doc.frame, /x right, y down, z toward the viewer.*box \[x, y, w, h\]/);
  assert.equal(doc.reason, undefined);
  assert.deepEqual(doc.image, { width: 450, height: 400, file: 'a.jpg' });
  assert.equal(doc.model, 'resfcn256');
  const f = doc.faces[0];
  assert.equal(f.landmarks.length, 68);
  for (let i = 0; i < 68; i++) for (let k = 0; k < 3; k++) assert.ok(Math.abs(f.landmarks[i][k] - landmarks[3 * i + k]) <= 0.005 + 1e-9);
  assert.deepEqual(f.box, [10, 20, 200, 220]);
  assert.equal(f.score, 0.99);
  assert.deepEqual(f.pose, { yaw: 12.35, pitch: -3.21, roll: null, cameraMatrix: [cameraMatrix.slice(0, 4), cameraMatrix.slice(4, 8), cameraMatrix.slice(8, 12)] });
  assert.equal(f.vertexCount, 10);
  assert.equal(f.vertices, undefined);
  assert.throws(() => faceJson({ image: { width: 1, height: 1 }, faces: [{ landmarks: new Float32Array(5) }] }), /68/);
  // A model record and an image without faces.
  const none = JSON.parse(faceJson({ image: { width: 4, height: 4, file: 'x/a.jpg' }, model: { name: 'm.onnx', variant: 'resfcn256', sha256: 'ab' }, faces: [], reason: 'no face found' }));
  assert.deepEqual(none.model, { name: 'm.onnx', variant: 'resfcn256', sha256: 'ab' });
  assert.deepEqual(none.faces, []);
  assert.equal(none.reason, 'no face found');
});

test('GLB of the real PRNet topology (colours + texture) validates without any issue', async () => {
  const { loadUvAssets } = await import('../../src/node/inference/uvAssets.js');
  const { faceTriangles } = await import('../../src/uv/faceTriangles.js');
  const uvDir = new URL('../../../shared/prnet-data/uv-data', import.meta.url).pathname;
  const uv = await loadUvAssets({ dataDir: uvDir, download: false });
  const triangles = faceTriangles(uv.faceIndices);
  const random = rng(7);
  const colors = new Float32Array(uv.canonicalVertices.length).map(() => random());
  const png = await encodePng({ width: 256, height: 256, data: new Uint8Array(256 * 256 * 3).map(() => Math.floor(random() * 256)) });
  const glb = await encodeGlb({ vertices: uv.canonicalVertices, triangles, colors, texture: { png, faceIndices: uv.faceIndices, uvSize: 256 } }, { imageHeight: 450 });
  const report = await validator.validateBytes(glb);
  assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  assert.equal(report.issues.numWarnings, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  // Same winding as 'reverse' on faceTriangles: front faces are CCW toward +z after the y flip.
  const doc = await new NodeIO().readBinary(glb);
  const prim = doc.getRoot().listMeshes()[0].listPrimitives()[0];
  const idx = prim.getIndices()!.getArray()!;
  for (let t = 0; t < 300; t += 3) assert.deepEqual([idx[t], idx[t + 1], idx[t + 2]], [triangles[t], triangles[t + 2], triangles[t + 1]]);
});
