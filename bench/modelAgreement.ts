/**
 * How far reduced-precision exports of a model (fp16 weights, int8 QDQ) move its
 * output from the fp32 model: on PRNet's evaluation crops of the AFLW2000-3D
 * fixtures, the position-map difference over the 43,867 face pixels (mean and max,
 * in pixels of the 256 map) and the change of the 68 landmarks.
 *
 * ```sh
 * node --import tsx bench/modelAgreement.ts fp32.onnx fp16.onnx int8.onnx [--data ../shared/fixtures/aflw2000-sample]
 * ```
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadOnnxModel } from '../src/node/inference/onnxModel.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { evaluateAflw2000 } from '../src/eval/evaluateAflw2000.js';
import { modelPredictor } from '../src/eval/modelPredictor.js';
import { listAflw2000Samples } from '../src/node/files/listAflw2000Samples.js';
import type { PositionMapModel } from '../src/model/session.js';
import { REPO_ROOT } from '../scripts/demoAssets.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: path.resolve(REPO_ROOT, '../shared/fixtures/aflw2000-sample') },
    'uv-data': { type: 'string', default: path.resolve(REPO_ROOT, '../shared/prnet-data/uv-data') },
  },
});
if (positionals.length < 2) {
  // `npm run bench` runs every benchmark without arguments: this one needs two models.
  console.log('modelAgreement: skipped (needs <fp32.onnx> <other.onnx>…, e.g. an fp32 export and models/default.onnx)');
  process.exit(0);
}
const assets = await loadUvAssets({ dataDir: values['uv-data'] });
const reference = await loadOnnxModel(positionals[0]!, { threads: 2 });
const others = await Promise.all(positionals.slice(1).map((p) => loadOnnxModel(p, { threads: 2 })));
const stats = others.map(() => ({ sum: 0, count: 0, max: 0, lmSum: 0, lmMax: 0, lmCount: 0 }));
const face = assets.faceIndices;
const kpt = assets.keypointIndices;

// A model that answers with the reference and compares every other model on the same crops.
const comparing: PositionMapModel = {
  inputSize: reference.inputSize, outputSize: reference.outputSize, metadata: reference.metadata,
  async predict(input, batch) {
    const ref = await reference.predict(input, batch);
    const per = reference.outputSize * reference.outputSize * 3;
    for (const [k, model] of others.entries()) {
      const got = await model.predict(input, batch);
      const s = stats[k]!;
      for (let b = 0; b < batch; b++) {
        const dist = (p: number) => {
          const o = b * per + 3 * p;
          return Math.hypot(got[o]! - ref[o]!, got[o + 1]! - ref[o + 1]!, got[o + 2]! - ref[o + 2]!);
        };
        for (const p of face) { const d = dist(p); s.sum += d; s.count++; s.max = Math.max(s.max, d); }
        for (const p of kpt) { const d = dist(p); s.lmSum += d; s.lmCount++; s.lmMax = Math.max(s.lmMax, d); }
      }
    }
    return ref;
  },
  dispose: async () => {},
};
const samples = await listAflw2000Samples(values.data);
await evaluateAflw2000(samples, modelPredictor(comparing, assets), { batchSize: 8 });
console.log(`${samples.length} AFLW2000-3D crops; 3D distance to ${path.basename(positionals[0]!)} in pixels of the 256×256 position map`);
for (const [k, p] of positionals.slice(1).entries()) {
  const s = stats[k]!;
  console.log(`  ${path.basename(p).padEnd(28)} face pixels mean ${(s.sum / s.count).toFixed(3)} max ${s.max.toFixed(3)} · 68 landmarks mean ${(s.lmSum / s.lmCount).toFixed(3)} max ${s.lmMax.toFixed(3)}`);
}
await Promise.all([reference, ...others].map((m) => m.dispose()));
