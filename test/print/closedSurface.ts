/** Test helpers: is a triangle mesh a closed solid? And an STL file's triangles as an indexed mesh. */
import assert from 'node:assert/strict';

/**
 * Closed, oriented and 2-manifold: every directed edge once and its reverse once (so each
 * edge has two triangles, wound oppositely), every vertex's triangles one fan, and
 * V − E + F = 2 (one closed surface of genus 0).
 */
export function assertClosedSurface(vertices: Float32Array, triangles: Uint32Array): void {
  const n = vertices.length / 3;
  const directed = new Map<number, number>();
  const key = (a: number, b: number) => a * n + b;
  for (let t = 0; t < triangles.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = triangles[t + e]!, b = triangles[t + ((e + 1) % 3)]!;
      assert.notEqual(a, b, `triangle ${t / 3} repeats a vertex`);
      const k = key(a, b);
      assert.ok(!directed.has(k), `edge ${a}→${b} used twice in the same direction`);
      directed.set(k, t / 3);
    }
  }
  for (const k of directed.keys()) {
    const a = Math.floor(k / n), b = k % n;
    assert.ok(directed.has(key(b, a)), `edge ${a}→${b} has no opposite: the surface is open there`);
  }
  // One fan per vertex: following "next edge around the vertex" from any incident triangle visits all of them.
  const around = new Map<number, Map<number, number>>(); // vertex → (from-neighbour → to-neighbour)
  for (let t = 0; t < triangles.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const v = triangles[t + e]!, p = triangles[t + ((e + 1) % 3)]!, q = triangles[t + ((e + 2) % 3)]!;
      if (!around.has(v)) around.set(v, new Map());
      around.get(v)!.set(p, q);
    }
  }
  assert.equal(around.size, n, 'every vertex is used');
  for (const [v, ring] of around) {
    const start = ring.keys().next().value!;
    let steps = 0;
    for (let p = start; ; ) {
      p = ring.get(p)!;
      steps++;
      assert.ok(p !== undefined && steps <= ring.size, `vertex ${v}: its triangles do not close into one fan`);
      if (p === start) break;
    }
    assert.equal(steps, ring.size, `vertex ${v}: ${ring.size} triangles in more than one fan (non-manifold vertex)`);
  }
  assert.equal(n - directed.size / 2 + triangles.length / 3, 2, 'Euler characteristic');
}

/** A binary STL's triangles, corners welded where their float32 coordinates are equal. */
export function weldStl(stl: Uint8Array): { vertices: Float32Array; triangles: Uint32Array } {
  const view = new DataView(stl.buffer, stl.byteOffset, stl.byteLength);
  const m = view.getUint32(80, true);
  assert.equal(stl.length, 84 + 50 * m, 'binary STL size');
  const index = new Map<string, number>();
  const xyz: number[] = [];
  const triangles = new Uint32Array(3 * m);
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < 3; c++) {
      const o = 84 + 50 * k + 12 + 12 * c;
      const p = [view.getFloat32(o, true), view.getFloat32(o + 4, true), view.getFloat32(o + 8, true)];
      const key = p.join(',');
      let i = index.get(key);
      if (i === undefined) { i = xyz.length / 3; index.set(key, i); xyz.push(...p); }
      triangles[3 * k + c] = i;
    }
  }
  return { vertices: Float32Array.from(xyz), triangles };
}
