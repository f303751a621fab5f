/**
 * Training throughput: samples/s of full training steps (forward, tfjs autodiff
 * backward, Adam, BN statistics) for each variant on the native-kernel backend, with
 * time and GFLOP/s per kernel type, plus the raw native SGEMM rate.
 *
 *   node --import tsx bench/train.ts [--steps N] [--variants resfcn128-light,resfcn256] [--precision fp32,bf16] [--expression-weight G] [--js]
 *
 * `--precision` lists the operand precisions of the native convolutions to measure (bf16:
 * bfloat16 operands with fp32 accumulation, on AVX512_BF16 CPUs; default both where the
 * CPU has it). `--expression-weight G` adds the expression loss (`prnet train
 * --expression-weight`: differences of neighbouring pixels in the lips and eyes, weight G).
 * `--js` also measures the pure-JS fallback (reference tfjs convolution kernels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { variantSpec, forwardFlops } from '../src/model/resfcn.js';
import { setupTrainBackend, loadNativeConv, TRAIN_BACKEND_NAME } from '../src/node/train/trainBackend.js';
import type { ConvPrecision } from '../src/node/train/trainBackend.js';
import { createTrainableNetwork } from '../src/train/engine/network.js';
import { createAdam } from '../src/train/engine/optimizer.js';
import { trainStep } from '../src/train/loop/trainLoop.js';
import { disposePositionLossTensors, positionLossTensors } from '../src/train/engine/loss.js';
import { expressionLossWeights } from '../src/train/data/expressionLossWeights.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { createTrainRandom } from '../src/train/loop/trainRandom.js';

const arg = (name: string, def: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1]! : def; };
const steps = Number(arg('--steps', '3'));
const variants = arg('--variants', 'resfcn128-light,resfcn256').split(',');
const batchFor: Record<string, number> = { 'resfcn128-light': 16, resfcn256: 4 };
const nat = loadNativeConv();
const bf16 = !!nat?.bf16Supported && typeof nat.setPrecision === 'function';
const precisions = arg('--precision', bf16 ? 'fp32,bf16' : 'fp32').split(',') as ConvPrecision[];
const expressionWeight = Number(arg('--expression-weight', '0'));
const keypointIndices = expressionWeight > 0 ? (await loadUvAssets()).keypointIndices : null;
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;

// Per-kernel timing and FLOP counting by wrapping the registered kernels.
const stats = new Map<string, { ms: number; flop: number; calls: number }>();
function instrument(): void {
  for (const k of tf.getKernelsForBackend(TRAIN_BACKEND_NAME)) {
    const f = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, TRAIN_BACKEND_NAME);
    tf.registerKernel({
      ...k, kernelFunc: (a) => {
        const t0 = performance.now();
        const r = f(a);
        const ms = performance.now() - t0;
        let flop = 0;
        const sz = (s: number[]) => s.reduce((p, q) => p * q, 1);
        if (k.kernelName === 'Conv2D') { const w = a.inputs['filter']!.shape; flop = 2 * sz((r as tf.TensorInfo).shape) * w[0]! * w[1]! * w[2]!; }
        if (k.kernelName === 'Conv2DBackpropInput') { const w = a.inputs['filter']!.shape; flop = 2 * sz(a.inputs['dy']!.shape) * w[0]! * w[1]! * w[2]!; }
        if (k.kernelName === 'Conv2DBackpropFilter') { const w = (a.attrs as { filterShape: number[] }).filterShape; flop = 2 * sz(a.inputs['dy']!.shape) * w[0]! * w[1]! * w[2]!; }
        const e = stats.get(k.kernelName) ?? { ms: 0, flop: 0, calls: 0 };
        e.ms += ms; e.flop += flop; e.calls++;
        stats.set(k.kernelName, e);
        return r;
      },
    });
  }
}

async function benchVariant(name: string, native: boolean, batch: number, convPrecision: ConvPrecision = 'fp32'): Promise<void> {
  const info = await setupTrainBackend({ native, convPrecision, warn: () => {} });
  instrument();
  const spec = variantSpec(name);
  const S = spec.inputSize;
  const net = createTrainableNetwork(spec, { seed: 1 });
  const adam = createAdam();
  const rng = createTrainRandom(1);
  const inputs = Float32Array.from({ length: batch * S * S * 3 }, () => rng());
  const targets = Float32Array.from({ length: batch * S * S * 3 }, () => 0.2 + 0.6 * rng());
  const pixels = Float32Array.from({ length: S * S }, () => [0, 3, 4, 16][Math.floor(rng() * 4)]!);
  const mask = positionLossTensors(keypointIndices
    ? { pixels, neighbours: expressionLossWeights(keypointIndices, { side: S, weight: expressionWeight }) }
    : pixels);
  trainStep(net, adam, inputs, targets, batch, mask, 1e-4, 2e-4); // warm-up (JIT, allocations)
  stats.clear();
  const walls: number[] = [], cpus: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    trainStep(net, adam, inputs, targets, batch, mask, 1e-4, 2e-4);
    walls.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
  }
  const wall = median(walls), cpu = median(cpus);
  const flop = 3 * forwardFlops(spec) * batch;
  console.log(`${name} (${info.native ? `native kernels, ${info.threads} threads, ${info.convPrecision}` : 'pure JS kernels'}${keypointIndices ? `, expression loss ${expressionWeight}` : ''}), batch ${batch}: ${(batch / wall).toFixed(2)} samples/s `
    + `(median step ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU; ≈${(flop / wall / 1e9).toFixed(1)} GFLOP/s conv-equivalent)`);
  const total = [...stats.values()].reduce((n, e) => n + e.ms, 0);
  const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10);
  for (const [k, e] of rows) {
    console.log(`  ${k.padEnd(22)} ${(e.ms / steps).toFixed(0).padStart(6)} ms/step ${(100 * e.ms / total).toFixed(0).padStart(3)}%${e.flop ? `  ${(e.flop / (e.ms / 1000) / 1e9).toFixed(1)} GFLOP/s` : ''}`);
  }
  disposePositionLossTensors(mask);
  adam.dispose();
  net.dispose();
}

if (nat) {
  for (const p of precisions) {
    nat.setPrecision?.(p === 'bf16' ? 1 : 0);
    for (const [m, n, k] of [[4096, 256, 1024], [65536, 16, 256]] as const) {
      const a = new Float32Array(m * k).fill(0.5), b = new Float32Array(k * n).fill(0.25), c = new Float32Array(m * n);
      nat.gemm(a, b, c, m, n, k);
      const t: number[] = [];
      for (let i = 0; i < 5; i++) { const t0 = performance.now(); nat.gemm(a, b, c, m, n, k); t.push(performance.now() - t0); }
      console.log(`native ${p === 'bf16' ? 'bf16 GEMM (fp32 accumulation)' : 'sgemm'} ${m}×${n}×${k}: ${(2 * m * n * k / (median(t) / 1000) / 1e9).toFixed(1)} GFLOP/s (${nat.setThreads(0)} threads, ${nat.simdWidth}-wide SIMD)`);
    }
  }
  nat.setPrecision?.(0);
} else {
  console.log('native kernels not built: run `node native/build.mjs`');
}
for (const v of variants) for (const p of precisions) await benchVariant(v, true, batchFor[v] ?? 4, p);
if (process.argv.includes('--js')) await benchVariant(variants[0]!, false, 4);
