/**
 * The one pipeline object: its halves composed equal `reconstruct`, Node's `PRNet` and the
 * browser's `WebPRNet` are that object (same faces, same result shape), the browser caps
 * its network batches, and flip averaging and refinement passes are options of it.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { PRNet } from '../../src/node/inference/prnet.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { WebPRNet } from '../../src/web/webPrnet.js';
import { facePipeline, MAP_SMOOTHING, RECONSTRUCT_DEFAULTS, type ReconstructResult } from '../../src/reconstruct/facePipeline.js';
import { locateFaces } from '../../src/reconstruct/locateFaces.js';
import { cropFaces } from '../../src/reconstruct/cropFaces.js';
import { predictBatched, MAX_NETWORK_BATCH } from '../../src/reconstruct/predictBatched.js';
import { restoreFaces } from '../../src/reconstruct/restoreFaces.js';
import { cropFromPrediction, REFINE_CROP_FACTOR } from '../../src/face/cropFromPrediction.js';
import type { PositionMapModel } from '../../src/model/session.js';
import type { FaceDetector } from '../../src/face/faceDetector.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { randomOnnxModel } from '../support/randomModel.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo3.jpg', import.meta.url));
const assets = await loadUvAssets({ dataDir, download: false });
const N = assets.faceIndices.length;
const MAP = 256 * 256 * 3;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function noiseImage(w: number, h: number, seed: number): RgbImage {
  const r = rng(seed);
  return { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256)) };
}

/** The canonical face, centred in the 256 crop at ~60 % of its side (crop pixels, per face texel). */
const baseMap = (() => {
  const c = assets.canonicalVertices;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < N; i++) for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k]!, c[3 * i + k]!); hi[k] = Math.max(hi[k]!, c[3 * i + k]!); }
  const s = 150 / Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!);
  const map = new Float32Array(MAP).fill(128);
  for (let i = 0; i < N; i++) {
    const t = 3 * assets.faceIndices[i]!;
    map[t] = 128 + s * (c[3 * i]! - (lo[0]! + hi[0]!) / 2);
    map[t + 1] = 128 + s * (c[3 * i + 1]! - (lo[1]! + hi[1]!) / 2); // the canonical face is y down, as the crop: upright
    map[t + 2] = s * (c[3 * i + 2]! - lo[2]!);
  }
  return map;
})();

/**
 * A model whose map depends on its crop only (never on the batch around it): the canonical
 * face, shifted and scaled by the crop's mean colour. It records each call's batch size.
 */
function cropModel(inputSize = 64, turn = 0): PositionMapModel & { calls: number[] } {
  const calls: number[] = [];
  const per = inputSize * inputSize * 3;
  return {
    inputSize, outputSize: 256, metadata: {}, calls,
    async predict(input, batch) {
      calls.push(batch);
      assert.equal(input.length, batch * per);
      const out = new Float32Array(batch * MAP);
      for (let b = 0; b < batch; b++) {
        const m = [0, 0, 0];
        for (let i = 0; i < per; i++) m[i % 3]! += input[b * per + i]! / (per / 3);
        const dx = 40 * (m[0]! - 0.5), dy = 40 * (m[1]! - 0.5), sc = 0.9 + 0.2 * m[2]!;
        // `turn`: the face turns about the vertical axis with the crop's mean red.
        const a = turn * (m[0]! - 0.5), c = Math.cos(a), sn = Math.sin(a);
        for (let t = 0; t < MAP; t += 3) {
          const x = baseMap[t]! - 128, z = baseMap[t + 2]!;
          out[b * MAP + t] = 128 + sc * (c * x + sn * z) + dx;
          out[b * MAP + t + 1] = 128 + sc * (baseMap[t + 1]! - 128) + dy;
          out[b * MAP + t + 2] = sc * (c * z - sn * x);
        }
      }
      return out;
    },
    async dispose() {},
  };
}

/** A detector reporting the given boxes, best first. */
function boxesDetector(boxes: Array<[number, number, number, number]>): FaceDetector & { backend: string } {
  return { backend: 'fake', async detect() { return boxes.map((box, i) => ({ box, score: 0.99 - i * 0.01 })); }, dispose() {} };
}

/** `n` boxes of 90 px on a grid, inside a 1000×600 image. */
function gridBoxes(n: number): Array<[number, number, number, number]> {
  return Array.from({ length: n }, (_, i) => [20 + 120 * (i % 8), 30 + 140 * Math.floor(i / 8), 90, 90] as [number, number, number, number]);
}

function assertTimings(result: ReconstructResult): void {
  assert.deepEqual(Object.keys(result.timings).sort(), ['crop', 'decode', 'detect', 'network', 'post']);
  for (const [k, v] of Object.entries(result.timings)) assert.ok(Number.isFinite(v) && v >= 0, `${k}: ${v}`);
}

test('Node PRNet, the pipeline object and the stages wired by hand give identical faces for a fixture photo', async () => {
  const prn = await PRNet.load({ model: randomOnnxModel({ variant: 'resfcn128-light', seed: 5 }), dataDir, download: false, threads: 1 });
  try {
    const outputs = { texture: true, visibility: true };
    // No refinement and no upright re-crop (a random network's eyes lie at any angle): the
    // hand-wired stages below are one pass.
    const node = await prn.reconstruct(photo, { outputs, refinePasses: 0, uprightMinRoll: 180 });
    assertTimings(node);
    assert.ok(node.timings.decode > 0, 'Node decoded the path');
    assert.equal(node.faces.length, 1);
    const image = await decodeImage(photo);
    const detector = await prn.detector();
    // The pipeline object built from the same parts.
    const pipeline = facePipeline({ model: prn.model, assets: prn.assets, detector });
    const viaPipeline = await pipeline.reconstruct(image, { outputs, refinePasses: 0, uprightMinRoll: 180 });
    assertTimings(viaPipeline);
    assert.equal(viaPipeline.timings.decode, 0);
    assert.deepEqual(viaPipeline.faces, node.faces);
    // The stages by hand, as the four call sites used to wire them.
    const located = await locateFaces(image, { detector, uprightMinRoll: 180 });
    const { input, count, transforms } = cropFaces(image, located, prn.model.inputSize);
    const maps = await predictBatched(prn.model, input, count);
    assert.deepEqual(restoreFaces(image, prn.assets, located, transforms, maps, outputs, 0, MAP_SMOOTHING), node.faces);
  } finally {
    await prn.dispose();
  }
});

test('the browser factory caps network batches (plain, flip-averaged, a smaller cap) and returns the same result shape', async () => {
  const image = noiseImage(1000, 600, 3);
  const boxes = gridBoxes(20);
  const model = cropModel();
  const web = WebPRNet.fromParts({ model, assets, detector: boxesDetector(boxes) });
  const plain = await web.reconstruct(image, { outputs: { pose: false, colors: false } });
  assertTimings(plain);
  assert.equal(plain.timings.decode, 0, 'an RgbImage is not decoded again');
  assert.equal(plain.faces.length, 20);
  assert.deepEqual(model.calls, [8, 8, 4], `at most ${MAX_NETWORK_BATCH} crops per call`);
  assert.ok(Math.max(...model.calls) <= RECONSTRUCT_DEFAULTS.maxBatch);
  plain.faces.forEach((f, i) => assert.deepEqual(f.box, boxes[i]));

  model.calls.length = 0;
  const flipped = await web.reconstruct(image, { flipAverage: true, outputs: { pose: false, colors: false } });
  assert.deepEqual(model.calls, [16, 16, 8], 'each capped chunk runs with its mirror images');
  assert.equal(flipped.faces.length, 20);

  model.calls.length = 0;
  await web.reconstruct(image, { maxBatch: 6, maxFaces: 13, outputs: { pose: false, colors: false } });
  assert.deepEqual(model.calls, [6, 6, 1]);

  // The same faces as the pipeline object (and so as Node, which wraps it too).
  const pipeline = facePipeline({ model: cropModel(), assets, detector: boxesDetector(boxes) });
  assert.deepEqual((await pipeline.reconstruct(image, { outputs: { pose: false, colors: false } })).faces, plain.faces);
});

test('the halves composed (two images in one network run) equal reconstruct, with flip averaging and refinement', async () => {
  const images = [noiseImage(1000, 600, 7), noiseImage(1000, 600, 8)];
  const boxes = [gridBoxes(3), gridBoxes(5).slice(2)];
  for (const options of [{}, { flipAverage: true }, { refinePasses: 2, maxBatch: 2 }, { flipAverage: true, refinePasses: 1, outputs: { texture: 'visible' as const } }]) {
    const whole = await Promise.all(images.map((im, i) => facePipeline({ model: cropModel(), assets, detector: boxesDetector(boxes[i]!) }, options).reconstruct(im)));
    // One pipeline per image for the detector; one shared network run for both images.
    const model = cropModel();
    const pipelines = images.map((_, i) => facePipeline({ model, assets, detector: boxesDetector(boxes[i]!) }, options));
    const prepared = await Promise.all(images.map((im, i) => pipelines[i]!.prepareFaces(im)));
    assert.deepEqual(prepared.map((p) => p.faces.length), [3, 3]);
    const predicted = await pipelines[0]!.predictFaces(prepared);
    assert.equal(predicted.maps.length, 6 * MAP);
    let offset = 0;
    predicted.batch.forEach((p, i) => {
      const faces = pipelines[i]!.finishFaces(p, predicted.maps, {}, offset);
      offset += p.faces.length;
      assert.deepEqual(faces, whole[i]!.faces, `image ${i}, options ${JSON.stringify(options)}`);
    });
  }
});

test('refinePasses re-crops each turned face around its last landmarks and runs the network again', async () => {
  // mapSmoothing 0: a pass crops around the network's own landmarks, which the results then show.
  const image = noiseImage(800, 500, 11);
  const detector = boxesDetector([[300, 150, 180, 200]]);
  const model = cropModel();
  const pipeline = facePipeline({ model, assets, detector });
  const first = await pipeline.reconstruct(image, { refinePasses: 0, mapSmoothing: 0 });
  assert.deepEqual(model.calls, [1]);
  model.calls.length = 0;
  const refined = await pipeline.reconstruct(image, { refinePasses: 1, refineMinYaw: 0, mapSmoothing: 0 });
  assert.deepEqual(model.calls, [1, 1], 'one more network call per pass');
  const lm = first.faces[0]!.landmarks;
  assert.deepEqual(refined.faces[0]!.crop, cropFromPrediction(lm, REFINE_CROP_FACTOR), 'the second pass crops around the first pass\'s landmarks');
  assert.deepEqual(refined.faces[0]!.box, first.faces[0]!.box, 'the detection is kept');
  assert.notDeepEqual(refined.faces[0]!.landmarks, lm);
  // The yaw gate: a face seen less turned than refineMinYaw keeps its first pass.
  const yaw = Math.abs(first.faces[0]!.pose!.yaw);
  model.calls.length = 0;
  const gated = await pipeline.reconstruct(image, { refinePasses: 2, refineMinYaw: Math.min(89.9, yaw + 1), mapSmoothing: 0 });
  assert.deepEqual(model.calls, [1], `a face at ${yaw.toFixed(1)}° is not re-run under a higher gate`);
  assert.deepEqual(gated.faces[0]!.landmarks, lm);
  await assert.rejects(pipeline.reconstruct(image, { refinePasses: -1 }), /refinePasses/);
  await assert.rejects(pipeline.reconstruct(image, { refineMinYaw: 90 }), /refineMinYaw/);
  await assert.rejects(pipeline.reconstruct(image, { uprightMinRoll: -1 }), /uprightMinRoll/);
  await assert.rejects(pipeline.reconstruct(image, { uprightMinRoll: NaN }), /uprightMinRoll/);
});

test('a refinement pass re-runs only the turned faces of a batch and keeps the others', async () => {
  const image = noiseImage(900, 500, 12);
  // The right half darker: the second face's crop has a lower mean, so it turns.
  for (let y = 0; y < image.height; y++) for (let x = 450; x < image.width; x++) for (let c = 0; c < 3; c++) image.data[(y * image.width + x) * 3 + c] = image.data[(y * image.width + x) * 3 + c]! >> 2;
  const detector = boxesDetector([[100, 150, 180, 200], [500, 120, 200, 220]]);
  const model = cropModel(64, 4);
  const pipeline = facePipeline({ model, assets, detector });
  const first = await pipeline.reconstruct(image, { refinePasses: 0, mapSmoothing: 0 });
  const yaws = first.faces.map((f) => Math.abs(f.pose!.yaw));
  // A gate between the two faces' yaws: only the more turned one is re-run.
  assert.ok(Math.abs(yaws[0]! - yaws[1]!) > 0.5, `the two faces' yaws differ: ${yaws.join(', ')}`);
  const gate = (yaws[0]! + yaws[1]!) / 2, hi = yaws[0]! > yaws[1]! ? 0 : 1;
  model.calls.length = 0;
  const refined = await pipeline.reconstruct(image, { refinePasses: 1, refineMinYaw: gate, mapSmoothing: 0 });
  assert.deepEqual(model.calls, [2, 1]);
  assert.deepEqual(refined.faces[1 - hi]!.landmarks, first.faces[1 - hi]!.landmarks, 'the frontal face keeps its map');
  assert.deepEqual(refined.faces[1 - hi]!.crop, first.faces[1 - hi]!.crop);
  assert.deepEqual(refined.faces[hi]!.crop, cropFromPrediction(first.faces[hi]!.landmarks, REFINE_CROP_FACTOR));
  assert.notDeepEqual(refined.faces[hi]!.landmarks, first.faces[hi]!.landmarks);
});

test('no face: an empty result with timings, and no network call', async () => {
  const model = cropModel();
  const result = await facePipeline({ model, assets, detector: boxesDetector([]) }).reconstruct(noiseImage(60, 40, 1));
  assert.deepEqual(result.faces, []);
  assertTimings(result);
  assert.deepEqual(model.calls, []);
  const web = WebPRNet.fromParts({ model, assets, detector: boxesDetector([]) });
  assert.deepEqual((await web.reconstruct(noiseImage(60, 40, 1))).faces, []);
  assert.deepEqual(model.calls, []);
});
