import test from 'node:test';
import assert from 'node:assert/strict';
import type { Layer, NetworkSpec } from '../../src/model/resfcn.js';
import { forwardFlops, parameterCount, resfcnSpec, VARIANTS } from '../../src/model/resfcn.js';
import { convertCheckpoint, MODEL_METADATA } from '../../src/model/convertCheckpoint.js';
import { readOnnxMetadata } from '../../src/model/onnx/readOnnxMetadata.js';
import type { TransposedConvLowering } from '../../src/model/buildResfcnGraph.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { naiveResfcn } from '../../src/model/naiveResfcn.js';
import { calibratedWeights } from '../../src/train/engine/calibratedWeights.js';
import { randomImage } from '../../src/train/engine/randomImage.js';
import { randomWeights } from '../../src/train/engine/randomWeights.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('the official layer description has the paper\'s size', () => {
  const spec = resfcnSpec();
  assert.equal(parameterCount(spec), 13_353_618); // 13.35 M
  assert.ok(Math.abs(forwardFlops(spec) / 1e9 - 8.26) < 0.005); // 8.26 GFLOP
  assert.equal(spec.layers.filter((l) => l.kind === 'resBlock').length, 10);
  assert.equal(spec.layers.filter((l) => l.kind === 'convTranspose').length, 17);
});

/** A one-layer "network" (output scale 1, no BN) to test each lowering in isolation. */
function singleLayerSpec(layer: Layer, inputSize: number): NetworkSpec {
  return { ...resfcnSpec(), variant: 'single', inputSize, outputSize: 256, layers: [layer], outputScale: 1 };
}

for (const lowering of ['subpixel', 'convTranspose'] as TransposedConvLowering[]) {
  for (const stride of [1, 2]) {
    test(`transposed conv 4×4 stride ${stride} (${lowering}) matches TF semantics`, async () => {
      const inputSize = 256 / stride;
      const spec = singleLayerSpec({ kind: 'convTranspose', scope: 'resfcn256/Conv2d_transpose', inChannels: 3, outChannels: 3, kernel: 4, stride, batchNorm: false, activation: 'none' }, inputSize);
      const weights = randomWeights(spec, 11 + stride);
      const image = randomImage(inputSize, 3);
      const model = await loadOnnxModel(convertCheckpoint(spec, weights, { transposedConv: lowering }), { threads: 1 });
      const got = await model.predict(image, 1);
      await model.dispose();
      const want = naiveResfcn(spec, weights, image);
      assert.ok(maxAbsDiff(got, want) < 1e-5, `max diff ${maxAbsDiff(got, want)}`);
    });
  }
}

for (const [kernel, stride] of [[4, 1], [4, 2], [1, 2]] as const) {
  test(`conv ${kernel}×${kernel} stride ${stride} with batch norm folded matches TF semantics`, async () => {
    const spec = singleLayerSpec({ kind: 'conv', scope: 'resfcn256/Conv', inChannels: 3, outChannels: 3, kernel, stride, batchNorm: true, activation: 'relu' }, 256 * stride);
    const weights = randomWeights(spec, 5 + kernel + stride);
    const image = randomImage(256 * stride, 4);
    const model = await loadOnnxModel(convertCheckpoint(spec, weights), { threads: 1 });
    const got = await model.predict(image, 1);
    await model.dispose();
    const want = naiveResfcn(spec, weights, image);
    assert.ok(maxAbsDiff(got, want) < 1e-5, `max diff ${maxAbsDiff(got, want)}`);
  });
}

test('a reduced-width network matches the naive float64 reference tightly, batched', async () => {
  const spec = resfcnSpec({ variant: 'tiny', inputSize: 64, baseChannels: 2 });
  const images = [randomImage(64, 21), randomImage(64, 22)];
  // Plain random weights keep this small network well conditioned (calibrated batch
  // norms on 2×2 deep features amplify float32 rounding ~1e4-fold), so the bound is tight.
  const weights = randomWeights(spec, 1);
  const reference = naiveResfcn(spec, weights, images[0]!);
  const second = naiveResfcn(spec, weights, images[1]!);
  for (const lowering of ['subpixel', 'convTranspose'] as TransposedConvLowering[]) {
    const model = await loadOnnxModel(convertCheckpoint(spec, weights, { transposedConv: lowering }), { threads: 1 });
    const batch = new Float32Array(2 * 64 * 64 * 3);
    batch.set(images[0]!, 0);
    batch.set(images[1]!, 64 * 64 * 3);
    const got = await model.predict(batch, 2);
    await model.dispose();
    const n = 256 * 256 * 3;
    // Not constant: the reference spreads over tens of pixels.
    const range = reference.reduce((a, v) => Math.max(a, v), -Infinity) - reference.reduce((a, v) => Math.min(a, v), Infinity);
    assert.ok(range > 10, `reference range ${range}`);
    assert.ok(maxAbsDiff(got.subarray(0, n), reference) < 0.01, `${lowering} image 1: ${maxAbsDiff(got.subarray(0, n), reference)}`);
    assert.ok(maxAbsDiff(got.subarray(n), second) < 0.01, `${lowering} image 2: ${maxAbsDiff(got.subarray(n), second)}`);
  }
});

test('fp16 weights stay close to fp32 and the file is about half the size', async () => {
  const spec = resfcnSpec({ variant: 'tiny', inputSize: 64, baseChannels: 4 });
  const image = randomImage(64, 31);
  const weights = randomWeights(spec, 2);
  const reference = naiveResfcn(spec, weights, image);
  const fp32 = convertCheckpoint(spec, weights);
  const fp16 = convertCheckpoint(spec, weights, { fp16: true });
  assert.ok(fp16.length < fp32.length * 0.6, `${fp16.length} vs ${fp32.length}`);
  assert.equal(readOnnxMetadata(fp16)[MODEL_METADATA.weightsType], 'float16');
  const model = await loadOnnxModel(fp16, { threads: 1 });
  const got = await model.predict(image, 1);
  await model.dispose();
  const d = maxAbsDiff(got, reference);
  assert.ok(d < 1 && d > 1e-4, `fp16 max diff ${d}`); // half precision: visibly different, still close
});

test('the light variant is resized to a 256×256 map in 256-crop units', async () => {
  const spec = VARIANTS['resfcn128-light']();
  const image = randomImage(128, 41);
  const weights = randomWeights(spec, 3);
  const reference = naiveResfcn(spec, weights, image);
  const bytes = convertCheckpoint(spec, weights, { sourceSha256: 'abc', source: 'test' });
  const meta = readOnnxMetadata(bytes);
  assert.equal(meta[MODEL_METADATA.variant], 'resfcn128-light');
  assert.equal(meta[MODEL_METADATA.inputSize], '128');
  assert.equal(meta[MODEL_METADATA.sourceSha256], 'abc');
  const model = await loadOnnxModel(bytes, { threads: 1 });
  assert.equal(model.inputSize, 128);
  const got = await model.predict(image, 1);
  await model.dispose();
  assert.ok(maxAbsDiff(got, reference) < 0.01, `max diff ${maxAbsDiff(got, reference)}`);
});

test('loadOnnxModel rejects garbage and wrong inputs clearly', async () => {
  await assert.rejects(loadOnnxModel(new Uint8Array([1, 2, 3, 4, 5])), /not an ONNX model/);
  await assert.rejects(loadOnnxModel('/nonexistent/model.onnx'), /cannot read model file \(ENOENT\)/);
  const spec = resfcnSpec({ variant: 'tiny', inputSize: 32, baseChannels: 1 });
  const model = await loadOnnxModel(convertCheckpoint(spec, randomWeights(spec, 1)), { threads: 1 });
  await assert.rejects(model.predict(new Float32Array(10), 1), /must hold 1×32×32×3/);
  await model.dispose();
  assert.throws(() => convertCheckpoint(spec, new Map()), /missing variable resfcn256\/Conv\//);
});

test('the full ResFCN256 matches the naive float64 reference within 0.3 px everywhere', async () => {
  const spec = resfcnSpec();
  const image = randomImage(256, 51);
  // Batch norms calibrated on this image: every layer's activations are in range.
  const { weights, reference } = calibratedWeights(spec, 4, image);
  let lo = Infinity, hi = -Infinity, saturated = 0;
  for (const v of reference) {
    lo = Math.min(lo, v); hi = Math.max(hi, v);
    if (v < 5 || v > 276.6) saturated++;
  }
  assert.ok(hi - lo > 100, `reference spans only ${lo}…${hi}`);
  assert.ok(saturated < reference.length * 0.001, `${saturated} outputs near the sigmoid's ends`);
  const model = await loadOnnxModel(convertCheckpoint(spec, weights));
  const got = await model.predict(image, 1);
  await model.dispose();
  const d = maxAbsDiff(got, reference);
  assert.ok(d < 0.3, `max diff ${d} px`);
  console.log(`# full network: max |onnx − naive| = ${d.toFixed(4)} px over ${lo.toFixed(1)}…${hi.toFixed(1)} px`);
});
