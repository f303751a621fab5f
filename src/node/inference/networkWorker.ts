/**
 * The network in a worker thread. onnxruntime-node's `run` blocks the calling thread for
 * the whole inference, so on the main thread nothing else (detection, post-processing,
 * encoding) could proceed meanwhile. `prnet reconstruct` loads the model here instead: the
 * main thread keeps detecting and writing while the worker runs the batch.
 *
 * This file is both the main-thread proxy ({@link loadWorkerModel}) and the worker's body
 * (when started as a worker it serves `predict` messages).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { PositionMapModel } from '../../model/session.js';
import { loadOnnxModel } from './onnxModel.js';
import { disableOrtTelemetry } from './disableOrtTelemetry.js';
import { startModuleWorker, workerCaller, type WorkerReady, type WorkerReply } from './moduleWorker.js';

interface Request { id: number; input: Float32Array; batch: number }
type Reply = WorkerReply<Float32Array>;
interface Details { inputSize: number; outputSize: number; metadata: Record<string, string> }

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
  const worker = startModuleWorker(import.meta.url, { prnetNetworkWorker: true, source, threads: options.threads });
  const { caller, ready } = await workerCaller<Omit<Request, 'id'>, Float32Array, Details>(worker, 'network worker');
  return {
    inputSize: ready.inputSize,
    outputSize: ready.outputSize,
    metadata: ready.metadata,
    predict: (input, batch) => caller.call({ input, batch }),
    dispose: () => caller.terminate(),
  };
}

async function serve(): Promise<void> {
  const port = parentPort!;
  const { source, threads } = workerData as { source: string | Uint8Array; threads?: number };
  let model: PositionMapModel;
  try {
    model = await loadOnnxModel(source, threads === undefined ? {} : { threads });
  } catch (err) {
    port.postMessage({ ready: false, error: (err as Error).message } satisfies WorkerReady<Details>);
    return;
  }
  port.on('message', async (req: Request) => {
    try {
      const output = await model.predict(req.input, req.batch);
      // Copy out of ONNX Runtime's buffer so it can be transferred (not cloned) back.
      const copy = output.byteOffset === 0 && output.byteLength === output.buffer.byteLength ? output : output.slice();
      port.postMessage({ id: req.id, result: copy } satisfies Reply, [copy.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message } satisfies Reply);
    }
  });
  port.postMessage({ ready: true, inputSize: model.inputSize, outputSize: model.outputSize, metadata: { ...model.metadata } } satisfies WorkerReady<Details>);
}

// Serve only in a worker this file started (other workers may import it too).
if (!isMainThread && (workerData as { prnetNetworkWorker?: boolean } | null)?.prnetNetworkWorker === true) void serve();
