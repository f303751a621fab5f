/**
 * Teacher-fitted labels (docs/teacher-labels.md):
 *   node --import tsx bench/teacherLabels.ts sweep   label-fit settings on helen-afw68 (training data with 68 human points):
 *                                                    fit to 16 AFLW-like points, score the other inner points
 *   node --import tsx bench/teacherLabels.ts speed   teacher and fit time per AFLW-21 face (the first 2,000)
 *   node --import tsx bench/teacherLabels.ts model   UV morphable model: build time and held-out error of the shape basis
 * Reads ../shared (3ddfa, datasets); caches under runs/cache. Skipped with one line when ../shared/3ddfa is missing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitPoints } from '../src/labels/teacherFit/fitPoints.js';
import { faceFitPoints } from '../src/labels/teacherFit/faceFitPoints.js';
import { teacherFit, TEACHER_FIT_DEFAULTS, type TeacherFitOptions } from '../src/labels/teacherFit/teacherFit.js';
import { pointBoxSize, teacherLabel } from '../src/labels/teacherFit/teacherLabel.js';
import { aflw21LabelSource } from '../src/node/train/labels/aflw21LabelSource.js';
import { helenAfw68LabelSource } from '../src/node/train/labels/helenAfw68LabelSource.js';
import { teacherFaceFit, teacherOutputs } from '../src/node/train/labels/labelFaces.js';
import { loadBfmPieces } from '../src/node/train/labels/bfmPieces.js';
import { loadUvMorphableModel } from '../src/node/train/labels/uvMorphableModelFile.js';
import { loadTddfaTeacher } from '../src/node/inference/tddfaTeacher.js';
import { uvMorphableModel } from '../src/labels/uvMorphableModel.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '../shared');
const bfmDir = path.join(shared, '3ddfa');
const cacheDir = path.join(root, 'runs/cache');
const mode = process.argv[2] ?? 'speed';
if (!existsSync(path.join(bfmDir, 'mb05_120x120.onnx'))) {
  console.log(`teacherLabels: skipped (no ${bfmDir}/mb05_120x120.onnx)`);
  process.exit(0);
}
const teacher = await loadTddfaTeacher(path.join(bfmDir, 'mb05_120x120.onnx'));

/** AFLW's 21 points that have a 68-point twin (no eye centres, mouth centre, ears): 68-point indices. */
const AFLW_LIKE = [17, 19, 21, 22, 24, 26, 36, 39, 42, 45, 31, 30, 35, 48, 54, 8];

if (mode === 'sweep') {
  const { model, pieces } = await loadUvMorphableModel(bfmDir, { cacheDir });
  const source = await helenAfw68LabelSource(path.join(shared, 'datasets/helen-afw68'), model.landmarkPixels);
  const n = source.names.length;
  const outputs = await teacherOutputs(source, teacher, n, path.join(cacheDir, 'helen-teacher'));
  const lmPoints = fitPoints(model, model.landmarkPixels);
  const subset = fitPoints(model, Uint32Array.from(AFLW_LIKE, (j) => model.landmarkPixels[j]!));
  const heldOut = Array.from({ length: 51 }, (_, k) => k + 17).filter((j) => !AFLW_LIKE.includes(j));
  const std = Array.from(pieces.paramStd).slice(12);
  const score = (lm: Float64Array, i: number, ids: number[]) => {
    const h = source.human.subarray(i * 136, (i + 1) * 136);
    const size = pointBoxSize(h, 2);
    let s = 0;
    for (const j of ids) s += Math.hypot(lm[j * 3]! - h[j * 2]!, lm[j * 3 + 1]! - h[j * 2 + 1]!);
    return s / ids.length / size;
  };
  const inner = Array.from({ length: 51 }, (_, k) => k + 17);
  const run = (name: string, opts: Partial<TeacherFitOptions> | null) => {
    let held = 0, all = 0, cnt = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(outputs.raw[i * 62]!)) continue;
      const t = teacherFaceFit(outputs, i, model, pieces);
      let lm = faceFitPoints(t, lmPoints);
      if (opts) {
        const h = new Float64Array(AFLW_LIKE.length * 2);
        AFLW_LIKE.forEach((j, r) => { h[r * 2] = source.human[(i * 68 + j) * 2]!; h[r * 2 + 1] = source.human[(i * 68 + j) * 2 + 1]!; });
        const fit = teacherFit(subset, h, new Float64Array(AFLW_LIKE.length).fill(1), t, std, model.shapeCount, pointBoxSize(lm), opts);
        lm = faceFitPoints(fit, lmPoints);
      }
      held += score(lm, i, heldOut); all += score(lm, i, inner); cnt++;
    }
    console.log(`| ${name} | ${(held / cnt * 100).toFixed(2)} % | ${(all / cnt * 100).toFixed(2)} % | ${((performance.now() - t0) / cnt).toFixed(2)} |`);
  };
  console.log(`helen-afw68, ${n} faces: fit to ${AFLW_LIKE.length} AFLW-like points; NME (÷ √(w·h) of the 68-point box)\n`);
  console.log('| setting | held-out inner points | all inner 51 | ms/face |\n| --- | --- | --- | --- |');
  run('teacher alone', null);
  if (process.argv.includes('--flip')) {
    // The teacher on the mirrored crop, mapped back (left and right swapped), averaged with the direct prediction.
    const mirrored = await teacherOutputs(source, teacher, n, path.join(cacheDir, 'helen-teacher'), { mirror: true });
    const partner = Array.from(model.landmarkPixels, (p) => {
      const u = p % 256, v = Math.floor(p / 256);
      let best = 0, bd = Infinity;
      model.landmarkPixels.forEach((q, k) => { const d = Math.hypot(255 - (q % 256) - u, Math.floor(q / 256) - v); if (d < bd) { bd = d; best = k; } });
      return best;
    });
    let direct = 0, flipped = 0, avg = 0, cnt = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(outputs.raw[i * 62]!) || !Number.isFinite(mirrored.raw[i * 62]!)) continue;
      const a = faceFitPoints(teacherFaceFit(outputs, i, model, pieces), lmPoints);
      const m = faceFitPoints(teacherFaceFit(mirrored, i, model, pieces), lmPoints);
      const r = outputs.frameRoi.subarray(i * 4, i * 4 + 4);
      const back = new Float64Array(204), mean = new Float64Array(204);
      for (let j = 0; j < 68; j++) {
        const k = partner[j]!;
        back[j * 3] = 119 * (r[2]! - r[0]!) / 120 + 2 * r[0]! - m[k * 3]!;
        back[j * 3 + 1] = m[k * 3 + 1]!;
        for (let c = 0; c < 2; c++) mean[j * 3 + c] = (a[j * 3 + c]! + back[j * 3 + c]!) / 2;
      }
      direct += score(a, i, inner); flipped += score(back, i, inner); avg += score(mean, i, inner); cnt++;
    }
    console.log(`| teacher on the mirrored crop (inner 51: ${(flipped / cnt * 100).toFixed(2)} %) averaged with the direct one (${(direct / cnt * 100).toFixed(2)} %) | | ${(avg / cnt * 100).toFixed(2)} % | |`);
    process.exit(0);
  }
  const d = TEACHER_FIT_DEFAULTS;
  if (process.argv.includes('--jaw')) {
    // The 17 jaw points follow the visible contour in 300-W: fit the 16 AFLW-like points plus the jaw at weight w.
    const withJaw = [...AFLW_LIKE.filter((j) => j >= 17), ...Array.from({ length: 17 }, (_, j) => j)];
    const pts = fitPoints(model, Uint32Array.from(withJaw, (j) => model.landmarkPixels[j]!));
    for (const w of [0, 0.1, 0.25, 0.5, 1]) {
      let held = 0, cnt = 0;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(outputs.raw[i * 62]!)) continue;
        const t = teacherFaceFit(outputs, i, model, pieces);
        const h = new Float64Array(withJaw.length * 2);
        withJaw.forEach((j, r) => { h[r * 2] = source.human[(i * 68 + j) * 2]!; h[r * 2 + 1] = source.human[(i * 68 + j) * 2 + 1]!; });
        const weights = Float64Array.from(withJaw, (j) => (j < 17 ? w : 1));
        const fit = teacherFit(pts, h, weights, t, std, model.shapeCount, pointBoxSize(faceFitPoints(t, lmPoints)), {});
        held += score(faceFitPoints(fit, lmPoints), i, heldOut); cnt++;
      }
      console.log(`| jaw weight ${w} (AFLW-like points + jaw, default settings) | ${(held / cnt * 100).toFixed(2)} % | | |`);
    }
    process.exit(0);
  }
  if (process.argv.includes('--round2')) {
    for (const shapePrior of [4, 8]) for (const expressionPrior of [0.25, 0.5]) for (const pointSigma of [0.03, 0.04]) {
      run(`shape ${shapePrior}, expression ${expressionPrior}, point σ ${pointSigma}`, { shapePrior, expressionPrior, pointSigma });
    }
    process.exit(0);
  }
  run(`defaults (σ ${d.pointSigma}, shape ${d.shapePrior}, expression ${d.expressionPrior}, rotation ${d.rotationSigma}°)`, {});
  for (const pointSigma of [0.01, 0.04]) run(`point σ ${pointSigma}`, { pointSigma });
  for (const shapePrior of [0.5, 2, 4]) run(`shape prior ${shapePrior}`, { shapePrior });
  for (const expressionPrior of [0.5, 2, 4]) run(`expression prior ${expressionPrior}`, { expressionPrior });
  for (const rotationSigma of [2, 10, 30]) run(`rotation σ ${rotationSigma}°`, { rotationSigma });
  // Second round: combinations around the best single changes.
  for (const shapePrior of [4, 8]) for (const expressionPrior of [0.25, 0.5]) for (const pointSigma of [0.03, 0.04]) {
    run(`shape ${shapePrior}, expression ${expressionPrior}, point σ ${pointSigma}`, { shapePrior, expressionPrior, pointSigma });
  }
} else if (mode === 'speed') {
  const { model, pieces } = await loadUvMorphableModel(bfmDir, { cacheDir });
  const source = await aflw21LabelSource(path.join(shared, 'datasets/aflw21'));
  const n = 2000;
  let t0 = performance.now();
  const outputs = await teacherOutputs(source, teacher, n, null);
  const teacherMs = (performance.now() - t0) / n;
  const ctx = { model, points: fitPoints(model, source.correspondence.start), landmarks: fitPoints(model, model.landmarkPixels), paramMean: pieces.paramMean, paramStd: pieces.paramStd };
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = outputs.frameRoi.subarray(i * 4, i * 4 + 4);
    teacherLabel(outputs.raw.subarray(i * 62, i * 62 + 62), [r[0]!, r[1]!, r[2]!, r[3]!], source.human.subarray(i * 42, i * 42 + 42), source.weights.subarray(i * 21, i * 21 + 21), ctx);
  }
  const fitMs = (performance.now() - t0) / n;
  console.log(`AFLW-21, ${n} faces: decode + crop + teacher ${teacherMs.toFixed(2)} ms/face, label fit ${fitMs.toFixed(2)} ms/face; all 19,080 faces ≈ ${((teacherMs + fitMs) * 19080 / 60000).toFixed(1)} min plus the correspondence search`);
} else if (mode === 'model') {
  const pieces = await loadBfmPieces(bfmDir);
  const t0 = performance.now();
  const { report } = uvMorphableModel(pieces, { holdOutEvery: 10 });
  console.log(`UV morphable model: built in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${report.samplesUsed} shape sample points used, ${report.samplesOffSurface} off the surface, ${report.samplesNearLandmarks} at landmarks, ${report.samplesHeldOut} held out`);
  console.log(`held-out shape basis (one-sigma shapes): RMS error ${report.heldOutRmsError.toFixed(1)} against RMS value ${report.heldOutRmsValue.toFixed(1)} BFM units (${(report.heldOutRmsError / report.heldOutRmsValue * 100).toFixed(2)} %)`);
} else {
  console.error(`teacherLabels: unknown mode "${mode}" (sweep, speed, model)`);
  process.exitCode = 2;
}
