/**
 * Can the network fit how far the mouth is open? The shipped weights are trained further on a
 * few helen-afw68 training faces, without augmentation, and validated on the same faces
 * (unaugmented), once with the paper's loss mask and once with the lips' weight raised
 * (`mouthWeightMask`, `prnet train --mouth-weight`). The figures are the fit, not
 * generalisation: `mouth_gap` (the inner lips' gap against the labels, over √(w·h)) beside the
 * 68-landmark error against the labels. On 7 December, 64 faces, 100 epochs: the paper's mask
 * took `mouth_gap` from 3.30 to 2.80 % while the landmarks fell from 6.1 to 2–3.6 %; × 32 took
 * it to 1.92 % (`training/gpu-teacher-light/README.md`). Each factor also trains with each
 * expression loss weight (`expressionLossWeights`, `prnet train --expression-weight`).
 *
 * Run: `npm run bench -- mouthFit` (needs `runs/labels-helen` from `prnet label helen-afw68`).
 * `PRNET_BENCH_FACES` (64), `PRNET_BENCH_EPOCHS` (40), `PRNET_BENCH_FACTORS` (1,32),
 * `PRNET_BENCH_EXPRESSION` (0: expression loss weights, comma-separated),
 * `PRNET_BENCH_WEIGHTS` (the warm start's `.weights` path without `.bin`/`.json`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setupTrainBackend } from '../src/node/train/trainBackend.js';
import { loadHelenAfw68TrainingData } from '../src/node/train/helenTrainingData.js';
import { createTrainableNetwork } from '../src/train/engine/network.js';
import { importWeights } from '../src/train/engine/exportWeights.js';
import { variantSpec } from '../src/model/resfcn.js';
import { mouthWeightMask } from '../src/train/data/mouthWeightMask.js';
import { expressionLossWeights } from '../src/train/data/expressionLossWeights.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { trainLoop } from '../src/train/loop/trainLoop.js';
import { createTrainRandom } from '../src/train/loop/trainRandom.js';
import type { TrainingData } from '../src/train/data/trainingData.js';

const labels = 'runs/labels-helen';
const warmStart = process.env.PRNET_BENCH_WEIGHTS ?? 'training/gpu-teacher-light/warm-start.weights';
if (!existsSync(`${labels}/labels.json`)) {
  console.log(`mouthFit: skipped, no ${labels} (make it with prnet label helen-afw68, see docs/teacher-labels.md)`);
  process.exit(0);
}
const faces = Number(process.env.PRNET_BENCH_FACES ?? 64), epochs = Number(process.env.PRNET_BENCH_EPOCHS ?? 40);
const factors = (process.env.PRNET_BENCH_FACTORS ?? '1,32').split(',').map(Number);
const expressionWeights = (process.env.PRNET_BENCH_EXPRESSION ?? '0').split(',').map(Number);
const backend = await setupTrainBackend({ warn: () => {} });
const assets = await loadUvAssets({ download: false });
const helen = await loadHelenAfw68TrainingData({ labels, assets, inputSize: 128, valCount: 300, seed: 1, cacheDir: 'runs/cache', log: () => {} });
const manifest = JSON.parse(await readFile(`${warmStart}.json`, 'utf8'));
const weights = new Uint8Array(await readFile(`${warmStart}.bin`));
console.log(`${faces} helen-afw68 training faces, ${epochs} epochs of ${Math.ceil(faces / 16)} steps, batch 16, LR 1e-4, no augmentation, ${backend.threads} threads`);
console.log(`warm start ${warmStart}`);
console.log('| lips × | expression loss | epoch | mouth_gap | label68 2D | seconds |\n| --- | --- | --- | --- | --- | --- |');
for (const factor of factors) for (const expressionWeight of expressionWeights) {
  const net = createTrainableNetwork(variantSpec('resfcn128-light'), { seed: 1 });
  net.loadWeights(importWeights(manifest, weights));
  const rng = createTrainRandom(3);
  // Training = validation: the same faces, validated unaugmented.
  const data: TrainingData = {
    inputSize: 128, trainCount: faces, valCount: faces,
    batch: (idx, r, aug) => helen.batch(idx, r, aug),
    valBatch: (idx) => helen.batch(idx, rng, false),
    valLandmarkError: (_p, idx) => ({ nme: 0, perImage: new Float64Array(idx.length) }),
    valMetrics: (p, t, idx) => helen.valMetrics!(p, t, idx),
  };
  const t0 = performance.now();
  const pixels = mouthWeightMask(helen.weightMask, assets.keypointIndices, { factor });
  await trainLoop(net, data, { pixels, neighbours: expressionLossWeights(assets.keypointIndices, { side: 128, weight: expressionWeight }) }, {
    epochs, batchSize: 16, learningRate: 1e-4, halveEveryEpochs: 0, augment: false, valLimit: faces, batchNormDecay: 0.99, checkpointMinutes: 1e9,
  }, {
    onEpoch: async (m) => {
      const e = m.epoch + 1;
      if (e === 1 || e % 10 === 0 || e === epochs) {
        console.log(`| ${factor} | ${expressionWeight} | ${e} | ${(100 * m.valMetrics!['mouth_gap']!).toFixed(2)} % | ${(100 * m.valMetrics!['label68_2d']!).toFixed(2)} % | ${((performance.now() - t0) / 1000).toFixed(0)} |`);
      }
    },
  });
  net.dispose?.();
}
