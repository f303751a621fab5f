/**
 * onnxruntime-web in a Web Worker: the page posts inputs and gets outputs back while its own
 * thread stays free (decoding, drawing, post-processing the previous frame). The worker's
 * body is `ortWebWorker.ts`; bundlers that know `new Worker(new URL(…, import.meta.url))`
 * (Vite, webpack 5, Parcel, esbuild with a plugin) emit it as its own chunk.
 */
import type { OrtWebTensor, OrtWebWorkerReply, OrtWebWorkerRequest } from './ortWebWorkerProtocol.js';
import type { ValueMetadataLike } from '../model/positionMapModelShapes.js';

export type { OrtWebTensor } from './ortWebWorkerProtocol.js';

/** Options of {@link startOrtWebWorker}. */
export interface StartOrtWebWorkerOptions {
  /** onnxruntime-web's WebAssembly threads inside the worker (needs cross-origin isolation above 1). */
  threads?: number;
  /** Where the onnxruntime-web .wasm/.mjs files are served from (an absolute URL: the worker resolves it, not the page). */
  wasmPaths?: string;
  /** Most milliseconds to wait for the worker to start (a bundler that did not emit it never answers). */
  startTimeoutMs?: number;
}

/** Defaults of {@link StartOrtWebWorkerOptions}. */
export const START_ORT_WEB_WORKER_DEFAULTS = { startTimeoutMs: 20_000 };

/** A session living in the worker. */
export interface OrtWebWorkerSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** What the graph declares of its inputs and outputs (names, and shapes of tensors). */
  readonly inputMetadata: readonly ValueMetadataLike[];
  readonly outputMetadata: readonly ValueMetadataLike[];
  /** Runs the model; the feeds are copied to the worker (the caller keeps them), the outputs moved back. */
  run(feeds: Record<string, OrtWebTensor>): Promise<Record<string, OrtWebTensor>>;
  /** Frees the session in the worker. */
  release(): Promise<void>;
}

/** A started worker. */
export interface OrtWebWorker {
  /** Creates a session for ONNX model bytes (copied to the worker). */
  createSession(bytes: Uint8Array): Promise<OrtWebWorkerSession>;
  /** Stops the worker; calls in flight reject. */
  terminate(): void;
}

/**
 * Starts the worker and sets its runtime up. Rejects when the worker cannot start (no
 * `Worker`, a bundle without the worker chunk), so the caller can fall back to running
 * onnxruntime-web on the page's thread.
 *
 * ```ts
 * const worker = await startOrtWebWorker({ threads: 2, wasmPaths: new URL('ort/', location.href).href });
 * const session = await worker.createSession(modelBytes);
 * const { position_map } = await session.run({ image: { data, dims: [1, 128, 128, 3] } });
 * ```
 */
export async function startOrtWebWorker(options: StartOrtWebWorkerOptions = {}): Promise<OrtWebWorker> {
  if (typeof Worker === 'undefined') throw new Error('Web Workers are not available here');
  const startTimeoutMs = options.startTimeoutMs ?? START_ORT_WEB_WORKER_DEFAULTS.startTimeoutMs;
  const worker = new Worker(new URL('./ortWebWorker.js', import.meta.url), { type: 'module', name: 'prnet-onnxruntime' });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (err: Error): void => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.onmessage = (e: MessageEvent<OrtWebWorkerReply>) => {
    const reply = e.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.result);
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    failAll(new Error(`onnxruntime-web worker failed: ${e.message || 'it could not be loaded'}`));
  };
  worker.onmessageerror = () => failAll(new Error('onnxruntime-web worker: a message could not be read'));
  type Body<T extends OrtWebWorkerRequest['type']> = Omit<Extract<OrtWebWorkerRequest, { type: T }>, 'id'>;
  const call = <T extends OrtWebWorkerRequest['type']>(body: Body<T>, transfer: Transferable[] = []): Promise<unknown> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...body, id } as OrtWebWorkerRequest, transfer);
    });
  };
  const terminate = (): void => {
    worker.terminate();
    failAll(new Error('onnxruntime-web worker stopped'));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      call<'init'>({ type: 'init', threads: options.threads, wasmPaths: options.wasmPaths }),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`onnxruntime-web worker did not start within ${startTimeoutMs} ms`)), startTimeoutMs); }),
    ]);
  } catch (err) {
    terminate();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    async createSession(bytes) {
      const { session, inputNames, outputNames, inputMetadata, outputMetadata } = (await call<'create'>({ type: 'create', bytes })) as
        { session: number; inputNames: string[]; outputNames: string[]; inputMetadata: ValueMetadataLike[]; outputMetadata: ValueMetadataLike[] };
      return {
        inputNames,
        outputNames,
        inputMetadata,
        outputMetadata,
        run: (feeds) => call<'run'>({ type: 'run', session, feeds }) as Promise<Record<string, OrtWebTensor>>,
        release: async () => {
          if (!dead) await call<'release'>({ type: 'release', session });
        },
      };
    },
    terminate,
  };
}
