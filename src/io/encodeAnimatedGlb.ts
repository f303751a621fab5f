/**
 * An animated face mesh as one binary glTF: the first frame's mesh, every later frame a
 * morph target, and an animation of the morph weights over the frames' times. Isomorphic.
 */
import { Document, WebIO } from '@gltf-transform/core';
import { KHRMeshQuantization } from '@gltf-transform/extensions';
import { toYUpPositions } from './toYUpPositions.js';
import type { ToYUpOptions } from './toYUp.js';
import { GLB_GENERATOR, ENCODE_GLB_DEFAULTS } from './glb.js';
import { withDefaults } from './withDefaults.js';

/** One frame of an {@link encodeAnimatedGlb} mesh. */
export interface AnimatedGlbFrame {
  /** Seconds from the start of the video (keyframe time; increasing from frame to frame). */
  time: number;
  /** `n×3` x, y, z in image pixels (x right, y down, z toward the viewer), the same n every frame. */
  vertices: Float32Array | Float64Array;
}

/** Options of {@link encodeAnimatedGlb}. */
export interface EncodeAnimatedGlbOptions {
  /** Photo height: y becomes `imageHeight − 1 − y`; without it, `−y` (as `encodeGlb`). */
  imageHeight?: number;
  /** Triangle winding, decided on the first frame, see {@link ToYUpOptions.winding}. */
  winding?: ToYUpOptions['winding'];
  /** Multiplies positions (glTF units are metres; a face in pixels is ~200 m wide). */
  scale?: number;
  /** Name of the mesh, node and animation. */
  name?: string;
  /** `'LINEAR'`: a viewer blends neighbouring frames; `'STEP'`: holds each frame until the next. */
  interpolation?: 'LINEAR' | 'STEP';
  /**
   * Positions and morph offsets as normalised 16-bit integers (`KHR_mesh_quantization`,
   * dequantised by the node's translation and scale): two thirds of the bytes of float32, at a step
   * of 1/32,767 of the largest extent or offset per axis. `false` writes float32.
   */
  quantize?: boolean;
}

/** Defaults of {@link EncodeAnimatedGlbOptions} (scale and name as `encodeGlb`'s). */
export const ENCODE_ANIMATED_GLB_DEFAULTS = {
  scale: ENCODE_GLB_DEFAULTS.scale,
  name: ENCODE_GLB_DEFAULTS.name,
  interpolation: 'LINEAR' as 'LINEAR' | 'STEP',
  quantize: true,
};

/** The largest normalised signed 16-bit value: q / 32,767 is the dequantised value in [−1, 1]. */
const INT16_NORMALIZED_MAX = 32767;

/**
 * Binary glTF 2.0 of a face mesh moving over frames: frame 0 is the mesh (y-up, uint32
 * indices, a rough non-metallic material), frame k ≥ 1 is morph target k − 1 holding its
 * offsets from frame 0, and one animation drives the weights (target k − 1 at weight 1 at
 * frame k's time, all 0 at frame 0's). The node's `extras.frameTimes` lists every frame's
 * time in seconds, a one-frame file's too. Quantised (the default), positions and offsets are
 * 16-bit integers that the node's translation and scale map back: 8 bytes per vertex per
 * frame (x, y, z padded to glTF's 4-byte alignment), 351 kB a frame for PRNet's 43,867
 * vertices, 105 MB for 10 s at 30 fps (float32: 12 bytes, 158 MB).
 *
 * ```ts
 * const glb = await encodeAnimatedGlb(frames.map((f) => ({ time: f.time, vertices: f.vertices })), assets.triangles, { imageHeight: 480 });
 * ```
 */
export async function encodeAnimatedGlb(frames: readonly AnimatedGlbFrame[], triangles: Uint32Array | Int32Array, options: EncodeAnimatedGlbOptions = {}): Promise<Uint8Array> {
  const o = withDefaults(ENCODE_ANIMATED_GLB_DEFAULTS, options);
  if (frames.length === 0) throw new Error('encodeAnimatedGlb: no frames');
  const n = frames[0].vertices.length;
  if (n === 0 || n % 3 !== 0) throw new Error(`encodeAnimatedGlb: need n×3 vertices, got ${n} values`);
  for (let k = 1; k < frames.length; k++) {
    if (frames[k].vertices.length !== n) throw new Error(`encodeAnimatedGlb: frame ${k} has ${frames[k].vertices.length / 3} vertices, frame 0 ${n / 3}`);
    if (!(frames[k].time > frames[k - 1].time)) throw new Error(`encodeAnimatedGlb: frame times must increase (frame ${k}: ${frames[k].time} after ${frames[k - 1].time})`);
  }
  const yUp = { imageHeight: o.imageHeight, winding: o.winding };
  const first = toYUpPositions(frames[0].vertices, triangles, yUp);
  const base = first.positions;
  for (let i = 0; i < n; i++) {
    base[i] *= o.scale;
    if (!Number.isFinite(base[i])) throw new Error(`encodeAnimatedGlb: frame 0, vertex ${Math.floor(i / 3)} is not finite`);
  }
  const indices = Uint32Array.from(triangles);
  if (first.reverse) {
    for (let t = 0; t < indices.length; t += 3) [indices[t + 1], indices[t + 2]] = [indices[t + 2], indices[t + 1]];
  }

  const doc = new Document();
  doc.getRoot().getAsset().generator = GLB_GENERATOR;
  const buffer = doc.createBuffer();
  const material = doc.createMaterial('face').setMetallicFactor(0);
  const offsets = (k: number): Float32Array => {
    const delta = toYUpPositions(frames[k].vertices, triangles, { ...yUp, winding: 'keep' }).positions;
    for (let i = 0; i < n; i++) {
      delta[i] = delta[i] * o.scale - base[i];
      if (!Number.isFinite(delta[i])) throw new Error(`encodeAnimatedGlb: frame ${k}, vertex ${Math.floor(i / 3)} is not finite`);
    }
    return delta;
  };
  // Quantised: one translation (the middle of frame 0's box) and one scale per axis (the
  // largest of frame 0's half-extent and every offset) serve the mesh and all its targets,
  // since a node's transform applies after the morph. A first pass over the frames finds the
  // offsets' range; the second writes them.
  let center = [0, 0, 0], range = [1, 1, 1];
  if (o.quantize) {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) { lo[i % 3] = Math.min(lo[i % 3]!, base[i]!); hi[i % 3] = Math.max(hi[i % 3]!, base[i]!); }
    center = lo.map((l, j) => (l + hi[j]!) / 2);
    range = lo.map((l, j) => (hi[j]! - l) / 2);
    for (let k = 1; k < frames.length; k++) {
      const delta = offsets(k);
      for (let i = 0; i < n; i++) range[i % 3] = Math.max(range[i % 3]!, Math.abs(delta[i]!));
    }
    range = range.map((r) => (r > 0 ? r : 1));
    doc.createExtension(KHRMeshQuantization).setRequired(true);
  }
  const positions = (values: Float32Array, shift: boolean) => {
    const accessor = doc.createAccessor().setType('VEC3').setBuffer(buffer);
    if (!o.quantize) return accessor.setArray(values);
    const q = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const v = (values[i]! - (shift ? center[i % 3]! : 0)) / range[i % 3]!;
      q[i] = Math.round(Math.max(-1, Math.min(1, v)) * INT16_NORMALIZED_MAX);
    }
    return accessor.setArray(q).setNormalized(true);
  };
  const primitive = doc.createPrimitive()
    .setAttribute('POSITION', positions(base, true))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer))
    .setMaterial(material);
  const targets = frames.length - 1;
  for (let k = 1; k < frames.length; k++) {
    primitive.addTarget(doc.createPrimitiveTarget(`frame ${k}`).setAttribute('POSITION', positions(offsets(k), false)));
  }
  const mesh = doc.createMesh(o.name).addPrimitive(primitive).setWeights(new Array<number>(targets).fill(0));
  // The video time of each frame, also where there is no animation to hold it (a one-frame
  // file): glTF extras, which viewers ignore and a reader of the file can use.
  const node = doc.createNode(o.name).setMesh(mesh).setExtras({ frameTimes: frames.map((f) => f.time) });
  if (o.quantize) node.setTranslation(center as [number, number, number]).setScale(range as [number, number, number]);
  doc.createScene('scene').addChild(node);
  if (targets > 0) {
    const times = Float32Array.from(frames, (f) => f.time);
    const weights = new Float32Array(frames.length * targets);
    for (let k = 1; k < frames.length; k++) weights[k * targets + (k - 1)] = 1;
    const sampler = doc.createAnimationSampler()
      .setInput(doc.createAccessor().setType('SCALAR').setArray(times).setBuffer(buffer))
      .setOutput(doc.createAccessor().setType('SCALAR').setArray(weights).setBuffer(buffer))
      .setInterpolation(o.interpolation);
    const channel = doc.createAnimationChannel().setTargetNode(node).setTargetPath('weights').setSampler(sampler);
    doc.createAnimation(o.name).addSampler(sampler).addChannel(channel);
  }
  return new WebIO().registerExtensions([KHRMeshQuantization]).writeBinary(doc);
}
