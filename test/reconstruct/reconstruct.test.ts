import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { facePipeline, type ReconstructOptions } from '../../src/reconstruct/facePipeline.js';
import { frontalize } from '../../src/reconstruct/frontalize.js';
import { warpImage } from '../../src/face/warpImage.js';
import type { PositionMapModel } from '../../src/model/session.js';
import type { FaceDetector } from '../../src/face/faceDetector.js';
import type { RgbImage } from '../../src/io/rgbImage.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const assets = await loadUvAssets({ dataDir, download: false });
const N = assets.faceIndices.length;

/**
 * One image through the pipeline built from these parts (the tests' shorthand), without the
 * position-map smoothing (its own tests below): these check the geometry exactly.
 */
async function reconstruct(image: RgbImage, model: PositionMapModel, assets: Parameters<typeof facePipeline>[0]['assets'], options: Partial<ReconstructOptions> & { detector?: FaceDetector } = {}) {
  const { detector, ...rest } = options;
  return (await facePipeline({ model, assets, detector }).reconstruct(image, { mapSmoothing: 0, ...rest })).faces;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Rotation from yaw (about y), pitch (about x), roll (about z), radians: R = Rz·Ry·Rx. */
function rotation(yaw: number, pitch: number, roll: number): number[] {
  const [cy, sy, cx, sx, cz, sz] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch), Math.cos(roll), Math.sin(roll)];
  const Rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]) => Array.from({ length: 9 }, (_, k) => a[3 * Math.floor(k / 3)] * b[k % 3] + a[3 * Math.floor(k / 3) + 1] * b[3 + (k % 3)] + a[3 * Math.floor(k / 3) + 2] * b[6 + (k % 3)]);
  return mul(Rz, mul(Ry, Rx));
}

/** The canonical face under scale·R about its centroid, moved to `center` (float64, image pixels). */
function posedFace(R: number[], scale: number, center: number[]): Float64Array {
  const c = assets.canonicalVertices;
  const mean = [0, 0, 0];
  for (let i = 0; i < N; i++) for (let k = 0; k < 3; k++) mean[k] += c[3 * i + k] / N;
  const out = new Float64Array(3 * N);
  for (let i = 0; i < N; i++) {
    const p = [c[3 * i] - mean[0], c[3 * i + 1] - mean[1], c[3 * i + 2] - mean[2]];
    for (let r = 0; r < 3; r++) out[3 * i + r] = scale * (R[3 * r] * p[0] + R[3 * r + 1] * p[1] + R[3 * r + 2] * p[2]) + center[r];
  }
  return out;
}

/** Official crop of a user box (api.py), written out independently: image → 256 crop scale and offset. */
function officialCrop(box: number[]): { s: number; x0: number; y0: number } {
  const [x, y, w, h] = box;
  const size = ((w + h) / 2) * 1.6;
  const cx = x + w / 2, cy = y + h / 2;
  return { s: 255 / size, x0: cx - size / 2, y0: cy - size / 2 };
}

/** A position map in crop pixels holding `vertices` at the face texels, random junk elsewhere. */
function cropMap(vertices: Float64Array, crop: { s: number; x0: number; y0: number }, r: () => number): Float32Array {
  const map = Float32Array.from({ length: 256 * 256 * 3 }, () => r() * 255);
  for (let i = 0; i < N; i++) {
    const t = assets.faceIndices[i] * 3;
    map[t] = crop.s * (vertices[3 * i] - crop.x0);
    map[t + 1] = crop.s * (vertices[3 * i + 1] - crop.y0);
    map[t + 2] = crop.s * vertices[3 * i + 2];
  }
  return map;
}

/** A model that checks its input crops and returns prepared maps, one per crop. */
function fakeModel(maps: Float32Array[], expectInputs?: Float32Array[]): PositionMapModel & { calls: number[] } {
  const calls: number[] = [];
  return {
    inputSize: 256, outputSize: 256, metadata: {}, calls,
    async predict(input, batch) {
      calls.push(batch);
      assert.equal(input.length, batch * 256 * 256 * 3);
      if (expectInputs) for (let b = 0; b < batch; b++) assert.deepEqual(input.subarray(b * 196608, (b + 1) * 196608), expectInputs[b], `crop ${b} differs`);
      const out = new Float32Array(batch * 196608);
      for (let b = 0; b < batch; b++) out.set(maps[b], b * 196608);
      return out;
    },
    async dispose() {},
  };
}

function noiseImage(w: number, h: number, r: () => number): RgbImage {
  return { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256)) };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('a posed canonical face in the crop comes back exactly: vertices, landmarks, pose, frontalization', async () => {
  const r = rng(11);
  const image = noiseImage(400, 360, r);
  const R = rotation(0.5, -0.2, 0.15);
  const scale = 0.9;
  const V = posedFace(R, scale, [210, 170, 40]);
  const box = [120, 70, 190, 200];
  const model = fakeModel([cropMap(V, officialCrop(box), r)]);
  const [face, ...rest] = await reconstruct(image, model, assets, { box: box as [number, number, number, number], outputs: { pose: true, frontal: true, colors: true } });
  assert.equal(rest.length, 0);
  assert.deepEqual(model.calls, [1]);
  assert.equal(face.vertices.length, 3 * 43867);
  assert.ok(maxDiff(face.vertices, V) < 2e-3, `vertices off by ${maxDiff(face.vertices, V)}`);
  // Landmarks are the vertices at the UV keypoints (found here by searching faceIndices).
  const where = new Map<number, number>();
  assets.faceIndices.forEach((t, i) => where.set(t, i));
  const wantL = Array.from(assets.keypointIndices).flatMap((t) => { const i = where.get(t)!; return [V[3 * i], V[3 * i + 1], V[3 * i + 2]]; });
  assert.equal(face.landmarks.length, 68 * 3);
  assert.ok(maxDiff(face.landmarks, wantL) < 2e-3);
  // Pose: the fitted rotation is R, the scale is 0.9, and P·[canonical; 1] reproduces the vertices.
  assert.ok(face.pose);
  assert.ok(maxDiff(face.pose.rotation, R) < 1e-4, `rotation off by ${maxDiff(face.pose.rotation, R)}`);
  assert.ok(Math.abs(face.pose.scale - scale) < 1e-4);
  const P = face.pose.cameraMatrix, C = assets.canonicalVertices;
  let err = 0;
  for (let i = 0; i < N; i += 97) for (let k = 0; k < 3; k++) err = Math.max(err, Math.abs(P[4 * k] * C[3 * i] + P[4 * k + 1] * C[3 * i + 1] + P[4 * k + 2] * C[3 * i + 2] + P[4 * k + 3] - V[3 * i + k]));
  assert.ok(err < 1e-2, `camera matrix error ${err}`);
  // Frontalization undoes the pose: back to the canonical face.
  assert.ok(face.frontalVertices);
  assert.ok(maxDiff(face.frontalVertices, C) < 1e-2, `frontal off by ${maxDiff(face.frontalVertices, C)}`);
  // One colour per vertex (vertexColors itself is tested with the renderer).
  assert.equal(face.colors?.length, 3 * N);
  assert.equal(face.score, 1);
  assert.deepEqual(face.box, box);
});

test('position-map smoothing (the default, σ = 1 texel) takes a texel-to-texel ripple out of the face and moves nothing else; the junk outside the face does not leak in', async () => {
  const r = rng(31);
  const image = noiseImage(400, 360, r);
  const V = posedFace(rotation(0.3, -0.1, 0.05), 0.9, [200, 180, 40]);
  const box = [110, 80, 190, 200];
  const clean = cropMap(V, officialCrop(box), r);
  // A checkerboard ripple of ±1.5 crop pixels on the face texels (what transposed convolutions leave).
  const rippled = clean.slice();
  for (let i = 0; i < N; i++) {
    const t = assets.faceIndices[i]!, u = t % 256, v = (t - u) / 256;
    for (let c = 0; c < 3; c++) rippled[3 * t + c]! += ((u + v) % 2 ? 1.5 : -1.5);
  }
  const opts = { box: box as [number, number, number, number], outputs: { pose: false, colors: false } };
  const [raw] = await reconstruct(image, fakeModel([rippled]), assets, { ...opts, mapSmoothing: 0 });
  const [smooth] = await facePipeline({ model: fakeModel([rippled]), assets }).reconstruct(image, opts).then((x) => x.faces);
  const err = (f: typeof raw) => { let e = 0; for (let i = 0; i < V.length; i++) e += Math.abs(f!.vertices[i]! - V[i]!); return e / V.length; };
  // raw: the ripple itself (1.5 crop pixels → image pixels); smoothed: a small fraction of it.
  assert.ok(err(raw) > 1, `raw ${err(raw)}`);
  assert.ok(err(smooth) < 0.25 * err(raw), `mean vertex error ${err(smooth).toFixed(3)} px smoothed, ${err(raw).toFixed(3)} px raw`);
  // Outside the face the map keeps the network's (junk) values.
  const off = Array.from({ length: 256 * 256 }, (_, t) => t).filter((t) => !assets.faceMask[t]).slice(0, 500);
  for (const t of off) for (let c = 0; c < 3; c++) assert.equal(smooth!.positionMap[3 * t + c], raw!.positionMap[3 * t + c]);
  await assert.rejects(facePipeline({ model: fakeModel([rippled]), assets }).reconstruct(image, { ...opts, mapSmoothing: -1 }), /mapSmoothing must be a number ≥ 0/);
});

test('frontalize equals the least-squares affine fit of random affine-distorted vertices', () => {
  const r = rng(5);
  const C = assets.canonicalVertices;
  const A = Array.from({ length: 12 }, () => r() * 2 - 1);
  const V = new Float32Array(3 * N);
  for (let i = 0; i < N; i++) for (let k = 0; k < 3; k++) V[3 * i + k] = A[4 * k] * C[3 * i] + A[4 * k + 1] * C[3 * i + 1] + A[4 * k + 2] * C[3 * i + 2] + A[4 * k + 3] * 100;
  assert.ok(maxDiff(frontalize(V, C), C) < 0.05);
});

test('all detected faces go through the network in one batch, each restored with its own crop', async () => {
  const r = rng(21);
  const image = noiseImage(640, 360, r);
  const boxes: Array<[number, number, number, number]> = [[40, 60, 160, 170], [380, 90, 120, 130], [250, 20, 80, 90]];
  // A fake detector whose boxes become crops through the calibrated mapping.
  const detector: FaceDetector = { async detect() { return boxes.map((box, i) => ({ box, score: 0.9 - i * 0.1 })); }, dispose() {} };
  const { cropFromDetection } = await import('../../src/face/cropFromDetection.js');
  const { cropTransform } = await import('../../src/face/cropTransform.js');
  const faces = boxes.map((b, i) => posedFace(rotation(0.3 * i - 0.3, 0.1, -0.05 * i), 0.5 + 0.2 * i, [b[0] + b[2] / 2, b[1] + b[3] / 2, 10]));
  const maps: Float32Array[] = [];
  const crops: Float32Array[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const c = cropFromDetection(boxes[i]);
    const s = 255 / c.size;
    maps.push(cropMap(faces[i], { s, x0: c.center[0] - c.size / 2, y0: c.center[1] - c.size / 2 }, r));
    crops.push(warpImage(image, cropTransform(c.center, c.size, 256), 256));
  }
  const model = fakeModel(maps, crops);
  const results = await reconstruct(image, model, assets, { detector, maxFaces: 2, outputs: { pose: false, colors: false } });
  assert.deepEqual(model.calls, [2], 'one network call for both faces');
  assert.equal(results.length, 2);
  results.forEach((f, i) => {
    assert.ok(maxDiff(f.vertices, faces[i]) < 2e-3, `face ${i}`);
    assert.ok(Math.abs(f.score - (0.9 - i * 0.1)) < 1e-12);
    assert.equal(f.pose, undefined);
    assert.equal(f.colors, undefined);
  });
});

test('optional outputs: visibility, texture and depth of a frontal face', async () => {
  const r = rng(8);
  const image = noiseImage(300, 300, r);
  // Canonical y grows downward already (image-like), so R = I is a frontal face.
  const V = posedFace(rotation(0, 0, 0), 0.8, [150, 150, 60]);
  const box = [70, 70, 160, 160];
  const model = fakeModel([cropMap(V, officialCrop(box), r)]);
  const [face] = await reconstruct(image, model, assets, { box: box as [number, number, number, number], outputs: { visibility: true, texture: 'visible', depth: true } });
  const vis = face.visibility!;
  assert.equal(vis.length, N);
  const visible = vis.reduce((n, v) => n + v, 0) / N;
  assert.ok(visible > 0.85, `frontal face only ${visible} visible`);
  // Turned 80° the far half disappears.
  const side = posedFace(rotation(1.4, 0, 0), 0.8, [150, 150, 60]);
  const [turned] = await reconstruct(image, fakeModel([cropMap(side, officialCrop(box), r)]), assets, { box: box as [number, number, number, number], outputs: { visibility: true } });
  const visibleSide = turned.visibility!.reduce((n, v) => n + v, 0) / N;
  assert.ok(visibleSide < 0.75 && visibleSide > 0.2, `profile: ${visibleSide} visible`);
  // Texture: 256×256; texels outside the face mask black; inside, the photo's pixel at the vertex.
  const tex = face.texture!;
  assert.equal(tex.width, 256);
  assert.equal(tex.data.length, 256 * 256 * 3);
  let outsideMask = 0;
  for (let t = 0; t < 256 * 256; t++) if (!assets.faceMask[t]) outsideMask += tex.data[3 * t] + tex.data[3 * t + 1] + tex.data[3 * t + 2];
  assert.equal(outsideMask, 0);
  // Depth: photo-sized, its nearest point is near the face's largest z (the nose tip).
  const d = face.depth!;
  assert.equal(d.depth.length, 300 * 300);
  let zMax = -Infinity, vzMax = -Infinity;
  for (const z of d.depth) if (z > zMax) zMax = z;
  for (let i = 0; i < N; i++) vzMax = Math.max(vzMax, V[3 * i + 2]);
  assert.ok(Math.abs(zMax - vzMax) < 1, `depth max ${zMax} vs vertices ${vzMax}`);
});

test('no face detected gives an empty result without calling the network', async () => {
  const model = fakeModel([]);
  const detector: FaceDetector = { async detect() { return []; }, dispose() {} };
  assert.deepEqual(await reconstruct(noiseImage(50, 50, rng(1)), model, assets, { detector }), []);
  assert.deepEqual(model.calls, []);
});

test('predictBatched cuts big batches into chunks and keeps the order', async () => {
  const { predictBatched } = await import('../../src/reconstruct/predictBatched.js');
  const calls: number[] = [];
  // A tiny model (input 2×2, output 2×2) whose maps repeat each crop's first value: order is visible.
  const model: PositionMapModel = {
    inputSize: 2, outputSize: 2, metadata: {},
    async predict(input, batch) {
      calls.push(batch);
      const out = new Float32Array(batch * 12);
      for (let b = 0; b < batch; b++) out.fill(input[b * 12], b * 12, (b + 1) * 12);
      return out;
    },
    async dispose() {},
  };
  const input = new Float32Array(20 * 12);
  for (let b = 0; b < 20; b++) input.fill(b + 1, b * 12, (b + 1) * 12);
  const maps = await predictBatched(model, input, 20, 8);
  assert.deepEqual(calls, [8, 8, 4]);
  for (let b = 0; b < 20; b++) assert.equal(maps[b * 12 + 5], b + 1);
  await assert.rejects(predictBatched(model, input, 19), /holds 20 crops, expected 19/);
});
