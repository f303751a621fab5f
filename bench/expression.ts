/**
 * Does the model follow the face's expression? On the helen-afw68 faces that training holds
 * out (the seeded split of `prnet train`), each predictor's 68 landmarks are compared with
 * the human points region by region, and two expression measures are compared with the
 * human ones:
 * - mouth opening: the mean gap between the inner lips (points 61–67, 62–66, 63–65);
 * - eye opening: the mean gap between the eyelids (37–41, 38–40, 43–47, 44–46);
 * both over √(w·h) of the human 68-point box. For each: Pearson's r with the human value, the
 * slope of the least-squares line predicted = a + b · human (1: the expression is followed in
 * full; 0: a constant face), and the means over the most open tenth of the faces.
 *
 * Rows: the model (the evaluation protocol's crop from the human points, as `prnet eval pts
 * --crop landmarks`), the teacher-fitted labels the model learnt from, and the teacher
 * (3DDFA_V2, cropped as 3DDFA crops from the points) when `../shared/3ddfa` is there.
 *
 * Run: `npm run bench -- expression` (needs `runs/labels-helen` from `prnet label
 * helen-afw68`, which fixes the split; `PRNET_BENCH_MODEL=<onnx>` for another model;
 * `PRNET_BENCH_SPLIT=train` scores 300 faces training *learns from* instead, which tells a
 * network that cannot fit the mouth from one that fits it and does not generalise).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { loadOnnxModel } from '../src/node/inference/onnxModel.js';
import { loadTddfaTeacher } from '../src/node/inference/tddfaTeacher.js';
import { loadBfmPieces } from '../src/node/train/labels/bfmPieces.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { readLabelSet } from '../src/node/train/labels/labelSetFiles.js';
import { modelPredictor } from '../src/eval/modelPredictor.js';
import { tddfaPredictor } from '../src/eval/tddfaPredictor.js';
import type { LandmarkPredictor } from '../src/eval/evaluateAflw2000.js';
import { npyToFloat64, readNpy } from '../src/io/npy.js';
import type { RgbImage } from '../src/io/rgbImage.js';
import { expressionAmounts, summarizeExpressions, type ExpressionResponse } from '../src/eval/expressionResponse.js';
import { boxNormalizer } from '../src/eval/landmarkNme.js';
import { VALIDATION_SETS } from './lib/validationSets.js';

const { root, modelPath, helenLabels, helenDir } = VALIDATION_SETS;
const SEED = 1, VAL_COUNT = 300;
const TEACHER = path.join(root, '../shared/3ddfa/mb05_120x120.onnx');

if (!existsSync(path.join(helenLabels, 'labels.json'))) {
  console.log(`skipped: no label set at ${helenLabels} (prnet label helen-afw68 …, see training/gpu-teacher-light/README.md)`);
  process.exit(0);
}

/** Point ranges of the 68-point scheme, without the jaw (300-W's jaw follows the visible contour). */
const REGIONS: [string, number, number][] = [['brows', 17, 27], ['nose', 27, 36], ['eyes', 36, 48], ['mouth', 48, 68]];

const assets = await loadUvAssets();
const labels = await readLabelSet(helenLabels);
const { loadHelenAfw68TrainingData } = await import('../src/node/train/helenTrainingData.js');
const helen = await loadHelenAfw68TrainingData({ labels: helenLabels, assets, inputSize: 128, valCount: VAL_COUNT, seed: SEED, cacheDir: path.join(root, 'runs/cache'), log: () => {} });
const names = labels.info.images;
const pts = npyToFloat64(readNpy(new Uint8Array(await readFile(path.join(helenDir, 'pts68.npy')))));

// The held-out faces: human points (x, y; z 0), the image, the face size.
const onTraining = process.env['PRNET_BENCH_SPLIT'] === 'train';
const held = new Set(helen.valImages);
const chosen = onTraining ? names.map((_, i) => i).filter((i) => !held.has(i)).slice(0, VAL_COUNT) : [...helen.valImages];
const faces: { image: RgbImage; human: Float64Array; size: number; index: number }[] = [];
for (const i of chosen) {
  const human = new Float64Array(204);
  for (let k = 0; k < 68; k++) { human[3 * k] = pts[i * 136 + k]!; human[3 * k + 1] = pts[i * 136 + 68 + k]!; }
  faces.push({ image: await decodeImage(await readFile(path.join(helenDir, 'images', names[i]!))), human, size: boxNormalizer(human), index: i });
}

/** 68 points, x, y, z each. */
type Points = ArrayLike<number>;
const rows: { name: string; landmarks: Points[] }[] = [];
async function runPredictor(p: LandmarkPredictor): Promise<void> {
  const out = await p.predict(faces.map((f) => ({ image: f.image, groundTruth: { landmarks: f.human } })));
  rows.push({
    name: p.name,
    landmarks: out.map((r, j) => {
      if (!('landmarks' in r)) throw new Error(`${p.name}: face ${faces[j]!.index} failed`);
      return r.landmarks;
    }),
  });
}
const model = await loadOnnxModel(modelPath, { threads: 2 });
await runPredictor(modelPredictor(model, assets, `model ${path.relative(root, modelPath)} (crop from the human points)`, { crop: 'landmarks' }));
rows.push({ name: `labels ${path.relative(root, helenLabels)} (teacher fitted to the human points)`, landmarks: faces.map((f) => labels.landmarks.subarray(f.index * 204, (f.index + 1) * 204)) });
if (existsSync(TEACHER)) await runPredictor(tddfaPredictor(await loadTddfaTeacher(TEACHER), await loadBfmPieces(path.dirname(TEACHER)), 'teacher 3DDFA_V2 mb05'));

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
const human = faces.map((f) => f.human);

console.log(`${faces.length} ${onTraining ? 'training' : 'held-out'} helen-afw68 faces (seed ${SEED}), against the human 68 points; NME over √(w·h) of the 68-point box\n`);
console.log(`| predictor | inner 51 | ${REGIONS.map(([n]) => n).join(' | ')} | mouth opening: r / slope / most open tenth | eye opening: r / slope / most open tenth |`);
console.log(`| --- | --- | ${REGIONS.map(() => '---').join(' | ')} | --- | --- |`);
for (const row of rows) {
  const err = (from: number, to: number) => mean(row.landmarks.map((p, j) => {
    let s = 0;
    const h = human[j]!;
    for (let k = from; k < to; k++) s += Math.hypot(p[3 * k]! - h[3 * k]!, p[3 * k + 1]! - h[3 * k + 1]!);
    return s / (to - from) / faces[j]!.size;
  }));
  const { mouth: m, eyes: e } = summarizeExpressions(row.landmarks.map((p, j) => expressionAmounts(human[j]!, p, faces[j]!.size)));
  const cell = (q: ExpressionResponse) => `${q.r.toFixed(2)} / ${q.slope.toFixed(2)} / ${pct(q.topPredicted)} (human ${pct(q.topAnnotated)})`;
  console.log(`| ${row.name} | ${pct(err(17, 68))} | ${REGIONS.map(([, a, b]) => pct(err(a, b))).join(' | ')} | ${cell(m)} | ${cell(e)} |`);
}
await model.dispose();
