/**
 * The body of the Web Worker that {@link startOrtWebWorker} starts: onnxruntime-web sessions
 * (the position-map network, the ONNX face detector) run here, off the page's thread, so the
 * page draws frame k while the network runs on frame k + 1. One worker holds every session
 * of a page: they share one WebAssembly instance and its thread pool.
 *
 * Messages: `init` (threads, wasm paths), `create` (model bytes → session id, its input
 * and output names and their declared shapes), `run` (float32 feeds → float32 outputs, transferred back), `release`.
 */
import * as ort from 'onnxruntime-web';
import type { OrtWebWorkerRequest, OrtWebWorkerReply, OrtWebTensor } from './ortWebWorkerProtocol.js';
import type { ValueMetadataLike } from '../model/positionMapModelShapes.js';

/** The worker's global scope, typed by hand: the page's TypeScript lib is DOM, not WebWorker. */
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<OrtWebWorkerRequest>) => void) | null;
  postMessage(message: OrtWebWorkerReply, transfer?: Transferable[]): void;
};

const sessions = new Map<number, ort.InferenceSession>();
let nextSession = 0;

async function handle(req: OrtWebWorkerRequest): Promise<{ result: unknown; transfer?: Transferable[] }> {
  switch (req.type) {
    case 'init':
      if (req.threads) ort.env.wasm.numThreads = req.threads;
      if (req.wasmPaths) ort.env.wasm.wasmPaths = req.wasmPaths;
      return { result: null };
    case 'create': {
      const session = await ort.InferenceSession.create(req.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const id = nextSession++;
      sessions.set(id, session);
      // Plain copies of what the graph declares (the metadata objects need not clone).
      const declared = (values: readonly ort.InferenceSession.ValueMetadata[]): ValueMetadataLike[] =>
        values.map((v) => (v.isTensor ? { name: v.name, isTensor: true, shape: [...v.shape] } : { name: v.name, isTensor: false }));
      return { result: { session: id, inputNames: [...session.inputNames], outputNames: [...session.outputNames], inputMetadata: declared(session.inputMetadata), outputMetadata: declared(session.outputMetadata) } };
    }
    case 'run': {
      const session = sessions.get(req.session);
      if (!session) throw new Error(`no session ${req.session} (released?)`);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(req.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(feeds);
      const result: Record<string, OrtWebTensor> = {};
      const transfer: Transferable[] = [];
      for (const [name, t] of Object.entries(out)) {
        if (!(t.data instanceof Float32Array)) throw new Error(`output ${name} is ${t.type}, not float32`);
        // The wasm backend hands out a copy of its output, so it can be moved, not copied again.
        result[name] = { data: t.data, dims: [...t.dims] };
        transfer.push(t.data.buffer as ArrayBuffer);
      }
      return { result, transfer };
    }
    case 'release': {
      await sessions.get(req.session)?.release();
      sessions.delete(req.session);
      return { result: null };
    }
  }
}

/** Requests run one after another: one WebAssembly instance runs one session at a time. */
let queue: Promise<unknown> = Promise.resolve();

scope.onmessage = (e) => {
  const req = e.data;
  queue = queue.then(() => handle(req)).then(
    ({ result, transfer }) => scope.postMessage({ id: req.id, result }, transfer),
    (err: unknown) => scope.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
  );
};
