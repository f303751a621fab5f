import test from 'node:test';
import assert from 'node:assert/strict';
import * as THREE from 'three';
import { vertexNormals } from '../../src/geometry/vertexNormals.js';

/** A random mesh: jittered grid vertices, random triangles among them, plus one vertex no triangle uses. */
function randomMesh(seed: number): { positions: Float32Array; triangles: Uint32Array } {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const n = 200;
  const positions = new Float32Array(3 * (n + 1));
  for (let i = 0; i < n; i++) {
    positions[3 * i] = (i % 20) + rand() * 0.5;
    positions[3 * i + 1] = Math.floor(i / 20) + rand() * 0.5;
    positions[3 * i + 2] = rand() * 3;
  }
  positions.set([50, 50, 50], 3 * n); // unused
  const triangles = new Uint32Array(3 * 500);
  for (let t = 0; t < 500; t++) {
    const a = Math.floor(rand() * n);
    triangles.set([a, (a + 1 + Math.floor(rand() * 5)) % n, (a + 20 + Math.floor(rand() * 3)) % n], 3 * t);
  }
  return { positions, triangles };
}

test('vertexNormals: the area-weighted normals three.js computes, unit length; an unused vertex gets +z', () => {
  for (const seed of [1, 7, 99]) {
    const { positions, triangles } = randomMesh(seed);
    const normals = vertexNormals(positions, triangles);
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(positions, 3));
    g.setIndex(new THREE.BufferAttribute(triangles, 1));
    g.computeVertexNormals();
    const ref = g.getAttribute('normal').array as Float32Array;
    const n = positions.length / 3;
    let worst = 0;
    for (let i = 0; i < n - 1; i++) {
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(normals[3 * i + k]! - ref[3 * i + k]!));
      assert.ok(Math.abs(Math.hypot(normals[3 * i]!, normals[3 * i + 1]!, normals[3 * i + 2]!) - 1) < 1e-6);
    }
    assert.ok(worst < 1e-5, `seed ${seed}: largest difference from three.js ${worst}`);
    assert.deepEqual([...normals.subarray(3 * (n - 1))], [0, 0, 1]);
  }
});

test('vertexNormals: reverse winding flips them; writes into an interleaved buffer at stride and offset without touching the rest', () => {
  const { positions, triangles } = randomMesh(3);
  const n = positions.length / 3;
  const plain = vertexNormals(positions, triangles);
  const reversed = vertexNormals(positions, triangles, { reverse: true });
  for (let i = 0; i < 3 * (n - 1); i++) assert.ok(Math.abs(reversed[i]! + plain[i]!) < 1e-7);
  const interleaved = new Float32Array(8 * n).fill(-7);
  vertexNormals(positions, triangles, { out: interleaved, stride: 8, offset: 3 });
  for (let i = 0; i < n; i++) {
    assert.deepEqual([...interleaved.subarray(8 * i + 3, 8 * i + 6)], [...plain.subarray(3 * i, 3 * i + 3)]);
    for (const k of [0, 1, 2, 6, 7]) assert.equal(interleaved[8 * i + k], -7);
  }
  assert.throws(() => vertexNormals(positions, triangles, { out: new Float32Array(3 * n - 1) }), /out holds/);
});
