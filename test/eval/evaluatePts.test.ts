import test from 'node:test';
import assert from 'node:assert/strict';
import { NME_NORMALIZERS } from '../../src/eval/nmeNormalizers.js';
import { evaluatePts, pointsNme, scorePts, summarizePts, summarizePtsByFolder, type PtsEvaluation, type PtsSample } from '../../src/eval/evaluatePts.js';
import { matchFace } from '../../src/eval/matchFace.js';
import { evaluateSamples } from '../../src/eval/evaluateSamples.js';
import type { LandmarkPredictor } from '../../src/eval/evaluateAflw2000.js';

let seed = 5;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
/** 68 random points (x, y, z) in a 200-pixel square around (300, 200). */
const face = () => Float64Array.from({ length: 204 }, (_, i) => (i % 3 === 2 ? rand() * 50 : 200 * rand() + (i % 3 === 0 ? 200 : 100)));

test('normalisers: inter-ocular is |p36 − p45|, inter-pupil the distance of the eye means, box √(w·h); degenerate eyes are an error', () => {
  const p = face();
  assert.equal(NME_NORMALIZERS.interocular(p), Math.hypot(p[3 * 36]! - p[3 * 45]!, p[3 * 36 + 1]! - p[3 * 45 + 1]!));
  let lx = 0, ly = 0, rx = 0, ry = 0;
  for (let i = 36; i < 42; i++) { lx += p[3 * i]! / 6; ly += p[3 * i + 1]! / 6; rx += p[3 * (i + 6)]! / 6; ry += p[3 * (i + 6) + 1]! / 6; }
  assert.ok(Math.abs(NME_NORMALIZERS.interpupil(p) - Math.hypot(lx - rx, ly - ry)) < 1e-9);
  const xs = [...p].filter((_, i) => i % 3 === 0), ys = [...p].filter((_, i) => i % 3 === 1);
  assert.ok(Math.abs(NME_NORMALIZERS.box(p) - Math.sqrt((Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys)))) < 1e-9);
  // x, y pairs read the same as x, y, z triples.
  const xy = Float64Array.from({ length: 136 }, (_, i) => p[3 * (i >> 1) + (i & 1)]!);
  assert.equal(NME_NORMALIZERS.interocular(xy, 2), NME_NORMALIZERS.interocular(p));
  const flat = p.slice();
  flat[3 * 45] = flat[3 * 36]!; flat[3 * 45 + 1] = flat[3 * 36 + 1]!;
  assert.throws(() => NME_NORMALIZERS.interocular(flat), /outer eye corners \(36, 45\) coincide/);
  assert.throws(() => NME_NORMALIZERS.interocular(p.subarray(0, 60)), /needs 68 points/);
});

test('pointsNme equals a naive mean distance; the inner 51 ignore the jaw line (points 0–16)', () => {
  const gt = face(), pred = face();
  let all = 0, inner = 0;
  for (let i = 0; i < 68; i++) {
    const d = Math.sqrt((pred[3 * i]! - gt[3 * i]!) ** 2 + (pred[3 * i + 1]! - gt[3 * i + 1]!) ** 2);
    all += d / 68;
    if (i >= 17) inner += d / 51;
  }
  assert.ok(Math.abs(pointsNme(pred, gt, 10) - all / 10) < 1e-12);
  assert.ok(Math.abs(pointsNme(pred, gt, 10, 17) - inner / 10) < 1e-12);
  const moved = pred.slice();
  for (let i = 0; i < 17; i++) moved[3 * i] = moved[3 * i]! + 40;
  const r0 = scorePts('a', { landmarks: gt }, { landmarks: pred, rotation: [] }, 'box');
  const r1 = scorePts('a', { landmarks: gt }, { landmarks: moved, rotation: [] }, 'box');
  assert.equal(r1.nmeInner, r0.nmeInner, 'the jaw line does not count in the inner 51');
  assert.ok(r1.nme! > r0.nme!);
  // z plays no part: the annotation is 2D.
  const lifted = pred.map((v, i) => (i % 3 === 2 ? v + 1000 : v));
  assert.equal(scorePts('a', { landmarks: gt }, { landmarks: lifted, rotation: [] }).nme, scorePts('a', { landmarks: gt }, { landmarks: pred, rotation: [] }).nme);
});

test('summarizePts: mean NME, failure rate over the threshold, and the AUC equal to a numeric integral of the CED curve', () => {
  const errors = [0.01, 0.03, 0.05, 0.079, 0.081, 0.2, 0.045];
  const records: PtsEvaluation[] = errors.map((e, i) => ({ name: `i${i}`, status: 'ok', nme: e, nmeInner: e / 2 }));
  records.push({ name: 'gone', status: 'failed', error: 'no face' });
  const s = summarizePts(records, 0.08);
  assert.deepEqual([s.images, s.evaluated, s.failed], [8, 7, 1]);
  assert.ok(Math.abs(s.all.nme - errors.reduce((a, b) => a + b) / 7) < 1e-12);
  assert.equal(s.all.failureRate, 2 / 7);
  assert.equal(s.inner.failureRate, 1 / 7);
  // The CED curve sampled finely: fraction of images with error ≤ x, integrated over [0, 0.08].
  const steps = 200_000;
  let area = 0;
  for (let k = 0; k < steps; k++) {
    const x = ((k + 0.5) / steps) * 0.08;
    area += errors.filter((e) => e <= x).length / errors.length / steps;
  }
  assert.ok(Math.abs(s.all.auc - area) < 1e-5, `${s.all.auc} vs ${area}`);
  assert.ok(Number.isNaN(summarizePts([{ name: 'x', status: 'failed', error: 'e' }]).all.nme));
  assert.throws(() => summarizePts(records, 0), /threshold must be a positive fraction/);
});

test('matchFace: the face whose landmarks\' centre is nearest the ground truth\'s, none beyond half the box size', () => {
  const gt = face();
  const shift = (p: Float64Array, dx: number) => p.map((v, i) => (i % 3 === 0 ? v + dx : v));
  const size = NME_NORMALIZERS.box(gt);
  assert.equal(matchFace([shift(gt, 0.3 * size), shift(gt, -0.1 * size), shift(gt, 5 * size)], gt), 1);
  assert.equal(matchFace([shift(gt, 0.6 * size), shift(gt, -0.55 * size)], gt), -1);
  assert.equal(matchFace([], gt), -1);
});

test('evaluateSamples / evaluatePts: a failed load, a prediction failure, a batch that throws and a score that throws each fail only their images', async () => {
  const gt = face();
  const samples: PtsSample[] = ['ok1', 'broken', 'ok2', 'missed', 'flat'].map((name) => ({
    name,
    load: async () => {
      if (name === 'broken') throw new Error('broken.pts: line 3: expected "x y"');
      return { groundTruth: { landmarks: name === 'flat' ? new Float64Array(204) : gt } };
    },
  }));
  const predictor: LandmarkPredictor = {
    name: 'fake',
    needsImage: false,
    // The second of a full batch is "missed": a failure object instead of a prediction.
    predict: async (items) => items.map((_, i) => (items.length === 2 && i === 1 ? { error: 'no face found at the annotation' } : { landmarks: gt, rotation: [] })),
  };
  // Batches of 2: [ok1, broken] → broken fails to load; [ok2, missed] → missed gets the failure object; [flat] → score throws (no area).
  const records = await evaluatePts(samples, predictor, { batchSize: 2, normalization: 'box' });
  assert.deepEqual(records.map((r) => [r.name, r.status]), [['ok1', 'ok'], ['broken', 'failed'], ['ok2', 'ok'], ['missed', 'failed'], ['flat', 'failed']]);
  assert.equal(records[0]!.nme, 0);
  assert.match(records[1]!.error!, /broken\.pts: line 3/);
  assert.equal(records[3]!.error, 'no face found at the annotation');
  assert.match(records[4]!.error!, /span no area/);
  const thrown = await evaluateSamples(samples.slice(0, 1), { needsImage: false, predict: async () => { throw new Error('network down\nsecond line'); }, score: () => 'ok', failed: (n, e) => `${n}: ${e}` });
  assert.deepEqual(thrown, ['ok1: network down']);
});

test('summarizePtsByFolder: one summary per folder of the names, sorted; the root is "."', () => {
  const rec = (name: string, nme: number): PtsEvaluation => ({ name, status: 'ok', nme, nmeInner: nme });
  const groups = summarizePtsByFolder([rec('ibug/a', 0.1), rec('helen/testset/b', 0.02), rec('helen/testset/c', 0.04), rec('top', 0.05), { name: 'ibug/x', status: 'failed', error: 'e' }]);
  assert.deepEqual(groups.map((g) => [g.folder, g.summary.images, g.summary.evaluated]), [['.', 1, 1], ['helen/testset', 2, 2], ['ibug', 2, 1]]);
  assert.ok(Math.abs(groups[1]!.summary.all.nme - 0.03) < 1e-12);
  assert.equal(groups[2]!.summary.all.failureRate, 1);
});

test('expressionResponse: Pearson r and slope as a naive float64 computation; a fixed face gives slope 0, an exact copy 1', async () => {
  const { expressionResponse } = await import('../../src/eval/expressionResponse.js');
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const annotated = Array.from({ length: 57 }, () => rand() * 0.3);
  const predicted = annotated.map((a) => 0.05 + 0.4 * a + (rand() - 0.5) * 0.02);
  const got = expressionResponse(annotated, predicted);
  // Naive: slope = cov / var, r = cov / (sd · sd).
  const n = annotated.length, ma = annotated.reduce((s, v) => s + v, 0) / n, mp = predicted.reduce((s, v) => s + v, 0) / n;
  const cov = annotated.reduce((s, a, i) => s + (a - ma) * (predicted[i]! - mp), 0), va = annotated.reduce((s, a) => s + (a - ma) ** 2, 0), vp = predicted.reduce((s, p) => s + (p - mp) ** 2, 0);
  assert.ok(Math.abs(got.slope - cov / va) < 1e-12 && Math.abs(got.r - cov / Math.sqrt(va * vp)) < 1e-12);
  assert.ok(Math.abs(got.slope - 0.4) < 0.05, `slope ${got.slope}`);
  // The most open tenth: the 6 largest annotated amounts (57 / 10 rounded) and their predictions.
  const top = annotated.map((a, i) => [a, i] as const).sort((x, y) => y[0] - x[0]).slice(0, 6);
  assert.ok(Math.abs(got.topAnnotated - top.reduce((s, [a]) => s + a, 0) / 6) < 1e-12);
  assert.ok(Math.abs(got.topPredicted - top.reduce((s, [, i]) => s + predicted[i]!, 0) / 6) < 1e-12);
  assert.equal(expressionResponse(annotated, annotated).slope, 1);
  assert.ok(Math.abs(expressionResponse(annotated, annotated.map(() => 0.08)).slope) < 1e-12);
  assert.ok(Number.isNaN(expressionResponse(annotated, annotated.map(() => 0)).r), 'a constant prediction has no correlation');
  assert.throws(() => expressionResponse([1], []), /1 annotated vs 0 predicted/);
});

test('scorePts and summarizePts: the mouth\'s opening from the inner lips over the normaliser; a method with one closed mouth scores slope 0', () => {
  // Ground truths with the mouth open by k px (points 65–67 moved down), the predictions all closed.
  const face = (open: number, shift = 0) => {
    const p = new Float64Array(68 * 3);
    for (let i = 0; i < 68; i++) { p[3 * i] = 100 + 3 * i + shift; p[3 * i + 1] = 100 + (i % 7) * 9; }
    for (const [a, b] of [[61, 67], [62, 66], [63, 65]] as const) { p[3 * b] = p[3 * a]!; p[3 * b + 1] = p[3 * a + 1]! + open; }
    return p;
  };
  const records: PtsEvaluation[] = [0, 4, 8, 12, 16].map((open, i) => scorePts(`f${i}`, { landmarks: face(open) }, { landmarks: face(0, 0.5), rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, 'box'));
  assert.ok(Math.abs(records[2]!.mouthOpening!.annotated - 8 / NME_NORMALIZERS.box(face(8), 3)) < 1e-12);
  assert.equal(records[3]!.mouthOpening!.predicted, 0);
  const s = summarizePts(records, 0.08);
  assert.equal(s.expression.mouth.count, 5);
  assert.equal(s.expression.mouth.slope, 0);
  // The same faces predicted exactly: slope 1.
  const exact = [0, 4, 8, 12, 16].map((open, i) => scorePts(`f${i}`, { landmarks: face(open) }, { landmarks: face(open), rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, 'box'));
  assert.ok(Math.abs(summarizePts(exact).expression.mouth.slope - 1) < 1e-12);
});
