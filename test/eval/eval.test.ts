import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseMat } from '../../src/io/mat.js';
import { readNpy } from '../../src/io/npy.js';
import { aflw2000GroundTruth, type Aflw2000GroundTruth } from '../../src/eval/aflw2000GroundTruth.js';
import { landmarkNme, boxNormalizer } from '../../src/eval/landmarkNme.js';
import { rotationToAflwPose, aflwPoseToRotation, rotationAngle } from '../../src/eval/aflwPose.js';
import { meanFacePredictor } from '../../src/eval/meanFaceBaseline.js';
import { evaluateAflw2000, type Aflw2000Sample, type ImageEvaluation, type LandmarkPredictor, type LandmarkPrediction } from '../../src/eval/evaluateAflw2000.js';
import { summarizeEvaluation } from '../../src/eval/summarizeEvaluation.js';
import { evaluationCsv } from '../../src/eval/evaluationCsv.js';
import { cedCurveSvg } from '../../src/eval/cedCurveSvg.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { hornSimilarity, rng } from '../geometry/reference.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const fixtures = shared + 'fixtures/aflw2000-sample/';
const uvDir = shared + 'prnet-data/uv-data/';
const names = readdirSync(fixtures).filter((f) => f.endsWith('.mat')).map((f) => f.slice(0, -4)).sort();
const gts = new Map<string, Aflw2000GroundTruth>(
  names.map((n) => [n, aflw2000GroundTruth(parseMat(new Uint8Array(readFileSync(`${fixtures}${n}.mat`)), { inflate: (d) => inflateSync(d) }), n)]),
);
const matSample = (name: string): Aflw2000Sample => ({ name, load: async () => ({ groundTruth: gts.get(name)! }) });

test('landmarkNme: hand-computed cases', () => {
  // Ground truth spans a 100 × 64 box → normaliser sqrt(6400) = 80.
  const gt = [0, 0, 10, 100, 64, 30];
  assert.equal(boxNormalizer(gt), 80);
  // Both points shifted by (3, 4): every distance 5 → NME 5/80.
  const shifted = [3, 4, 10, 103, 68, 30];
  assert.equal(landmarkNme(shifted, gt, 2), 5 / 80);
  // A constant z offset is removed in 3D.
  assert.equal(landmarkNme([3, 4, 510, 103, 68, 530], gt, 3), 5 / 80);
  // z differences that are not a constant count: gt z mean 20, pred z (0, 40) mean 20 → dz = −10, +10.
  const nme3 = landmarkNme([3, 4, 0, 103, 68, 40], gt, 3);
  assert.ok(Math.abs(nme3 - Math.sqrt(25 + 100) / 80) < 1e-15);
  assert.throws(() => landmarkNme([1, 2, 3], gt, 2), /1 predicted vs 2/);
  assert.throws(() => boxNormalizer([1, 1, 0, 1, 5, 0]), /span no area/);
});

test('AFLW2000 pose convention: round trip, and the mean-face fit agrees with Pose_Para', async () => {
  const r = rng(21);
  for (let i = 0; i < 200; i++) {
    const a = { pitch: (r() - 0.5) * 170, yaw: (r() - 0.5) * 178, roll: (r() - 0.5) * 170 };
    const b = rotationToAflwPose(aflwPoseToRotation(a));
    assert.ok(Math.abs(a.pitch - b.pitch) < 1e-9 && Math.abs(a.yaw - b.yaw) < 1e-9 && Math.abs(a.roll - b.roll) < 1e-9);
  }
  const assets = await loadUvAssets({ dataDir: uvDir });
  const predictor = meanFacePredictor(assets);
  const preds = await predictor.predict(names.map((n) => ({ groundTruth: gts.get(n)! })));
  const errors = preds.map((p, i) => rotationAngle((p as LandmarkPrediction).rotation, aflwPoseToRotation(gts.get(names[i]!)!.pose)));
  // The canonical face fitted to the landmarks must sit within a few degrees of the GT pose;
  // a wrong axis or sign convention gives tens of degrees.
  const sorted = [...errors].sort((a, b) => a - b);
  assert.ok(sorted[Math.floor(sorted.length / 2)]! < 2, `median rotation error ${sorted[15]}`);
  assert.ok(sorted[sorted.length - 1]! < 8, `max rotation error ${sorted.at(-1)}`);
});

/** The canonical 68 landmarks read with naive code straight from the text files and the npy. */
function naiveMeanLandmarks(): number[][] {
  const face = readFileSync(uvDir + 'face_ind.txt', 'utf8').trim().split(/\s+/).map(Number);
  const [kx, ky] = readFileSync(uvDir + 'uv_kpt_ind.txt', 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)) as [number[], number[]];
  const canon = readNpy(new Uint8Array(readFileSync(uvDir + 'canonical_vertices.npy'))).data as Float64Array;
  return kx.map((x, k) => {
    const v = face.indexOf(ky[k]! * 256 + x);
    // the production code stores canonical vertices as float32
    return [Math.fround(canon[3 * v]!), Math.fround(canon[3 * v + 1]!), Math.fround(canon[3 * v + 2]!)];
  });
}

test('mean-face baseline on the 31 fixtures agrees with an independent Horn-quaternion implementation', async () => {
  const assets = await loadUvAssets({ dataDir: uvDir });
  const records = await evaluateAflw2000(names.map(matSample), meanFacePredictor(assets), { batchSize: 8 });
  assert.equal(records.length, 31);
  const mean = naiveMeanLandmarks().flat();
  let sum2 = 0;
  let sum3 = 0;
  const bins: number[][] = [[], [], []];
  records.forEach((rec, i) => {
    assert.equal(rec.status, 'ok');
    assert.equal(rec.name, names[i]);
    const gt = Array.from(gts.get(rec.name)!.landmarks);
    const { s, R, t } = hornSimilarity(mean, gt);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let k = 0; k < 68; k++) {
      x0 = Math.min(x0, gt[3 * k]!); x1 = Math.max(x1, gt[3 * k]!);
      y0 = Math.min(y0, gt[3 * k + 1]!); y1 = Math.max(y1, gt[3 * k + 1]!);
    }
    const d = Math.sqrt((x1 - x0) * (y1 - y0));
    const pred: number[] = [];
    for (let k = 0; k < 68; k++) {
      for (let row = 0; row < 3; row++) pred.push(s * (R[3 * row]! * mean[3 * k]! + R[3 * row + 1]! * mean[3 * k + 1]! + R[3 * row + 2]! * mean[3 * k + 2]!) + t[row]!);
    }
    let zp = 0, zg = 0;
    for (let k = 0; k < 68; k++) { zp += pred[3 * k + 2]! / 68; zg += gt[3 * k + 2]! / 68; }
    let e2 = 0, e3 = 0;
    for (let k = 0; k < 68; k++) {
      const dx = pred[3 * k]! - gt[3 * k]!, dy = pred[3 * k + 1]! - gt[3 * k + 1]!, dz = pred[3 * k + 2]! - zp - gt[3 * k + 2]! + zg;
      e2 += Math.hypot(dx, dy) / 68 / d;
      e3 += Math.hypot(dx, dy, dz) / 68 / d;
    }
    assert.ok(Math.abs(rec.nme2d! - e2) < 1e-9, `${rec.name} 2D ${rec.nme2d} vs ${e2}`);
    assert.ok(Math.abs(rec.nme3d! - e3) < 1e-9, `${rec.name} 3D ${rec.nme3d} vs ${e3}`);
    sum2 += e2;
    sum3 += e3;
    const ay = Math.abs(gts.get(rec.name)!.pose.yaw);
    bins[ay <= 30 ? 0 : ay <= 60 ? 1 : 2]!.push(e2);
  });
  const s = summarizeEvaluation(records);
  assert.ok(Math.abs(s.nme2d - sum2 / 31) < 1e-12);
  assert.ok(Math.abs(s.nme3d - sum3 / 31) < 1e-12);
  const balanced = bins.map((b) => b.reduce((a, c) => a + c, 0) / b.length).reduce((a, c) => a + c, 0) / 3;
  assert.ok(Math.abs(s.yawBalancedNme2d - balanced) < 1e-12);
  assert.deepEqual(s.yawBins.map((b) => b.count), bins.map((b) => b.length));
  // The figures reported for the 31 fixtures (regression guard, 0.01 % tolerance).
  assert.ok(Math.abs(s.nme2d * 100 - 2.153) < 0.01, `NME 2D ${s.nme2d * 100}`);
  assert.ok(Math.abs(s.nme3d * 100 - 2.672) < 0.01, `NME 3D ${s.nme3d * 100}`);
});

test('summarizeEvaluation: yaw bins, balanced mean, pose exclusion on synthetic records', () => {
  const rec = (yaw: number, nme: number, pose?: number): ImageEvaluation => ({
    name: `y${yaw}`, status: 'ok', yaw, nme2d: nme, nme3d: 2 * nme, rotationError: 1,
    ...(pose === undefined ? {} : { poseError: { pitch: pose, yaw: pose, roll: pose } }),
  });
  const s = summarizeEvaluation([
    rec(10, 0.01, 1), rec(-25, 0.03, 3), rec(45, 0.05, 5), rec(-80, 0.09), rec(100, 0.07, 2),
    { name: 'bad', status: 'failed', error: 'x' },
  ]);
  assert.equal(s.images, 6);
  assert.equal(s.failed, 1);
  assert.deepEqual(s.yawBins.map((b) => b.count), [2, 1, 2]);
  assert.ok(Math.abs(s.nme2d - 0.05) < 1e-15);
  assert.ok(Math.abs(s.yawBalancedNme2d - (0.02 + 0.05 + 0.08) / 3) < 1e-15);
  assert.ok(Math.abs(s.yawBalancedNme3d - 2 * (0.02 + 0.05 + 0.08) / 3) < 1e-15);
  assert.equal(s.pose.evaluated, 4);
  assert.equal(s.pose.excluded, 1);
  assert.ok(Math.abs(s.pose.yaw - 11 / 4) < 1e-15);
});

test('evaluateAflw2000: failures are recorded, the run continues, decoding overlaps prediction', async () => {
  const events: string[] = [];
  const samples: Aflw2000Sample[] = names.slice(0, 7).map((name, i) => ({
    name,
    load: async () => {
      events.push(`load ${i}`);
      if (i === 2) throw new Error(`cannot read ${name}.mat: file not found\nsecond line`);
      return { groundTruth: gts.get(name)! };
    },
  }));
  const inner = meanFacePredictor({ ...(await loadUvAssets({ dataDir: uvDir })) });
  let call = 0;
  const predictor: LandmarkPredictor = {
    name: 'test',
    needsImage: false,
    predict: async (items) => {
      const c = call++;
      events.push(`predict ${c} start`);
      await new Promise((r) => setTimeout(r, 20));
      events.push(`predict ${c} end`);
      if (c === 1) throw new Error('model exploded');
      return inner.predict(items);
    },
  };
  const records = await evaluateAflw2000(samples, predictor, { batchSize: 3 });
  assert.deepEqual(records.map((r) => r.status), ['ok', 'ok', 'failed', 'failed', 'failed', 'failed', 'ok']);
  assert.equal(records[2]!.error, `cannot read ${names[2]}.mat: file not found`);
  assert.equal(records[3]!.error, 'model exploded');
  // batch 1 (samples 3-5) is loaded before batch 0's prediction ends
  assert.ok(events.indexOf('load 3') < events.indexOf('predict 0 end'), events.join(', '));
  const s = summarizeEvaluation(records);
  assert.equal(s.evaluated, 3);
  assert.equal(s.failed, 4);
});

test('CSV and CED SVG outputs', async () => {
  const records: ImageEvaluation[] = [
    { name: 'a', status: 'ok', yaw: 12.345, nme2d: 0.0123456, nme3d: 0.02, predictedPose: { pitch: 1, yaw: 2, roll: 3 }, poseError: { pitch: 0.5, yaw: 0.25, roll: 1 }, rotationError: 1.5, mouthOpening: { predicted: 0.05, annotated: 0.125 }, eyeOpening: { predicted: 0.04, annotated: 0.03 } },
    { name: 'b,c', status: 'failed', error: 'bad "file"' },
  ];
  const csv = evaluationCsv(records).trim().split('\n');
  assert.equal(csv.length, 3);
  assert.equal(csv[0]!.split(',').length, 17);
  assert.equal(csv[1], 'a,ok,12.35,1.2346,2.0000,1.00,2.00,3.00,0.50,0.25,1.00,1.50,5.0000,12.5000,4.0000,3.0000,');
  assert.equal(csv[2], '"b,c",failed,,,,,,,,,,,,,,,"bad ""file"""');
  const errs = [0.01, 0.02, 0.03, 0.2];
  const svg = cedCurveSvg([{ label: 'NME <2D>', errors: errs }], { maxNmePercent: 10 });
  assert.match(svg, /^<svg xmlns/);
  assert.match(svg, /NME &lt;2D&gt; \(mean 6\.50%; 1 of 4 beyond 10%\)/);
  const pts = /points="([^"]+)"/.exec(svg)![1]!.split(' ');
  // The 20 % image is not drawn at the edge: the curve never reaches 1 (y = top).
  assert.equal(pts.length, 2 + 2 * (errs.length - 1));
  assert.ok(pts.every((p) => Number(p.split(',')[1]) > 36 + 1e-6), 'no point at fraction 1');
  // Without an explicit axis it widens to hold 95 % of the errors: 20 % → an axis to 20.
  const auto = cedCurveSvg([{ label: 'x', errors: errs }]);
  assert.match(auto, />20<\/text>/);
  assert.doesNotMatch(auto, /beyond/);
  // the last point: 3 of 4 images under 10 %
  const [, lastY] = pts.at(-1)!.split(',').map(Number);
  const m = { top: 36, ph: 440 - 36 - 50 };
  assert.ok(Math.abs(lastY! - (m.top + (1 - 0.75) * m.ph)) < 0.01);
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const meta = await sharp(png).metadata();
  assert.equal(meta.width, 640);
  assert.equal(meta.height, 440);
});
