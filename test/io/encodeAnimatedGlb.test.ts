import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { NodeIO } from '@gltf-transform/core';
import { encodeAnimatedGlb } from '../../src/io/encodeAnimatedGlb.js';
import { rng, gridMesh } from '../render/helpers.js';

interface ValidationReport { issues: { numErrors: number; messages: { code: string; message: string; severity: number }[] } }
const validator = createRequire(import.meta.url)('gltf-validator') as { validateBytes(data: Uint8Array, options?: object): Promise<ValidationReport> };

const H = 120;
const random = rng(3);
const mesh = gridMesh(12, 10, 20.3, 15.7, 7, (x, y) => 50 + 10 * Math.cos((x - 60) / 30) * Math.cos((y - 50) / 30) + random(), 3, random);
/** Frame k: the mesh moved k·(2, 1, 0.5) px and wobbled. */
const frames = [0, 1, 2].map((k) => ({
  time: 1 + k / 30,
  vertices: Float32Array.from(mesh.vertices, (v, i) => v + [2, 1, 0.5][i % 3]! * k + 0.3 * Math.sin(i + k)),
}));

test('encodeAnimatedGlb: valid glTF; frame 0 is the mesh, frame k is morph target k − 1, the animation steps through them at the frames\' times', async () => {
  const glb = await encodeAnimatedGlb(frames, mesh.triangles, { imageHeight: H, scale: 0.01 });
  const report = await validator.validateBytes(glb);
  assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.filter((m) => m.severity === 0).slice(0, 5)));
  const doc = await new NodeIO().readBinary(glb);
  const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
  const base = prim.getAttribute('POSITION')!.getArray()!;
  const targets = prim.listTargets();
  assert.equal(targets.length, 2);
  assert.equal(prim.getIndices()!.getCount(), mesh.triangles.length);
  frames.forEach((f, k) => {
    const delta = k ? targets[k - 1]!.getAttribute('POSITION')!.getArray()! : undefined;
    for (let i = 0; i < f.vertices.length / 3; i++) {
      const want = [f.vertices[3 * i]!, H - 1 - f.vertices[3 * i + 1]!, f.vertices[3 * i + 2]!].map((v) => v * 0.01);
      for (let j = 0; j < 3; j++) {
        const got = base[3 * i + j]! + (delta ? delta[3 * i + j]! : 0);
        assert.ok(Math.abs(got - want[j]!) < 1e-5, `frame ${k}, vertex ${i}, axis ${j}: ${got} vs ${want[j]}`);
      }
    }
  });
  const [animation] = doc.getRoot().listAnimations();
  const sampler = animation!.listSamplers()[0]!;
  assert.equal(animation!.listChannels()[0]!.getTargetPath(), 'weights');
  assert.deepEqual(Array.from(sampler.getInput()!.getArray()!), frames.map((f) => Math.fround(f.time)));
  assert.deepEqual(Array.from(sampler.getOutput()!.getArray()!), [0, 0, 1, 0, 0, 1]);
  assert.equal(sampler.getInterpolation(), 'LINEAR');
  assert.deepEqual(doc.getRoot().listNodes()[0]!.getExtras(), { frameTimes: frames.map((f) => f.time) });
});

test('encodeAnimatedGlb: one frame is a still mesh; mismatched vertex counts, times that do not increase and non-finite vertices are errors', async () => {
  const one = await new NodeIO().readBinary(await encodeAnimatedGlb(frames.slice(0, 1), mesh.triangles));
  assert.equal(one.getRoot().listAnimations().length, 0);
  assert.equal(one.getRoot().listMeshes()[0]!.listPrimitives()[0]!.listTargets().length, 0);
  // Its time is kept all the same.
  assert.deepEqual(one.getRoot().listNodes()[0]!.getExtras(), { frameTimes: [frames[0]!.time] });
  await assert.rejects(encodeAnimatedGlb([], mesh.triangles), /no frames/);
  await assert.rejects(encodeAnimatedGlb([frames[0]!, { time: 2, vertices: frames[1]!.vertices.slice(3) }], mesh.triangles), /frame 1 has/);
  await assert.rejects(encodeAnimatedGlb([frames[1]!, frames[0]!], mesh.triangles), /times must increase/);
  const bad = frames[1]!.vertices.slice();
  bad[4] = NaN;
  await assert.rejects(encodeAnimatedGlb([frames[0]!, { time: 5, vertices: bad }], mesh.triangles), /frame 1, vertex 1 is not finite/);
});
