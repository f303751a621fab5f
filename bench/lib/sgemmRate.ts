/**
 * SGEMM rate of this machine now, in FLOP per ms: one ONNX MatMul in onnxruntime-node (the
 * network's library, MLAS) on im2col shapes of the network's convolutions, at a given thread
 * count; the fastest of 7 runs of each shape, the fastest shape kept (a floor wants the best
 * rate the machine shows). Shared by `bench/pipeline.ts` and `bench/network.ts`.
 * `runtime: 'web'` measures onnxruntime-web instead (its WebAssembly SIMD build, the one the
 * browser demo loads, run by Node's V8): the floor of the network in a page.
 */
import { performance } from 'node:perf_hooks';
import * as ortNode from 'onnxruntime-node';
import { encodeOnnxModel } from '../../src/model/onnx/onnxModel.js';

/** The shapes tried, `[m, n, k]`: the im2col GEMMs of 3×3 convolutions at three depths of ResFCN256. */
export const SGEMM_SHAPES: readonly (readonly [number, number, number])[] = [[16384, 64, 576], [4096, 128, 1152], [1024, 512, 4608]];

/** What the benchmarks need of an ONNX Runtime: a session on model bytes, fed float32 tensors. */
export interface BenchRuntime {
  create(model: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<unknown>; release(): Promise<void>; inputNames: readonly string[] }>;
  tensor(data: Float32Array, dims: number[]): unknown;
}

/** onnxruntime-node (CPU, MLAS) or onnxruntime-web (wasm backend) with `threads` threads; for web, set once per process. */
export async function benchRuntime(runtime: 'node' | 'web', threads: number): Promise<BenchRuntime> {
  if (runtime === 'node') {
    return {
      create: (model) => ortNode.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' }),
      tensor: (data, dims) => new ortNode.Tensor('float32', data, dims),
    };
  }
  const web = await import('onnxruntime-web');
  web.env.wasm.numThreads = threads;
  return {
    create: (model) => web.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
    tensor: (data, dims) => new web.Tensor('float32', data, dims),
  };
}

export async function sgemmRate(threads: number, runtime: 'node' | 'web' = 'node'): Promise<{ rate: number; shape: string }> {
  const rt = await benchRuntime(runtime, threads);
  let best = { rate: 0, shape: '' };
  for (const [m, n, k] of SGEMM_SHAPES) {
    const b = new Float32Array(k * n).map((_, i) => ((i % 7) - 3) / 8);
    const model = encodeOnnxModel({
      graph: {
        name: 'sgemm', nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
        initializers: [{ name: 'b', dataType: 'float32', dims: [k, n], data: b }],
        inputs: [{ name: 'a', dataType: 'float32', shape: [m, k] }], outputs: [{ name: 'c', dataType: 'float32', shape: [m, n] }],
      },
      opsetVersion: 17, irVersion: 8, producerName: 'prnet-bench', producerVersion: '0', metadata: {},
    });
    const session = await rt.create(model);
    const a = rt.tensor(new Float32Array(m * k).map((_, i) => ((i % 5) - 2) / 4), [m, k]);
    await session.run({ a });
    const ms: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await session.run({ a });
      ms.push(performance.now() - t);
    }
    await session.release();
    const rate = (2 * m * n * k) / Math.min(...ms);
    if (rate > best.rate) best = { rate, shape: `${m}×${n}×${k}` };
  }
  return best;
}
