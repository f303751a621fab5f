/** Test helper: an animated GLB's frames as a viewer computes them. */
import { NodeIO } from '@gltf-transform/core';
import { KHRMeshQuantization } from '@gltf-transform/extensions';

/** Reads GLB files, 16-bit ones (`KHR_mesh_quantization`) too. */
export const glbIo = new NodeIO().registerExtensions([KHRMeshQuantization]);

/**
 * Frame k's vertices as a viewer computes them, independently of the writer: base + target
 * k − 1, normalised integers to [−1, 1] (glTF's max(q / 32767, −1)), then the node's scale
 * and translation.
 */
export async function decodeGlbFrames(glb: Uint8Array): Promise<Float64Array[]> {
  const doc = await glbIo.readBinary(glb);
  const node = doc.getRoot().listNodes()[0]!;
  const prim = node.getMesh()!.listPrimitives()[0]!;
  const value = (a: ReturnType<typeof prim.getAttribute>, i: number) => {
    const raw = a!.getArray()![i]!;
    return a!.getNormalized() ? Math.max(raw / 32767, -1) : raw;
  };
  const [sx, sy, sz] = node.getScale(), [tx, ty, tz] = node.getTranslation();
  const base = prim.getAttribute('POSITION')!;
  return [undefined, ...prim.listTargets()].map((target) => {
    const out = new Float64Array(base.getCount() * 3);
    for (let i = 0; i < out.length; i++) {
      const v = value(base, i) + (target ? value(target.getAttribute('POSITION'), i) : 0);
      out[i] = [sx, sy, sz][i % 3]! * v + [tx, ty, tz][i % 3]!;
    }
    return out;
  });
}
