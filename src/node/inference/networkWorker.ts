/**
 * The network in a worker thread. onnxruntime-node's `run` blocks the calling thread for
 * the whole inference, so on the main thread nothing else (detection, post-processing,
 * encoding) could proceed meanwhile. `prnet reconstruct` loads the model here instead: the
 * main thread keeps detecting and writing while the worker runs the batch.
 *
 * This file is both the main-thread proxy ({@link loadWorkerModel}) and the worker's body
 * (when started as a worker it serves `predict` messages).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { PositionMapModel } from '../../model/session.js';
import { loadOnnxModel } from './onnxModel.js';
import { disableOrtTelemetry } from './disableOrtTelemetry.js';

interface Request { id: number; input: Float32Array; batch: number }
type Reply = { id: number; output: Float32Array } | { id: number; error: string };
type Ready = { ready: true; inputSize: number; outputSize: number; metadata: Record<string, string> } | { ready: false; error: string };

/**
 * Starts this file as a worker. Running from TypeScript sources (tests, `npm run prnet`),
 * the worker must first register tsx's loader, which workers do not inherit.
 */
function startWorker(data: { prnetNetworkWorker: true; source: string | Uint8Array; threads?: number }): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

/**
 * Loads an ONNX model in a worker thread and returns a {@link PositionMapModel} whose
 * `predict` runs there (inputs are copied over, outputs transferred back).
 *
 * ```ts
 * const model = await loadWorkerModel('resfcn256.onnx', { threads: 2 });
 * const maps = await model.predict(crops, 4);
 * await model.dispose();
 * ```
 */
export async function loadWorkerModel(source: string | Uint8Array, options: { threads?: number } = {}): Promise<PositionMapModel> {
  // Before the worker creates ONNX Runtime's environment, from the main thread (see disableOrtTelemetry):
  // otherwise a long command line crashes the worker with SIGSEGV.
  disableOrtTelemetry();
  const worker = startWorker({ prnetNetworkWorker: true, source, threads: options.threads });
  worker.unref();
  const pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (err: Error): void => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (!ready.ready) {
    await worker.terminate();
    throw new Error(ready.error);
  }
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.output);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`network worker exited (code ${code})`)));
  return {
    inputSize: ready.inputSize,
    outputSize: ready.outputSize,
    metadata: ready.metadata,
    predict(input, batch) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Keep the process alive while a call is in flight.
        if (pending.size === 1) worker.ref();
        worker.postMessage({ id, input, batch } satisfies Request);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
    async dispose() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

async function serve(): Promise<void> {
  const port = parentPort!;
  const { source, threads } = workerData as { source: string | Uint8Array; threads?: number };
  let model: PositionMapModel;
  try {
    model = await loadOnnxModel(source, threads === undefined ? {} : { threads });
  } catch (err) {
    port.postMessage({ ready: false, error: (err as Error).message } satisfies Ready);
    return;
  }
  port.on('message', async (req: Request) => {
    try {
      const output = await model.predict(req.input, req.batch);
      // Copy out of ONNX Runtime's buffer so it can be transferred (not cloned) back.
      const copy = output.byteOffset === 0 && output.byteLength === output.buffer.byteLength ? output : output.slice();
      port.postMessage({ id: req.id, output: copy } satisfies Reply, [copy.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message } satisfies Reply);
    }
  });
  port.postMessage({ ready: true, inputSize: model.inputSize, outputSize: model.outputSize, metadata: { ...model.metadata } } satisfies Ready);
}

// Serve only in a worker this file started (other workers may import it too).
if (!isMainThread && (workerData as { prnetNetworkWorker?: boolean } | null)?.prnetNetworkWorker === true) void serve();
