/**
 * The expression loss (`neighbourDifferenceLoss` through `positionLoss`) against a naive
 * float64 loop, its region (`expressionLossWeights`) against the UV landmarks, and the
 * property it exists for: a prediction that is right but for the head's position costs the
 * paper's loss and not this one, while one whose mouth is shut costs it.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { disposePositionLossTensors, positionLoss, positionLossTensors, weightedPositionLoss, weightMaskTensor } from '../../../src/train/engine/loss.js';
import { expressionLossWeights } from '../../../src/train/data/expressionLossWeights.js';
import { loadUvAssets } from '../../../src/node/inference/uvAssets.js';
import { randomFloats, seededRandom } from '../../support/random.js';
import { setupTrainBackend } from '../../../src/node/train/trainBackend.js';

await setupTrainBackend({ warn: () => {} });

const dataDir = fileURLToPath(new URL('../../../../shared/prnet-data/uv-data/', import.meta.url));

/** Σ W·(p − t)² + Σ min(g, g')·(Δp − Δt)² over neighbouring pairs, / (n·S·S), in float64. */
function naiveLoss(p: Float32Array, t: Float32Array, n: number, S: number, w: Float32Array, g: Float32Array): number {
  let total = 0;
  const at = (a: Float32Array, b: number, y: number, x: number, c: number) => a[((b * S + y) * S + x) * 3 + c]!;
  for (let b = 0; b < n; b++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) {
    total += w[y * S + x]! * (at(p, b, y, x, c) - at(t, b, y, x, c)) ** 2;
    if (y + 1 < S) {
      const d = (at(p, b, y + 1, x, c) - at(p, b, y, x, c)) - (at(t, b, y + 1, x, c) - at(t, b, y, x, c));
      total += Math.min(g[y * S + x]!, g[(y + 1) * S + x]!) * d * d;
    }
    if (x + 1 < S) {
      const d = (at(p, b, y, x + 1, c) - at(p, b, y, x, c)) - (at(t, b, y, x + 1, c) - at(t, b, y, x, c));
      total += Math.min(g[y * S + x]!, g[y * S + x + 1]!) * d * d;
    }
  }
  return total / (n * S * S);
}

test('positionLoss with expression weights: equals a naive float64 loop on random maps', () => {
  const rng = seededRandom(7);
  const n = 3, S = 9;
  const p = randomFloats(n * S * S * 3, rng), t = randomFloats(n * S * S * 3, rng);
  const w = Float32Array.from({ length: S * S }, () => [0, 3, 4, 16][Math.floor(rng() * 4)]!);
  // Weights that differ between neighbours, so the pair's weight (the smaller) matters.
  const g = Float32Array.from({ length: S * S }, () => (rng() < 0.4 ? 0 : 1 + 9 * rng()));
  const tensors = positionLossTensors({ pixels: w, neighbours: g });
  const P = tf.tensor4d(p, [n, S, S, 3]), T = tf.tensor4d(t, [n, S, S, 3]);
  const got = positionLoss(P, T, tensors).dataSync()[0]!;
  const want = naiveLoss(p, t, n, S, w, g);
  assert.ok(Math.abs(got - want) <= 1e-5 * want, `${got} vs ${want}`);
  // Weights in a small block off the corner: the loss works on that box of the map only.
  const block = Float32Array.from({ length: S * S }, (_, i) => (Math.floor(i / S) >= 4 && Math.floor(i / S) < 7 && i % S >= 2 && i % S < 6 ? 1 + 9 * rng() : 0));
  const boxed = positionLossTensors({ pixels: w, neighbours: block });
  assert.deepEqual([boxed.neighbours!.y, boxed.neighbours!.x, ...boxed.neighbours!.vertical.shape], [3, 1, 4, 6, 3]);
  const gotBox = positionLoss(P, T, boxed).dataSync()[0]!, wantBox = naiveLoss(p, t, n, S, w, block);
  assert.ok(Math.abs(gotBox - wantBox) <= 1e-5 * wantBox, `boxed: ${gotBox} vs ${wantBox}`);
  disposePositionLossTensors(boxed);
  // Without neighbour weights it is the paper's loss alone.
  const plain = positionLossTensors(w);
  assert.equal(plain.neighbours, undefined);
  const paper = weightedPositionLoss(P, T, weightMaskTensor(w)).dataSync()[0]!;
  assert.equal(positionLoss(P, T, plain).dataSync()[0], paper);
  assert.equal(positionLossTensors({ pixels: w, neighbours: new Float32Array(S * S) }).neighbours, undefined, 'all-zero weights: off');
  assert.ok(want > paper * 1.01, 'the expression term adds to the loss');
  disposePositionLossTensors(tensors); disposePositionLossTensors(plain);
  tf.dispose([P, T]);
});

test('positionLossTensors: refuses expression weights of the wrong size', () => {
  assert.throws(() => positionLossTensors({ pixels: new Float32Array(16), neighbours: new Float32Array(9) }), /expression loss weights: 9 values, expected 4×4/);
});

test('expressionLossWeights: the lips and eyes at 128, weight g, nothing else', async () => {
  const assets = await loadUvAssets({ dataDir, download: false });
  const N = 256, S = 128;
  const g = expressionLossWeights(assets.keypointIndices, { side: S, weight: 500 });
  assert.equal(g.length, S * S);
  const at = (k: number) => { const i = assets.keypointIndices[k]!; return Math.round(((i % N) - 0.5) / 2) + S * Math.round((Math.floor(i / N) - 0.5) / 2); };
  for (let k = 36; k < 68; k++) assert.equal(g[at(k)], 500, `landmark ${k} (eyes and lips) is in the region`);
  for (const k of [0, 8, 16, 19, 24, 27, 30, 33]) assert.equal(g[at(k)], 0, `landmark ${k} (jaw, brows, nose) is not`);
  const inside = g.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
  assert.ok(inside > 150 && inside < 1500, `${inside} pixels: lips and eyes, not the face`);
  assert.ok(expressionLossWeights(assets.keypointIndices, { side: S, weight: 0 }).every((v) => v === 0));
  assert.throws(() => expressionLossWeights(assets.keypointIndices, { weight: -1 }), /weight must be a number ≥ 0/);
});

test('expression loss: blind to where the head is, not to how far the mouth is open', async () => {
  const assets = await loadUvAssets({ dataDir, download: false });
  const S = 128, N = 256;
  const g = expressionLossWeights(assets.keypointIndices, { side: S, weight: 1 });
  const rng = seededRandom(3);
  // A smooth random target map, the "right" answer.
  const t = new Float32Array(S * S * 3);
  const [a, b, c] = [rng(), rng(), rng()];
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    t[(y * S + x) * 3] = 0.3 + 0.4 * x / S + 0.01 * Math.sin(a * 9 + y / 7);
    t[(y * S + x) * 3 + 1] = 0.3 + 0.4 * y / S + 0.01 * Math.cos(b * 9 + x / 5);
    t[(y * S + x) * 3 + 2] = 0.5 + 0.05 * Math.sin(c * 9 + (x + y) / 11);
  }
  const zeros = new Float32Array(S * S);
  const loss = (p: Float32Array, pixels: Float32Array, neighbours: Float32Array) => {
    const tensors = positionLossTensors({ pixels, neighbours });
    const v = positionLoss(tf.tensor4d(p, [1, S, S, 3]), tf.tensor4d(t, [1, S, S, 3]), tensors).dataSync()[0]!;
    disposePositionLossTensors(tensors);
    return v;
  };
  const ones = new Float32Array(S * S).fill(1);
  // The head moved: every point 0.02 to the right.
  const moved = t.map((v, i) => (i % 3 === 0 ? v + 0.02 : v));
  const shift = loss(moved, zeros, g), paper = loss(moved, ones, zeros);
  assert.ok(paper > 1e-4, `paper's loss ${paper}`);
  assert.ok(shift < 1e-9 * paper, `a shift costs the expression loss nothing: ${shift}`);
  // The mouth shut: the lower lip's rows (below the inner-lip line) moved up by 0.02.
  const kp = assets.keypointIndices, lipRow = Math.floor(kp[62]! / N) / 2 + 2;
  const shut = Float32Array.from(t);
  for (let y = Math.ceil(lipRow); y < S; y++) for (let x = 0; x < S; x++) shut[(y * S + x) * 3 + 1]! -= 0.02;
  const closed = loss(shut, zeros, g);
  assert.ok(closed > 1e-3 * paper, `a closed mouth costs it: ${closed}`);
});
