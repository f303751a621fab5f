import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFaceIndices } from '../../src/uv/parseFaceIndices.js';
import { parseKeypointIndices } from '../../src/uv/parseKeypointIndices.js';
import { faceTriangles, FACE_TRIANGLE_COUNT } from '../../src/uv/faceTriangles.js';
import { positionMapVertices } from '../../src/uv/positionMapVertices.js';
import { positionMapLandmarks } from '../../src/uv/positionMapLandmarks.js';
import { keypointVertexIndices } from '../../src/uv/keypointVertexIndices.js';
import { faceMaskFromPixels, weightMaskFromPixels } from '../../src/uv/uvMasks.js';
import { readNpy } from '../../src/io/npy.js';

const uvDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const faceText = readFileSync(uvDir + 'face_ind.txt', 'utf8');
const kptText = readFileSync(uvDir + 'uv_kpt_ind.txt', 'utf8');
const faceIndices = parseFaceIndices(faceText);
const keypointIndices = parseKeypointIndices(kptText);
const canonical = readNpy(new Uint8Array(readFileSync(uvDir + 'canonical_vertices.npy'))).data as Float64Array;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('face_ind.txt and uv_kpt_ind.txt parse to flat UV indices', () => {
  assert.equal(faceIndices.length, 43867);
  assert.equal(faceIndices[0], 1285);
  assert.equal(faceIndices[43866], 51603);
  assert.equal(keypointIndices.length, 68);
  // first landmark: UV x 15, UV y 96 (file row 0 = x, row 1 = y)
  assert.equal(keypointIndices[0], 96 * 256 + 15);
  assert.equal(keypointIndices[1], 118 * 256 + 22);
  assert.throws(() => parseFaceIndices('1\n2\n70000\n'), /entry 3 .* not an index/);
  assert.throws(() => parseFaceIndices('1\n2\n1\n'), /appears twice/);
  assert.throws(() => parseKeypointIndices('1 2 3\n'), /expected 2 rows/);
  assert.throws(() => parseKeypointIndices('1 2\n3 300\n'), /landmark 1 at \(2, 300\)/);
});

test('faceTriangles: 86,907 valid, distinct, consistently wound triangles', () => {
  const tris = faceTriangles(faceIndices);
  const n = tris.length / 3;
  assert.equal(n, FACE_TRIANGLE_COUNT);
  const seen = new Set<string>();
  // Each directed edge may occur at most once in a consistently oriented manifold mesh,
  // and an interior edge must occur once in each direction.
  const directed = new Set<string>();
  for (let t = 0; t < n; t++) {
    const v = [tris[3 * t]!, tris[3 * t + 1]!, tris[3 * t + 2]!];
    for (const i of v) assert.ok(i < faceIndices.length);
    assert.ok(v[0] !== v[1] && v[1] !== v[2] && v[0] !== v[2]);
    const key = [...v].sort((a, b) => a - b).join(',');
    assert.ok(!seen.has(key), `duplicate triangle ${key}`);
    seen.add(key);
    for (let e = 0; e < 3; e++) {
      const k = `${v[e]}>${v[(e + 1) % 3]}`;
      assert.ok(!directed.has(k), `edge ${k} used twice in the same direction`);
      directed.add(k);
    }
  }
  let shared = 0;
  for (const k of directed) {
    const [a, b] = k.split('>');
    if (directed.has(`${b}>${a}`)) shared++;
  }
  assert.ok(shared > 2 * n, 'most edges are shared by two triangles');
  // Orientation against the canonical face: the area-weighted normal points toward the
  // viewer (+z), and nearly all non-degenerate triangles do.
  let sum = [0, 0, 0];
  let pos = 0;
  let nonDegenerate = 0;
  for (let t = 0; t < n; t++) {
    const [a, b, c] = [tris[3 * t]!, tris[3 * t + 1]!, tris[3 * t + 2]!].map((i) => [canonical[3 * i]!, canonical[3 * i + 1]!, canonical[3 * i + 2]!]) as [number[], number[], number[]];
    const u = [b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!];
    const w = [c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!];
    const nrm = [u[1]! * w[2]! - u[2]! * w[1]!, u[2]! * w[0]! - u[0]! * w[2]!, u[0]! * w[1]! - u[1]! * w[0]!];
    sum = sum.map((s, i) => s + nrm[i]!);
    const len = Math.hypot(...nrm);
    if (len > 1e-9) {
      nonDegenerate++;
      if (nrm[2]! > 0) pos++;
    }
  }
  assert.ok(sum[2]! > 0 && sum[2]! > 2 * Math.abs(sum[0]!) && sum[2]! > 2 * Math.abs(sum[1]!), `summed normal ${sum}`);
  assert.ok(pos / nonDegenerate > 0.9, `only ${pos}/${nonDegenerate} triangles face +z`);
});

test('faceTriangles on a tiny synthetic mask: the b–c diagonal rule', () => {
  // 4×4 UV map, face pixels: full 2×2 block at (0,0) plus the 3-corner block at (1,1)-(2,2) missing (2,2).
  //   x: 0 1 2
  // y0: * * .
  // y1: * * *
  // y2: . * .
  const px = [0, 1, 4, 5, 6, 9];
  const tris = faceTriangles(Uint32Array.from(px), 4);
  const asPixels = [...tris].map((i) => px[i]);
  assert.deepEqual(asPixels, [
    0, 1, 4, 1, 5, 4, // block (0,0): a b c, b d c
    5, 6, 9, // block (1,1): a=5 b=6 c=9 (d=10 missing) → only (a, b, c)
  ]);
});

test('position map → vertices and landmarks: exact gather on a random map', () => {
  const r = rng(3);
  const map = new Float32Array(256 * 256 * 3);
  for (let i = 0; i < map.length; i++) map[i] = (r() - 0.5) * 500;
  const assets = { uvSize: 256, faceIndices, keypointIndices };
  const v = positionMapVertices(map, assets);
  assert.equal(v.length, 43867 * 3);
  for (const i of [0, 1, 777, 43866]) {
    const p = faceIndices[i]!;
    const y = Math.floor(p / 256);
    const x = p % 256;
    for (let c = 0; c < 3; c++) assert.equal(v[3 * i + c], map[(y * 256 + x) * 3 + c]);
  }
  const l = positionMapLandmarks(map, assets);
  assert.equal(l.length, 68 * 3);
  const kx = kptText.trim().split('\n').map((row) => row.trim().split(/\s+/).map(Number));
  for (let k = 0; k < 68; k++) {
    const x = kx[0]![k]!;
    const y = kx[1]![k]!;
    for (let c = 0; c < 3; c++) assert.equal(l[3 * k + c], map[(y * 256 + x) * 3 + c]);
  }
  // landmarks read through the vertex list agree with the direct gather
  const kv = keypointVertexIndices(assets);
  for (let k = 0; k < 68; k++) for (let c = 0; c < 3; c++) assert.equal(v[3 * kv[k]! + c], l[3 * k + c]);
  assert.throws(() => positionMapVertices(new Float32Array(10), assets), /must have 256·256·3/);
});

test('masks from pixels: threshold and weight scale', () => {
  const data = Uint8Array.from([0, 127, 128, 255, 48, 64]);
  assert.deepEqual([...faceMaskFromPixels({ width: 6, height: 1, channels: 1, data })], [0, 0, 1, 1, 0, 0]);
  const w = weightMaskFromPixels({ width: 6, height: 1, channels: 1, data });
  assert.ok(Math.abs(w[3]! - 16) < 1e-6 && Math.abs(w[4]! - 48 * 16 / 255) < 1e-6 && w[0] === 0);
  const rgb = Uint8Array.from([200, 200, 200, 10, 10, 10]);
  assert.deepEqual([...faceMaskFromPixels({ width: 2, height: 1, channels: 3, data: rgb })], [1, 0]);
  assert.throws(() => faceMaskFromPixels({ width: 3, height: 1, channels: 3, data: rgb }), /need 9 bytes/);
});
