/**
 * Network speed in onnxruntime-node: model load time, median ms per image and
 * GFLOP/s at batch 1 and 4, peak memory, for each variant and graph lowering.
 * Run: `npm run bench -- network` (random weights: speed does not depend on them).
 */
import { performance } from 'node:perf_hooks';
import { forwardFlops, resfcnSpec, VARIANTS } from '../src/model/resfcn.js';
import type { NetworkSpec } from '../src/model/resfcn.js';
import { convertCheckpoint } from '../src/model/convertCheckpoint.js';
import type { ConvertCheckpointOptions } from '../src/model/convertCheckpoint.js';
import { loadOnnxModel } from '../src/node/inference/onnxModel.js';
import { quantizeModel } from '../src/node/weights/quantizeModel.js';
import { randomImage } from '../src/train/engine/randomImage.js';
import { randomWeights } from '../src/train/engine/randomWeights.js';
import { benchRuntime, sgemmRate } from './lib/sgemmRate.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms per image at batch 1 and 4; prints the table row. */
async function measure(label: string, spec: NetworkSpec, options: ConvertCheckpointOptions, threads: number, prebuilt?: Uint8Array): Promise<number[]> {
  const bytes = prebuilt ?? convertCheckpoint(spec, randomWeights(spec, 1), options);
  const t0 = performance.now();
  const model = await loadOnnxModel(bytes, { threads });
  const loadMs = performance.now() - t0;
  const gflop = forwardFlops(spec) / 1e9;
  const cells: string[] = [label, `${(bytes.length / 1e6).toFixed(1)} MB`, `${loadMs.toFixed(0)} ms`];
  const medians: number[] = [];
  for (const [batch, runs] of [[1, 15], [4, 5]] as const) {
    const n = spec.inputSize * spec.inputSize * 3;
    const input = new Float32Array(batch * n);
    for (let b = 0; b < batch; b++) input.set(randomImage(spec.inputSize, b), b * n);
    for (let i = 0; i < 2; i++) await model.predict(input, batch);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await model.predict(input, batch);
      times.push((performance.now() - t) / batch);
    }
    const ms = median(times);
    medians.push(ms);
    cells.push(`${ms.toFixed(1)} ms`, `${(gflop / (ms / 1000)).toFixed(0)} GFLOP/s`);
  }
  await model.dispose();
  cells.push(`${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`| ${cells.join(' | ')} |`);
  return medians;
}

const threads = Number(process.env.PRNET_THREADS ?? 0);
console.log(`network benchmark (onnxruntime-node, threads=${threads || 'default'}; per-image medians)`);
console.log('| model | file | load | batch 1 | | batch 4 | | peak RSS |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
const [fp32Ms] = await measure('resfcn256 fp32 (sub-pixel convs)', resfcnSpec(), {}, threads);
const fp32Threads: [number, number][] = [];
for (const t of [1, 2]) {
  const [ms] = await measure(`resfcn256 fp32 (sub-pixel convs), ${t} thread${t > 1 ? 's' : ''}`, resfcnSpec(), {}, t);
  fp32Threads.push([t, ms!]);
}
await measure('resfcn256 fp32 (ConvTranspose)', resfcnSpec(), { transposedConv: 'convTranspose' }, threads);
await measure('resfcn256 fp16 weights', resfcnSpec(), { fp16: true }, threads);
await measure('resfcn128-light fp32', VARIANTS['resfcn128-light'](), {}, threads);
// int8: static QDQ quantization calibrated on a few crops (speed only: with random
// weights the int8-vs-fp32 error says nothing about a trained model's).
for (const spec of [resfcnSpec(), VARIANTS['resfcn128-light']()]) {
  const crops = [0, 1, 2, 3].map((s) => randomImage(spec.inputSize, 100 + s));
  const int8 = await quantizeModel(spec, randomWeights(spec, 1), crops, { threads });
  await measure(`${spec.variant} int8 (QDQ)`, spec, {}, threads, int8);
}

// The fp32 network against the machine's SGEMM rate at the same thread count (onnxruntime
// MatMul on the network's im2col shapes, measured now): the "within 15 %" goal.
const gflop = forwardFlops(resfcnSpec()) / 1e9;
console.log(`\nresfcn256 fp32 against SGEMM (default threads: ${fp32Ms!.toFixed(1)} ms)`);
console.log('| threads | network ms | network GFLOP/s | SGEMM GFLOP/s (best shape) | network ÷ SGEMM |');
console.log('| --- | --- | --- | --- | --- |');
for (const [t, ms] of fp32Threads) {
  const sgemm = await sgemmRate(t);
  const net = gflop / (ms / 1000);
  console.log(`| ${t} | ${ms.toFixed(1)} | ${net.toFixed(0)} | ${(sgemm.rate / 1e6).toFixed(0)} (${sgemm.shape}) | ${(net / (sgemm.rate / 1e6)).toFixed(2)} |`);
}

// The browser's runtime: onnxruntime-web's WebAssembly SIMD build (the .wasm the demo page
// loads, here run by Node's V8) on one thread, as the page runs it; the light network against
// that runtime's own MatMul rate, which is the floor of a page on this CPU (128-bit SIMD).
{
  const spec = VARIANTS['resfcn128-light']();
  const web = await benchRuntime('web', 1);
  const weights = randomWeights(spec, 1);
  /** Median ms of one run in onnxruntime-web. */
  const webMs = async (bytes: Uint8Array): Promise<number> => {
    const session = await web.create(bytes);
    const input = web.tensor(randomImage(spec.inputSize, 0), [1, spec.inputSize, spec.inputSize, 3]);
    const feeds = { [session.inputNames[0]!]: input };
    // V8 tiers the .wasm up in the background over the first runs (190 → 27 ms here).
    for (let i = 0; i < 12; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t);
    }
    await session.release();
    return median(times);
  };
  const ms = await webMs(convertCheckpoint(spec, weights, {}));
  const net = forwardFlops(spec) / 1e9 / (ms / 1000);
  const sgemm = await sgemmRate(1, 'web');
  console.log('\nresfcn128-light fp32 in onnxruntime-web (wasm SIMD, 1 thread) against its MatMul');
  console.log('| network ms | network GFLOP/s | wasm SGEMM GFLOP/s (best shape) | network ÷ SGEMM | floor ms |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| ${ms.toFixed(1)} | ${net.toFixed(1)} | ${(sgemm.rate / 1e6).toFixed(1)} (${sgemm.shape}) | ${(net / (sgemm.rate / 1e6)).toFixed(2)} | ${(forwardFlops(spec) / sgemm.rate).toFixed(1)} |`);
  // The int8 export a page could load instead (the decoder's high-resolution tail stays float).
  const crops = [0, 1, 2, 3].map((s) => randomImage(spec.inputSize, 100 + s));
  const int8Ms = await webMs(await quantizeModel(spec, weights, crops, { threads }));
  console.log(`resfcn128-light int8 (QDQ) in onnxruntime-web: ${int8Ms.toFixed(1)} ms (${(ms / int8Ms).toFixed(2)}× fp32)`);
}
