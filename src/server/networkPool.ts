/**
 * A fixed pool of network workers: N worker threads, each with its own ONNX Runtime
 * session (`loadWorkerModel`, the same worker `prnet reconstruct` uses), behind one
 * {@link PositionMapModel}. A call runs on a free worker, or waits (first come, first
 * served) until one is free; the waiting line is bounded by the caller's admission gate.
 */
import type { PositionMapModel } from '../model/session.js';
import { loadWorkerModel } from '../node/inference/networkWorker.js';
import { withDefaults } from '../io/withDefaults.js';

/** Options of {@link networkPool}. */
export interface NetworkPoolOptions {
  /** Worker threads, each with its own ONNX Runtime session. */
  workers: number;
  /** ONNX Runtime intra-op threads per worker (0 = one per core). */
  threads: number;
}

/** The pool: a model whose calls spread over the workers, and what it is doing. */
export interface NetworkPool extends PositionMapModel {
  /** Calls waiting for a free worker. */
  readonly waiting: number;
  /** Calls running on a worker. */
  readonly busy: number;
  /** Number of workers. */
  readonly size: number;
}

/** Defaults of {@link networkPool}. */
export const NETWORK_POOL_DEFAULTS: NetworkPoolOptions = { workers: 1, threads: 1 };

/**
 * Loads the model once per worker and returns the pool.
 *
 * ```ts
 * const pool = await networkPool('models/default.onnx', { workers: 2, threads: 1 });
 * const maps = await pool.predict(crops, 1);
 * await pool.dispose();
 * ```
 */
export async function networkPool(source: string | Uint8Array, options: Partial<NetworkPoolOptions> = {}): Promise<NetworkPool> {
  const { workers, threads } = withDefaults(NETWORK_POOL_DEFAULTS, options);
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`networkPool: workers must be an integer ≥ 1, got ${workers}`);
  const settled = await Promise.allSettled(Array.from({ length: workers }, () => loadWorkerModel(source, { threads })));
  const models = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.all(models.map((m) => m.dispose()));
    throw failure.reason;
  }
  const free: PositionMapModel[] = [...models];
  const queue: Array<(m: PositionMapModel) => void> = [];
  let busy = 0;
  const acquire = (): Promise<PositionMapModel> => {
    const m = free.pop();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => queue.push(resolve));
  };
  const release = (m: PositionMapModel): void => {
    const next = queue.shift();
    if (next) next(m);
    else free.push(m);
  };
  const first = models[0]!;
  return {
    inputSize: first.inputSize,
    outputSize: first.outputSize,
    metadata: first.metadata,
    get waiting() {
      return queue.length;
    },
    get busy() {
      return busy;
    },
    size: workers,
    async predict(input, batch) {
      const m = await acquire();
      busy++;
      try {
        return await m.predict(input, batch);
      } finally {
        busy--;
        release(m);
      }
    },
    async dispose() {
      await Promise.all(models.map((m) => m.dispose()));
    },
  };
}
