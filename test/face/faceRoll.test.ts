/**
 * Upright crops: the roll of a face from its eyes, crops turned with it, and the pipeline's
 * equivariance — a photo turned by 90° (an exact pixel permutation) gives the same face,
 * turned back, as the upright photo.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { cropTransform } from '../../src/face/cropTransform.js';
import { cropFromDetection, BLAZEFACE_CENTER_SHIFT, BLAZEFACE_CROP_FACTOR } from '../../src/face/cropFromDetection.js';
import { cropFromPrediction } from '../../src/face/cropFromPrediction.js';
import { detectionRoll, eyesMouthRoll, landmarksRoll, uprightRotation, UPRIGHT_MIN_DETECTED_ROLL, UPRIGHT_MIN_ROLL } from '../../src/face/faceRoll.js';
import { PRNet } from '../../src/node/inference/prnet.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { facePipeline } from '../../src/reconstruct/facePipeline.js';
import { cropFaces } from '../../src/reconstruct/cropFaces.js';
import { predictBatched } from '../../src/reconstruct/predictBatched.js';
import { restoreFaces } from '../../src/reconstruct/restoreFaces.js';
import type { DetectedFace, FaceDetector } from '../../src/face/faceDetector.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { rng } from '../geometry/reference.js';

const r = rng(11);
const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);
/** Angle difference wrapped to (−π, π]. */
const angleGap = (a: number, b: number) => Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b)));

test('cropTransform with a rotation takes the turned square\'s corners to the crop\'s corners (rotation 0: unchanged)', () => {
  for (let t = 0; t < 60; t++) {
    const c: [number, number] = [r() * 900, r() * 700];
    const size = 30 + r() * 500, res = [256, 128][t % 2]!, rot = (r() - 0.5) * 2 * Math.PI;
    const T = cropTransform(c, size, res, rot);
    // Naive: corner (a, b) of the square in the face's axes u = (cos, sin), v = (−sin, cos).
    const u = [Math.cos(rot), Math.sin(rot)], v = [-Math.sin(rot), Math.cos(rot)];
    for (const [a, b] of [[-1, -1], [1, -1], [-1, 1], [1, 1], [0, 0]] as const) {
      const x = c[0] + (a * u[0]! + b * v[0]!) * size / 2, y = c[1] + (a * u[1]! + b * v[1]!) * size / 2;
      close(T[0]! * x + T[1]! * y + T[2]!, ((a + 1) / 2) * (res - 1), 1e-9 * size * res, 'x');
      close(T[3]! * x + T[4]! * y + T[5]!, ((b + 1) / 2) * (res - 1), 1e-9 * size * res, 'y');
    }
  }
  assert.deepEqual(cropTransform([120, 80], 200, 256, 0), cropTransform([120, 80], 200, 256));
  assert.throws(() => cropTransform([0, 0], 10, 256, NaN), /rotation/);
});

test('eyesMouthRoll, detectionRoll and landmarksRoll: the angle of the eyes-to-mouth line, y down', () => {
  close(eyesMouthRoll([100, 100], [100, 160])!, 0, 1e-12);
  close(eyesMouthRoll([100, 100], [40, 100])!, Math.PI / 2, 1e-12); // mouth to the left: forehead to the right
  close(Math.abs(eyesMouthRoll([100, 160], [100, 100])!), Math.PI, 1e-12);
  assert.equal(eyesMouthRoll([1, 1], [1, 1]), undefined);
  assert.equal(eyesMouthRoll([NaN, 1], [1, 1]), undefined);
  // BlazeFace order: right eye, left eye, nose, mouth, right ear, left ear.
  close(detectionRoll([[80, 100], [120, 100], [100, 120], [100, 140], [60, 100], [140, 100]])!, 0, 1e-12);
  close(detectionRoll([[100, 80], [100, 120], [80, 100], [60, 100]])!, Math.PI / 2, 1e-12);
  assert.equal(detectionRoll([[80, 100], [120, 100]]), undefined);
  assert.equal(detectionRoll(undefined), undefined);
  for (let t = 0; t < 50; t++) {
    const rot = (r() - 0.5) * 2 * Math.PI;
    const face = syntheticLandmarks();
    const turned = turnPoints(face, rot, [r() * 500, r() * 500]);
    assert.ok(angleGap(landmarksRoll(turned, 3)!, rot) < 1e-9);
  }
  assert.equal(landmarksRoll(new Float32Array(30), 3), undefined);
});

test('uprightRotation turns only beyond the threshold, either way', () => {
  const deg = Math.PI / 180;
  assert.equal(uprightRotation(10 * deg, 30), 0);
  assert.equal(uprightRotation(-29 * deg, 30), 0);
  assert.equal(uprightRotation(31 * deg, 30), 31 * deg);
  assert.equal(uprightRotation(-170 * deg, 30), -170 * deg);
  assert.equal(uprightRotation(179 * deg, 180), 0);
  assert.equal(uprightRotation(undefined, 0), 0);
  assert.ok(UPRIGHT_MIN_ROLL >= 0 && UPRIGHT_MIN_ROLL < 90);
});

/**
 * 68 random points whose eyes (36–47) and mouth (48–67) are each symmetric about x = 0, the
 * eyes above the mouth: roll exactly 0.
 */
function syntheticLandmarks(): Float64Array {
  const lm = new Float64Array(68 * 3);
  for (let k = 0; k < 68; k++) { lm[3 * k] = (r() - 0.5) * 100; lm[3 * k + 1] = (r() - 0.5) * 120; lm[3 * k + 2] = (r() - 0.5) * 50; }
  const mirror = (a: number, b: number, y: number) => {
    const x = 5 + r() * 30;
    lm[3 * a] = -x; lm[3 * a + 1] = y;
    lm[3 * b] = x; lm[3 * b + 1] = y;
  };
  for (let k = 0; k < 6; k++) mirror(36 + k, 42 + k, -25 + (r() - 0.5) * 6);
  for (let k = 0; k < 10; k++) mirror(48 + k, 58 + k, 30 + (r() - 0.5) * 10);
  return lm;
}

/** Points turned by `rot` about the origin, then moved to `at`. */
function turnPoints(lm: ArrayLike<number>, rot: number, at: [number, number]): Float64Array {
  const c = Math.cos(rot), s = Math.sin(rot), out = Float64Array.from(lm);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = c * lm[i]! - s * lm[i + 1]! + at[0];
    out[i + 1] = s * lm[i]! + c * lm[i + 1]! + at[1];
  }
  return out;
}

test('cropFromPrediction: a turned face gets the upright face\'s crop, turned with it', () => {
  for (let t = 0; t < 100; t++) {
    const face = syntheticLandmarks();
    const upright = cropFromPrediction(face, 1.6, 180);
    assert.equal(upright.rotation, undefined);
    const rot = (0.6 + r() * 2.4) * (t % 2 ? 1 : -1); // 34°–172° either way
    const at: [number, number] = [200 + r() * 300, 200 + r() * 300];
    const turned = cropFromPrediction(turnPoints(face, rot, at), 1.6);
    assert.ok(angleGap(turned.rotation!, rot) < 1e-9, 'rotation');
    close(turned.size, upright.size, 1e-9 * upright.size, 'size');
    const [cx, cy] = upright.center;
    close(turned.center[0], Math.cos(rot) * cx - Math.sin(rot) * cy + at[0], 1e-7, 'centre x');
    close(turned.center[1], Math.sin(rot) * cx + Math.cos(rot) * cy + at[1], 1e-7, 'centre y');
    // Below the threshold the crop stays axis-aligned: exactly the official box crop.
    const small = turnPoints(face, 0.2, at);
    const axis = cropFromPrediction(small, 1.6);
    assert.equal(axis.rotation, undefined);
    assert.deepEqual(axis, cropFromPrediction(small, 1.6, 180));
  }
});

test('cropFromDetection: the keypoints turn the crop and its centre shift beyond the threshold', () => {
  const box: [number, number, number, number] = [100, 50, 120, 140];
  const size = 130;
  const plain = cropFromDetection(box);
  assert.deepEqual(cropFromDetection(box, [[130, 100], [190, 100], [160, 120], [155, 160]]), plain, 'a 5° tilt stays axis-aligned');
  // Lying on its side: eyes one above the other, right eye on top, the mouth to their left.
  const side = cropFromDetection(box, [[160, 90], [160, 150], [140, 120], [100, 121]]);
  const roll = Math.atan2(60, 1);
  close(side.rotation!, roll, 1e-12);
  close(side.size, size * BLAZEFACE_CROP_FACTOR, 1e-9);
  // The face's "down" is the image's −x here: the shift moves the centre left.
  close(side.center[0], 160 - Math.sin(roll) * BLAZEFACE_CENTER_SHIFT * size, 1e-9);
  close(side.center[1], 120 + Math.cos(roll) * BLAZEFACE_CENTER_SHIFT * size, 1e-9);
  assert.equal(cropFromDetection(box, [[160, 90], [160, 150], [140, 120], [100, 121]], 180).rotation, undefined);
  assert.ok(UPRIGHT_MIN_DETECTED_ROLL >= UPRIGHT_MIN_ROLL);
});

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const photoPath = fileURLToPath(new URL('../../../shared/fixtures/photos/photo4.jpg', import.meta.url));
const shippedModel = fileURLToPath(new URL('../../models/default.onnx', import.meta.url));

/** The photo turned a quarter clockwise: pixel (x, y) → (H − 1 − y, x), exactly. */
function quarterTurn(image: RgbImage): { image: RgbImage; map: (p: readonly [number, number]) => [number, number] } {
  const { width: W, height: H } = image;
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < 3; k++) data[(x * H + (H - 1 - y)) * 3 + k] = image.data[(y * W + x) * 3 + k]!;
  return { image: { width: H, height: W, data }, map: ([x, y]) => [H - 1 - y, x] };
}

test('a photo turned by 90° gives the upright photo\'s face, turned back (shipped model, upright crops)', async () => {
  const prn = await PRNet.load({ model: shippedModel, dataDir, download: false, threads: 1 });
  try {
    const image = await decodeImage(photoPath);
    const [found] = await (await prn.detector()).detect(image);
    assert.ok(found?.keypoints);
    const turned = quarterTurn(image);
    const [x, y, w, h] = found.box;
    const corner = turned.map([x, y + h]);
    // The detector's answer on the turned photo, made exact from the upright one.
    const turnedFace: DetectedFace = { box: [corner[0], corner[1], h, w], score: found.score, keypoints: found.keypoints.map(turned.map) };
    const fixed = (d: DetectedFace): FaceDetector => ({ async detect() { return [d]; }, dispose() {} });
    // The stages by hand, each crop turned with its keypoints (threshold 0): the turned photo's
    // crop is the upright one's turned a quarter, so the network sees the same pixels.
    const stages = async (img: RgbImage, d: DetectedFace) => {
      const located = [{ box: d.box, score: d.score, crop: cropFromDetection(d.box, d.keypoints, 0), fromDetector: true }];
      const { input, count, transforms } = cropFaces(img, located, prn.model.inputSize);
      return restoreFaces(img, prn.assets, located, transforms, await predictBatched(prn.model, input, count), {})[0]!;
    };
    const up = { faces: [await stages(image, found)] };
    const side = { faces: [await stages(turned.image, turnedFace)] };
    const axisAligned = await facePipeline({ model: prn.model, assets: prn.assets, detector: fixed(turnedFace) }, { uprightMinRoll: 180 }).reconstruct(turned.image, { outputs: {} });
    const gap = (a: Float32Array, b: Float32Array) => {
      let worst = 0, worstZ = 0;
      for (let k = 0; k < a.length; k += 3) {
        const [mx, my] = turned.map([a[k]!, a[k + 1]!]);
        worst = Math.max(worst, Math.hypot(mx - b[k]!, my - b[k + 1]!));
        worstZ = Math.max(worstZ, Math.abs(a[k + 2]! - b[k + 2]!));
      }
      return { worst, worstZ };
    };
    const same = gap(up.faces[0]!.vertices, side.faces[0]!.vertices);
    assert.ok(same.worst < 0.05 && same.worstZ < 0.05, `turned back: ${same.worst} px, z ${same.worstZ}`);
    // The network cannot read a face lying on its side from an axis-aligned crop; the pipeline's
    // defaults crop it turned (its keypoints show it past UPRIGHT_MIN_DETECTED_ROLL).
    const off = gap(up.faces[0]!.landmarks, axisAligned.faces[0]!.landmarks);
    assert.ok(off.worst > 10, `axis-aligned crop of the turned photo: ${off.worst} px`);
    const byDefault = await facePipeline({ model: prn.model, assets: prn.assets, detector: fixed(turnedFace) }).reconstruct(turned.image, { outputs: {} });
    const asUpright = await facePipeline({ model: prn.model, assets: prn.assets, detector: fixed(found) }).reconstruct(image, { outputs: {} });
    // A detector without keypoints gives an axis-aligned first crop; the upright pass then
    // re-crops from the network's own landmarks, turned, and lands much nearer the upright face.
    const noKeypoints = { ...turnedFace, keypoints: undefined };
    let runs = 0;
    const counted = { ...prn.model, predict: (input: Float32Array, n: number) => { runs += n; return prn.model.predict(input, n); } };
    const recropped = await facePipeline({ model: counted, assets: prn.assets, detector: fixed(noKeypoints) }).reconstruct(turned.image, { outputs: {} });
    assert.equal(runs, 2, 'one upright re-crop');
    const meanGap = (a: Float32Array, b: Float32Array) => {
      let sum = 0;
      for (let k = 0; k < a.length; k += 3) { const [mx, my] = turned.map([a[k]!, a[k + 1]!]); sum += Math.hypot(mx - b[k]!, my - b[k + 1]!) / (a.length / 3); }
      return sum;
    };
    const far = meanGap(up.faces[0]!.landmarks, axisAligned.faces[0]!.landmarks);
    const near = meanGap(asUpright.faces[0]!.landmarks, byDefault.faces[0]!.landmarks);
    const recrop = meanGap(asUpright.faces[0]!.landmarks, recropped.faces[0]!.landmarks);
    // Measured: 43 px axis-aligned, 1.5 px by default, 7.2 px through the upright pass.
    assert.ok(near < 3 && far > 10 * near, `default ${near} px, axis-aligned ${far} px (mean)`);
    assert.ok(recrop < 10 && far > 4 * recrop, `upright pass ${recrop} px, axis-aligned ${far} px (mean)`);
  } finally {
    await prn.dispose();
  }
});
