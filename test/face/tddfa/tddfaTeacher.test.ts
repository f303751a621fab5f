import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tddfaInput, roundHalfEven } from '../../../src/face/tddfa/tddfaInput.js';
import { tddfaParameters } from '../../../src/face/tddfa/tddfaParameters.js';
import { tddfaProject } from '../../../src/face/tddfa/tddfaProject.js';
import { tddfaImagePose } from '../../../src/face/tddfa/tddfaImagePose.js';
import { tddfaRoiFromBox, tddfaRoiFromLandmarks } from '../../../src/face/tddfa/tddfaRoiBox.js';
import { aflw2000GroundTruth } from '../../../src/eval/aflw2000GroundTruth.js';
import { decodeImage } from '../../../src/node/inference/decodeImage.js';
import { readMatFile } from '../../../src/node/files/readMatFile.js';
import { loadBfmPieces } from '../../../src/node/train/labels/bfmPieces.js';
import { loadTddfaTeacher } from '../../../src/node/inference/tddfaTeacher.js';

const shared = fileURLToPath(new URL('../../../../shared/', import.meta.url));
const fixtures = path.join(shared, 'fixtures/aflw2000-sample');
interface RefImage { image: string; roi_box: number[]; output_raw: number[]; param: number[]; landmarks68: number[][] }
const reference = JSON.parse(readFileSync(path.join(shared, '3ddfa/reference-fixtures.json'), 'utf8')) as { images: RefImage[] };

/** Runs the teacher on every fixture as the reference did (crop from the ground-truth 68 points). */
async function runFixtures(resample: 'bilinear' | 'antialias') {
  const pieces = await loadBfmPieces(path.join(shared, '3ddfa'));
  const teacher = await loadTddfaTeacher(path.join(shared, '3ddfa/mb05_120x120.onnx'));
  const lmModel = { mean: pieces.landmarkMean, shapeBasis: pieces.landmarkShapeBasis, expressionBasis: pieces.landmarkExpressionBasis };
  const rows = [];
  for (const ref of reference.images) {
    const image = await decodeImage(path.join(fixtures, ref.image));
    const gt = aflw2000GroundTruth(await readMatFile(path.join(fixtures, ref.image.replace(/\.jpg$/, '.mat'))));
    const roi = tddfaRoiFromLandmarks(gt.landmarks, 3);
    const raw = await teacher.predict(tddfaInput(image, roi, { resample }), 1);
    const params = tddfaParameters(raw, pieces.paramMean, pieces.paramStd);
    rows.push({ ref, roi, raw, params, landmarks: tddfaProject(params, lmModel, roi), lmModel });
  }
  return rows;
}

test('3DDFA crop box from landmarks matches the reference box on all 31 fixtures', async () => {
  for (const ref of reference.images) {
    const gt = aflw2000GroundTruth(await readMatFile(path.join(fixtures, ref.image.replace(/\.jpg$/, '.mat'))));
    const roi = tddfaRoiFromLandmarks(gt.landmarks, 3);
    roi.forEach((v, i) => assert.ok(Math.abs(v - ref.roi_box[i]!) < 1e-6, `${ref.image} box[${i}] ${v} vs ${ref.roi_box[i]}`));
  }
});

test('teacher with PIL-style resampling reproduces the PyTorch reference: outputs within 0.02, landmarks within 0.3 px', async () => {
  // Bound: the only differences left are 8-bit rounding of the resize passes and the JPEG
  // decoder (measured: 0.0055 max output difference, 0.11 px max and 0.01 px mean landmark distance).
  let maxOut = 0, maxLm = 0;
  for (const { ref, raw, landmarks } of await runFixtures('antialias')) {
    raw.forEach((v, i) => { maxOut = Math.max(maxOut, Math.abs(v - ref.output_raw[i]!)); });
    for (let j = 0; j < 68; j++) maxLm = Math.max(maxLm, Math.hypot(landmarks[j * 3]! - ref.landmarks68[j]![0]!, landmarks[j * 3 + 1]! - ref.landmarks68[j]![1]!));
  }
  assert.ok(maxOut < 0.02, `max output difference ${maxOut}`);
  assert.ok(maxLm < 0.3, `max landmark distance ${maxLm} px`);
});

test('teacher with OpenCV-style resampling (3DDFA_V2\'s own) stays within what the missing low-pass explains', async () => {
  // The reference shrank the ≈316 px crop to 120 with PIL's widened triangle filter; OpenCV's
  // INTER_LINEAR samples 4 pixels without a low-pass, so aliasing moves the output. Measured:
  // 0.72 px mean, 6.7 px max landmark distance on 450×450 images.
  let sum = 0, n = 0, maxLm = 0;
  for (const { ref, landmarks } of await runFixtures('bilinear')) {
    for (let j = 0; j < 68; j++) {
      const d = Math.hypot(landmarks[j * 3]! - ref.landmarks68[j]![0]!, landmarks[j * 3 + 1]! - ref.landmarks68[j]![1]!);
      sum += d; n++; maxLm = Math.max(maxLm, d);
    }
  }
  assert.ok(sum / n < 1.5, `mean landmark distance ${sum / n} px`);
  assert.ok(maxLm < 12, `max landmark distance ${maxLm} px`);
  assert.ok(sum / n > 0.05, 'the two resamplers should differ measurably');
});

test('projection of the reference parameters gives the reference landmarks (x, y, z) to 0.05 px', async () => {
  const pieces = await loadBfmPieces(path.join(shared, '3ddfa'));
  const lmModel = { mean: pieces.landmarkMean, shapeBasis: pieces.landmarkShapeBasis, expressionBasis: pieces.landmarkExpressionBasis };
  for (const ref of reference.images) {
    const params = tddfaParameters(ref.output_raw, pieces.paramMean, pieces.paramStd);
    params.camera.forEach((v, i) => assert.ok(Math.abs(v - ref.param[i]!) <= 1e-6 * Math.max(1, Math.abs(ref.param[i]!)), `${ref.image} param ${i}`));
    const lm = tddfaProject(params, lmModel, ref.roi_box as [number, number, number, number]);
    for (let j = 0; j < 68; j++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(lm[j * 3 + c]! - ref.landmarks68[j]![c]!) < 0.05, `${ref.image} landmark ${j}.${c}`);
  }
});

test('the image pose of 3DDFA parameters projects the landmarks like the camera itself (up to its small anisotropy)', async () => {
  const pieces = await loadBfmPieces(path.join(shared, '3ddfa'));
  for (const ref of reference.images.slice(0, 10)) {
    const params = tddfaParameters(ref.output_raw, pieces.paramMean, pieces.paramStd);
    const roi = ref.roi_box as [number, number, number, number];
    const pose = tddfaImagePose(params, roi);
    const R = pose.rotation;
    // Proper rotation.
    const det = R[0]! * (R[4]! * R[8]! - R[5]! * R[7]!) - R[1]! * (R[3]! * R[8]! - R[5]! * R[6]!) + R[2]! * (R[3]! * R[7]! - R[4]! * R[6]!);
    assert.ok(Math.abs(det - 1) < 1e-9);
    let worst = 0;
    for (let j = 0; j < 68; j++) {
      const X = [0, 1, 2].map((c) => {
        let v = pieces.landmarkMean[j * 3 + c]!;
        for (let k = 0; k < 40; k++) v += pieces.landmarkShapeBasis[(j * 3 + c) * 40 + k]! * params.shape[k]!;
        for (let k = 0; k < 10; k++) v += pieces.landmarkExpressionBasis[(j * 3 + c) * 10 + k]! * params.expression[k]!;
        return c === 1 ? -v : v; // the y-down model frame
      });
      const x = pose.scale * (R[0]! * X[0]! + R[1]! * X[1]! + R[2]! * X[2]!) + pose.translation[0];
      const y = pose.scale * (R[3]! * X[0]! + R[4]! * X[1]! + R[5]! * X[2]!) + pose.translation[1];
      worst = Math.max(worst, Math.hypot(x - ref.landmarks68[j]![0]!, y - ref.landmarks68[j]![1]!));
    }
    assert.ok(worst < 4, `${ref.image}: pose projection misses the camera's landmarks by ${worst} px`);
  }
});

test('crop box from a detector box follows parse_roi_box_from_bbox; Python rounding is half to even', () => {
  // left 100, top 50, right 300, bottom 250: s = 200, centre (200, 150 + 28), side ⌊316⌋.
  assert.deepEqual(tddfaRoiFromBox([100, 50, 300, 250]), [42, 20, 358, 336]);
  assert.throws(() => tddfaRoiFromBox([10, 10, 10, 10]), /no area/);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4].map(roundHalfEven), [0, 2, 2, -0, 2]);
});

test('a prnet position-map model is refused as a teacher with one line naming its shapes', async () => {
  const model = fileURLToPath(new URL('../../../models/default.onnx', import.meta.url));
  await assert.rejects(loadTddfaTeacher(model), (e: Error) => /not a 3DDFA_V2 model \(expected input \[n, 3, 120, 120\]/.test(e.message) && !e.message.includes('\n'));
  await assert.rejects(loadTddfaTeacher('/nonexistent/mb1.onnx'), /cannot read the 3DDFA_V2 model \(ENOENT\)/);
});

test('mirrorTddfaInput flips every plane left to right, and twice is the identity', async () => {
  const { mirrorTddfaInput } = await import('../../../src/face/tddfa/mirrorTddfaInput.js');
  const S = 5, input = Float32Array.from({ length: 2 * 3 * S * S }, (_, i) => Math.sin(i * 1.7) * 10);
  const once = mirrorTddfaInput(input.slice(), 3 * S * S, S);
  assert.deepEqual(once.subarray(0, 3 * S * S), input.subarray(0, 3 * S * S), 'the item before the offset is untouched');
  for (let c = 0; c < 3; c++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    const o = 3 * S * S + c * S * S + y * S;
    assert.equal(once[o + x], input[o + S - 1 - x]);
  }
  assert.deepEqual(mirrorTddfaInput(once, 3 * S * S, S), input);
});
