/**
 * Aligned face pictures: ArcFace's 5-point template and FFHQ's square from 68 landmarks,
 * checked against naive transcriptions of each recipe, then on a real photo through the
 * shipped model (the face found again in its own aligned picture lands where the transform
 * says).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { alignedFaceTransform, fivePointsFrom68, ARCFACE_TEMPLATE_112 } from '../../src/face/alignedFaceTransform.js';
import { alignFace } from '../../src/face/alignFace.js';
import { affineApply } from '../../src/geometry/affine2d.js';
import { PRNet } from '../../src/node/inference/prnet.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { rng } from '../geometry/reference.js';
import { landmarksWithFive as fivePointLandmarks } from '../support/landmarksWithFive.js';

const r = rng(31);
const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const shippedModel = fileURLToPath(new URL('../../models/default.onnx', import.meta.url));
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo4.jpg', import.meta.url));

const landmarksWithFive = (five: ArrayLike<number>) => fivePointLandmarks(five, r, { spread: 6, range: 400 });

test('fivePointsFrom68: eye centres, nose tip and mouth corners in insightface\'s order', () => {
  const five = [10, 20, 50, 21, 30, 40, 15, 60, 45, 61];
  const got = fivePointsFrom68(landmarksWithFive(five));
  got.forEach((v, i) => assert.ok(Math.abs(v - five[i]!) < 1e-9, `value ${i}`));
  assert.throws(() => fivePointsFrom68(new Float64Array(67 * 3)), /needs 68 landmarks/);
});

test('arcface: a face whose 5 points are a similarity of the template lands exactly on the template, at 112 and 224', () => {
  for (let t = 0; t < 20; t++) {
    const s = 0.5 + r() * 5, th = (r() - 0.5) * 1.5;
    const T = [s * Math.cos(th), -s * Math.sin(th), 100 + r() * 500, s * Math.sin(th), s * Math.cos(th), 100 + r() * 300];
    const landmarks = landmarksWithFive(affineApply(T, ARCFACE_TEMPLATE_112));
    for (const size of [112, 224]) {
      const M = alignedFaceTransform(landmarks, { template: 'arcface', size });
      const onChip = affineApply(M, fivePointsFrom68(landmarks));
      onChip.forEach((v, i) => assert.ok(Math.abs(v - (ARCFACE_TEMPLATE_112[i]! * size) / 112) < 1e-6, `size ${size}, value ${i}: ${v}`));
    }
  }
});

/** FFHQ's recipe (`recreate_aligned_images`), transcribed step by step: the quad's corners. */
function ffhqQuad(lm: ArrayLike<number>): number[][] {
  const pt = (i: number) => [lm[3 * i]!, lm[3 * i + 1]!];
  const mean = (a: number, b: number) => { const s = [0, 0]; for (let i = a; i < b; i++) { s[0] += pt(i)[0]!; s[1] += pt(i)[1]!; } return [s[0]! / (b - a), s[1]! / (b - a)]; };
  const add = (u: number[], v: number[]) => [u[0]! + v[0]!, u[1]! + v[1]!];
  const sub = (u: number[], v: number[]) => [u[0]! - v[0]!, u[1]! - v[1]!];
  const mul = (u: number[], k: number) => [u[0]! * k, u[1]! * k];
  const eyeLeft = mean(36, 42), eyeRight = mean(42, 48);
  const eyeAvg = mul(add(eyeLeft, eyeRight), 0.5);
  const eyeToEye = sub(eyeRight, eyeLeft);
  const mouthAvg = mul(add(pt(48), pt(54)), 0.5);
  const eyeToMouth = sub(mouthAvg, eyeAvg);
  let x = sub(eyeToEye, [-eyeToMouth[1]!, eyeToMouth[0]!]); // eye_to_eye − flipud(eye_to_mouth) · [−1, 1]
  x = mul(x, 1 / Math.hypot(x[0]!, x[1]!));
  x = mul(x, Math.max(Math.hypot(eyeToEye[0]!, eyeToEye[1]!) * 2, Math.hypot(eyeToMouth[0]!, eyeToMouth[1]!) * 1.8));
  const y = [-x[1]!, x[0]!]; // flipud(x) · [−1, 1]
  const c = add(eyeAvg, mul(eyeToMouth, 0.1));
  return [sub(sub(c, x), y), add(sub(c, x), y), add(add(c, x), y), sub(add(c, x), y)];
}

test('ffhq: the recipe\'s quad goes to the picture\'s corners (upper left, lower left, lower right, upper right), and a rolled face comes out upright', () => {
  for (let t = 0; t < 20; t++) {
    const landmarks = Float64Array.from({ length: 68 * 3 }, () => 100 + r() * 300);
    const size = [1024, 512, 256][t % 3]!;
    const M = alignedFaceTransform(landmarks, { template: 'ffhq', size });
    const corners = [[-0.5, -0.5], [-0.5, size - 0.5], [size - 0.5, size - 0.5], [size - 0.5, -0.5]];
    ffhqQuad(landmarks).forEach((q, i) => {
      const [u, v] = affineApply(M, q);
      assert.ok(Math.abs(u! - corners[i]![0]!) < 1e-6 && Math.abs(v! - corners[i]![1]!) < 1e-6, `corner ${i}: (${u}, ${v})`);
    });
  }
  // A symmetric face (eyes level, mouth below their middle) turned by 35°: its eyes come out level and left of right.
  const th = (35 * Math.PI) / 180;
  const turn = [Math.cos(th), -Math.sin(th), 300, Math.sin(th), Math.cos(th), 200];
  const five = affineApply(turn, [-30, 0, 30, 0, 0, 25, -22, 50, 22, 50]);
  const M = alignedFaceTransform(landmarksWithFive(five), { template: 'ffhq', size: 512 });
  const [lx, ly, rx, ry] = affineApply(M, five);
  assert.ok(Math.abs(ly! - ry!) < 1e-6 && lx! < rx!, `eyes (${lx}, ${ly}) and (${rx}, ${ry})`);
});

test('alignedFaceTransform refuses what it cannot align', () => {
  assert.throws(() => alignedFaceTransform(new Float64Array(60), {}), /needs 68 landmarks/);
  assert.throws(() => alignedFaceTransform(landmarksWithFive([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { template: 'dlib' as never }), /template must be one of arcface, ffhq/);
  assert.throws(() => alignedFaceTransform(landmarksWithFive([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { size: 4 }), /size must be an integer from 8 to 4096 pixels/);
  assert.throws(() => alignedFaceTransform(new Float64Array(68 * 3).fill(NaN)), /not finite/);
  for (const template of ['arcface', 'ffhq'] as const) {
    assert.throws(() => alignedFaceTransform(new Float64Array(68 * 3).fill(7), { template }), /eyes and mouth of this face coincide/);
  }
});

test('alignFace on a real photo: the face found again in its aligned picture lands where the transform puts it', async () => {
  const prn = await PRNet.load({ model: shippedModel, dataDir, download: false, threads: 1 });
  try {
    const image = await decodeImage(photo);
    const [face] = (await prn.reconstruct(image)).faces;
    assert.ok(face);
    // ArcFace: the fitted 5 points sit near the template (a reflection or swapped eyes would not).
    const arc = alignFace(image, face.landmarks);
    assert.equal(arc.image.width, 112);
    assert.equal(arc.image.data.length, 112 * 112 * 3);
    const onChip = affineApply(arc.transform, fivePointsFrom68(face.landmarks));
    let residual = 0;
    for (let i = 0; i < 5; i++) residual += Math.hypot(onChip[2 * i]! - ARCFACE_TEMPLATE_112[2 * i]!, onChip[2 * i + 1]! - ARCFACE_TEMPLATE_112[2 * i + 1]!) / 5;
    assert.ok(residual < 4, `mean distance to the template ${residual.toFixed(2)} px`);
    // FFHQ at 512 with the photo mirrored past its edges: reconstruct the picture itself.
    const ffhq = alignFace(image, face.landmarks, { template: 'ffhq', size: 512, border: 'reflect' });
    const again = (await prn.reconstruct(ffhq.image)).faces[0];
    assert.ok(again, 'a face in the aligned picture');
    const want = affineApply(ffhq.transform, fivePointsFrom68(face.landmarks));
    const got = fivePointsFrom68(again.landmarks);
    const eyeGap = Math.hypot(want[2]! - want[0]!, want[3]! - want[1]!);
    // The second reconstruction is a second prediction: the shipped models' mouth corners move by
    // 8–9 % of the eye gap between the two on this photo; a wrong transform moves them by tens of per cent.
    for (let i = 0; i < 5; i++) {
      const d = Math.hypot(got[2 * i]! - want[2 * i]!, got[2 * i + 1]! - want[2 * i + 1]!);
      assert.ok(d < 0.1 * eyeGap, `point ${i}: ${d.toFixed(1)} px off (eye gap ${eyeGap.toFixed(0)} px)`);
    }
    // Eyes level in FFHQ's picture (the photo's face is rolled a little).
    assert.ok(Math.abs(want[1]! - want[3]!) < 0.05 * eyeGap);
  } finally {
    await prn.dispose();
  }
});
