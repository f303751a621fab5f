/**
 * An ONNX Runtime session in a worker thread, for models other than the position-map
 * network (the face detector). onnxruntime-node's `run` blocks its thread for the whole
 * inference; in a worker, the main thread keeps decoding, cropping and writing meanwhile.
 *
 * This file is both the main-thread proxy ({@link loadOrtSessionWorker}) and the worker's
 * body (when started as a worker it serves `run` messages).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { disableOrtTelemetry } from './disableOrtTelemetry.js';
import { startModuleWorker, workerCaller, type WorkerReady, type WorkerReply } from './moduleWorker.js';

/** A float32 input or output of {@link OrtWorkerSession.run}. */
export interface OrtWorkerTensor {
  /** The values. */
  data: Float32Array;
  /** The shape. */
  dims: readonly number[];
}

/** A session running in a worker thread: `run` takes and returns float32 tensors by name. */
export interface OrtWorkerSession {
  /** Runs the model; `feeds` are copied to the worker, the outputs transferred back. */
  run(feeds: Record<string, OrtWorkerTensor>): Promise<Record<string, OrtWorkerTensor>>;
  /** Stops the worker. */
  release(): Promise<void>;
}

/** Session options that travel to the worker. */
export interface OrtSessionWorkerOptions {
  /** Intra-op threads. */
  intraOpNumThreads?: number;
  /** Graph optimisation level. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

interface Request { id: number; feeds: Record<string, OrtWorkerTensor> }

/**
 * Creates an ONNX Runtime session for the model `bytes` in a worker thread.
 *
 * ```ts
 * const session = await loadOrtSessionWorker(modelBytes, { intraOpNumThreads: 1 });
 * const { scores } = await session.run({ input: { data, dims: [1, 3, 256, 256] } });
 * await session.release();
 * ```
 */
export async function loadOrtSessionWorker(bytes: Uint8Array, options: OrtSessionWorkerOptions = {}): Promise<OrtWorkerSession> {
  // From the main thread, before the worker creates ONNX Runtime's environment (see disableOrtTelemetry).
  disableOrtTelemetry();
  const worker = startModuleWorker(import.meta.url, { prnetOrtSessionWorker: true, bytes, options });
  const { caller } = await workerCaller<Omit<Request, 'id'>, Record<string, OrtWorkerTensor>, object>(worker, 'ONNX Runtime worker');
  return {
    run: (feeds) => caller.call({ feeds }),
    release: () => caller.terminate(),
  };
}

async function serve(): Promise<void> {
  const port = parentPort!;
  const { bytes, options } = workerData as { bytes: Uint8Array; options: OrtSessionWorkerOptions };
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { interOpNumThreads: 1, executionMode: 'sequential', ...options });
  } catch (err) {
    port.postMessage({ ready: false, error: `cannot load the ONNX model: ${(err as Error).message}` } satisfies WorkerReady<object>);
    return;
  }
  port.on('message', async (req: Request) => {
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(feeds);
      const result: Record<string, OrtWorkerTensor> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [name, t] of Object.entries(out)) {
        if (!(t.data instanceof Float32Array)) throw new Error(`output ${name} is ${t.type}, not float32`);
        // Copied out of ONNX Runtime's buffer so that it can be transferred.
        const data = t.data.slice();
        result[name] = { data, dims: t.dims };
        transfer.push(data.buffer);
      }
      port.postMessage({ id: req.id, result } satisfies WorkerReply<Record<string, OrtWorkerTensor>>, transfer);
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message } satisfies WorkerReply<never>);
    }
  });
  port.postMessage({ ready: true } satisfies WorkerReady<object>);
}

// Serve only in a worker this file started (other workers may import it too).
if (!isMainThread && (workerData as { prnetOrtSessionWorker?: boolean } | null)?.prnetOrtSessionWorker === true) void serve();
