import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { glbIo, decodeGlbFrames } from './glbFrames.js';
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

for (const quantize of [true, false]) {
  test(`encodeAnimatedGlb (quantize: ${quantize}): valid glTF; frame 0 is the mesh, frame k is morph target k − 1, within ${quantize ? 'half a 16-bit step per axis' : 'float32 rounding'}`, async () => {
    const glb = await encodeAnimatedGlb(frames, mesh.triangles, { imageHeight: H, scale: 0.01, quantize });
    const report = await validator.validateBytes(glb);
    assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.filter((m) => m.severity === 0).slice(0, 5)));
    const doc = await glbIo.readBinary(glb);
    const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    assert.equal(prim.listTargets().length, 2);
    assert.equal(prim.getIndices()!.getCount(), mesh.triangles.length);
    assert.equal(prim.getAttribute('POSITION')!.getComponentSize(), quantize ? 2 : 4);
    assert.deepEqual(doc.getRoot().listExtensionsUsed().map((e) => e.extensionName), quantize ? ['KHR_mesh_quantization'] : []);
    // The largest extent or offset per axis, in metres: one 16-bit step is it / 32767.
    const want = frames.map((f) => Float64Array.from(f.vertices, (v, i) => (i % 3 === 1 ? H - 1 - v : v) * 0.01));
    const reach = [0, 1, 2].map((j) => Math.max(
      ...want.slice(1).flatMap((w) => Array.from(w.filter((_, i) => i % 3 === j), (v, i) => Math.abs(v - want[0]![3 * i + j]!))),
      (Math.max(...want[0]!.filter((_, i) => i % 3 === j)) - Math.min(...want[0]!.filter((_, i) => i % 3 === j))) / 2));
    const decoded = await decodeGlbFrames(glb);
    let worst = 0;
    decoded.forEach((got, k) => {
      for (let i = 0; i < got.length; i++) {
        const tol = quantize ? reach[i % 3]! / 32767 + 1e-7 : 1e-5; // half a step for the base, half for the offset
        const err = Math.abs(got[i]! - want[k]![i]!);
        worst = Math.max(worst, err / tol);
        assert.ok(err <= tol, `frame ${k}, vertex ${Math.floor(i / 3)}, axis ${i % 3}: ${got[i]} vs ${want[k]![i]} (tolerance ${tol})`);
      }
    });
    // Not trivially inside: quantisation does move the values (by more than float32 would).
    if (quantize) assert.ok(worst > 0.05, `worst error ${worst} of the tolerance`);
  const [animation] = doc.getRoot().listAnimations();
  const sampler = animation!.listSamplers()[0]!;
  assert.equal(animation!.listChannels()[0]!.getTargetPath(), 'weights');
  assert.deepEqual(Array.from(sampler.getInput()!.getArray()!), frames.map((f) => Math.fround(f.time)));
  assert.deepEqual(Array.from(sampler.getOutput()!.getArray()!), [0, 0, 1, 0, 0, 1]);
  assert.equal(sampler.getInterpolation(), 'LINEAR');
  assert.deepEqual(doc.getRoot().listNodes()[0]!.getExtras(), { frameTimes: frames.map((f) => f.time) });
  });
}

test('encodeAnimatedGlb: the quantised file is about two thirds of the float32 one, on PRNet-sized frames', async () => {
  const n = 43867, r = rng(9);
  const base = Float32Array.from({ length: 3 * n }, () => 100 + 200 * r());
  const many = [0, 1, 2, 3].map((k) => ({ time: k / 30, vertices: Float32Array.from(base, (v, i) => v + 3 * k * (i % 3 === 0 ? 1 : 0) + r()) }));
  const triangles = Uint32Array.from({ length: 3 * 1000 }, (_, i) => (i * 7919) % n);
  const float = await encodeAnimatedGlb(many, triangles, { quantize: false });
  const quantized = await encodeAnimatedGlb(many, triangles);
  const ratio = quantized.length / float.length;
  // 6 bytes of a 16-bit xyz padded to 8 (glTF aligns vertex attributes to 4 bytes) against 12.
  assert.ok(ratio > 0.64 && ratio < 0.69, `quantised ${quantized.length} B against float32 ${float.length} B (${ratio.toFixed(3)})`);
});

test('encodeAnimatedGlb: one frame is a still mesh; mismatched vertex counts, times that do not increase and non-finite vertices are errors', async () => {
  const one = await glbIo.readBinary(await encodeAnimatedGlb(frames.slice(0, 1), mesh.triangles));
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

test('encodeAnimatedGlb: three.js GLTFLoader, a viewer, shows every frame of the quantised file within 0.01 px', async () => {
  const { GLTFLoader } = await import('three/examples/jsm/loaders/GLTFLoader.js');
  const THREE = await import('three');
  const glb = await encodeAnimatedGlb(frames, mesh.triangles, { imageHeight: H });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const gltf: any = await new Promise((resolve, reject) => new GLTFLoader().parse(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer, '', resolve, reject));
  const shown = gltf.scene.children[0] as InstanceType<typeof THREE.Mesh>;
  assert.ok(shown.geometry.getAttribute('position').normalized, 'positions stay 16-bit normalised in the viewer');
  assert.equal(gltf.animations.length, 1);
  const v = new THREE.Vector3();
  frames.forEach((f, k) => {
    shown.morphTargetInfluences!.fill(0);
    if (k) shown.morphTargetInfluences![k - 1] = 1;
    shown.updateMatrixWorld(true);
    for (let i = 0; i < f.vertices.length / 3; i++) {
      shown.getVertexPosition(i, v).applyMatrix4(shown.matrixWorld);
      const want = [f.vertices[3 * i]!, H - 1 - f.vertices[3 * i + 1]!, f.vertices[3 * i + 2]!].map((x) => x * 0.001);
      const err = Math.max(Math.abs(v.x - want[0]!), Math.abs(v.y - want[1]!), Math.abs(v.z - want[2]!)) / 0.001;
      assert.ok(err < 0.01, `frame ${k}, vertex ${i}: ${err.toFixed(4)} px off`);
    }
  });
});
