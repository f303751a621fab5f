/**
 * `prnet export <x.weights.json>`: weights trained elsewhere (training/pytorch writes
 * `prnet-weights-1` pairs) go through the same converter as a training run's checkpoint.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { networkVariables, resfcnSpec, VARIANTS, parameterCount, forwardFlops } from '../../../src/model/resfcn.js';
import { convertCheckpoint } from '../../../src/model/convertCheckpoint.js';
import { exportWeights, importWeights } from '../../../src/train/engine/exportWeights.js';
import { exportTrainedModel } from '../../../src/node/train/exportTrainedModel.js';
import { loadOnnxModel } from '../../../src/node/inference/onnxModel.js';
import { seededRandom } from '../../support/random.js';

const spec = resfcnSpec({ variant: 'pair32', inputSize: 32, baseChannels: 2 });

function randomWeights(seed: number): Map<string, Float32Array> {
  const rng = seededRandom(seed);
  const out = new Map<string, Float32Array>();
  for (const v of networkVariables(spec)) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rng();
      // Positive variances and scales near 1 so that nothing saturates the sigmoid.
      w[i] = v.role === 'moving_variance' ? 0.5 + r : v.role === 'gamma' ? 0.8 + 0.4 * r : v.role === 'weights' ? (r - 0.5) * 0.6 : (r - 0.5) * 0.2;
    }
    out.set(v.name, w);
  }
  return out;
}

test('a weights pair exports to the same ONNX bytes as the converter, in float32 and float16', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-pair-'));
  try {
    const weights = randomWeights(4);
    for (const dtype of ['float32', 'float16'] as const) {
      const { manifest, data } = exportWeights(spec, weights, { dtype });
      const base = path.join(dir, `w-${dtype}`);
      await writeFile(`${base}.weights.bin`, data);
      await writeFile(`${base}.weights.json`, JSON.stringify({ ...manifest, source: 'unit test', step: 77 }));
      const out = path.join(dir, `m-${dtype}.onnx`);
      const r = await exportTrainedModel(`${base}.weights.json`, out);
      assert.equal(r.variant, 'pair32');
      assert.equal(r.step, 77);
      // The converter given the same (dtype-rounded) weights writes the same bytes.
      const expected = convertCheckpoint(spec, importWeights(manifest, data), { source: 'unit test', metadata: {} });
      assert.deepEqual(new Uint8Array(await readFile(out)), expected);
      // The .bin path names the same pair.
      const viaBin = await exportTrainedModel(`${base}.weights.bin`, path.join(dir, 'b.onnx'));
      assert.equal(viaBin.step, 77);
    }
    // float16 weights move the model's output by little, float32 not at all.
    const input = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => ((i * 7919) % 255) / 255);
    const m32 = await loadOnnxModel(path.join(dir, 'm-float32.onnx'));
    const m16 = await loadOnnxModel(path.join(dir, 'm-float16.onnx'));
    const ref = await loadOnnxModel(convertCheckpoint(spec, weights, {}));
    const [a, b, c] = [await m32.predict(input, 1), await m16.predict(input, 1), await ref.predict(input, 1)];
    let d32 = 0, d16 = 0;
    for (let i = 0; i < a.length; i++) { d32 = Math.max(d32, Math.abs(a[i]! - c[i]!)); d16 = Math.max(d16, Math.abs(b[i]! - c[i]!)); }
    assert.equal(d32, 0);
    assert.ok(d16 > 0 && d16 < 1, `float16 pair moved the output by ${d16} px`);
    await Promise.all([m32.dispose(), m16.dispose(), ref.dispose()]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing or foreign weights pair is one clear error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-pair-'));
  try {
    await assert.rejects(exportTrainedModel(path.join(dir, 'none.weights.json'), path.join(dir, 'x.onnx')), /none\.weights\.json: cannot read the weights \(ENOENT\)/);
    await writeFile(path.join(dir, 'bad.weights.json'), '{"format": "something-else"}');
    await assert.rejects(exportTrainedModel(path.join(dir, 'bad.weights.json'), path.join(dir, 'x.onnx')), /not a prnet weights manifest \(format something-else\)/);
    await writeFile(path.join(dir, 'broken.weights.json'), '{not json');
    await assert.rejects(exportTrainedModel(path.join(dir, 'broken.weights.json'), path.join(dir, 'x.onnx')), /broken\.weights\.json: not a weights manifest/);
    const { manifest } = exportWeights(spec, randomWeights(1));
    await writeFile(path.join(dir, 'nobin.weights.json'), JSON.stringify(manifest));
    await assert.rejects(exportTrainedModel(path.join(dir, 'nobin.weights.json'), path.join(dir, 'x.onnx')), /nobin\.weights\.bin: cannot read the weights \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('resfcn128 is the official width at a 128 input: same parameters, a quarter of the FLOPs', () => {
  const full = VARIANTS.resfcn256(), half = VARIANTS.resfcn128();
  assert.equal(half.inputSize, 128);
  assert.equal(half.baseChannels, 16);
  assert.equal(parameterCount(half), parameterCount(full));
  assert.equal(forwardFlops(half) * 4, forwardFlops(full));
  assert.ok(Math.abs(forwardFlops(half) / 1e9 - 2.07) < 0.01, `${forwardFlops(half) / 1e9} GFLOP`);
});
