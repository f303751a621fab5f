/**
 * What the worker-thread runtimes (`networkWorker.ts`, `ortSessionWorker.ts`) share: starting
 * a module as a worker, from built JavaScript or from TypeScript sources, and calling it
 * with numbered requests whose replies come back to the right caller.
 */
import { Worker } from 'node:worker_threads';
import { settleWithin } from '../../io/settleWithin.js';

/**
 * Starts the module at `moduleUrl` (pass `import.meta.url`) as a worker with `workerData`.
 * Running from TypeScript sources (tests, `npm run prnet`), the worker must first register
 * tsx's loader, which workers do not inherit.
 */
export function startModuleWorker(moduleUrl: string, workerData: unknown): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** The first message a served worker posts: ready with its details, or why it is not. */
export type WorkerReady<T> = ({ ready: true } & T) | { ready: false; error: string };

/** A reply to request `id`: its result, or the error message. */
export type WorkerReply<R> = { id: number; result: R } | { id: number; error: string };

/** The main thread's side of a served worker. */
export interface WorkerCaller<Q, R> {
  /** Sends a request (`transfer`: buffers moved rather than copied) and resolves with its reply. */
  call(request: Q, transfer?: ArrayBuffer[]): Promise<R>;
  /**
   * Stops the worker once the calls in flight have finished (they settle as usual: a worker
   * torn down inside onnxruntime-node's native run aborts the whole process); calls made
   * from now on reject.
   */
  terminate(): Promise<void>;
}

/** Calls in flight in every worker of the process, for {@link stopWorkerCalls}. */
const callsInFlight = new Set<Promise<unknown>>();

/** Set by {@link stopWorkerCalls}: no call is sent from then on. */
let stopping = false;

/** Options of {@link stopWorkerCalls}. */
export interface StopWorkerCallsOptions {
  /** The longest wait, in ms, for calls already running (a stuck run must not hold the exit for ever). */
  timeoutMs?: number;
}

/** Defaults of {@link StopWorkerCallsOptions}: a few network runs of a large batch on two cores. */
export const STOP_WORKER_CALLS_DEFAULTS: Required<StopWorkerCallsOptions> = { timeoutMs: 5000 };

/**
 * For a program about to exit at once (a second Ctrl-C): sends no new call to any worker
 * (new calls never settle: the process is exiting) and waits for the calls already running.
 * onnxruntime-node's `run` holds its worker's thread in native code, and a `process.exit()`
 * that tears the worker down meanwhile aborts the whole process ("terminate called after
 * throwing an instance of 'Napi::Error'") instead of exiting with the code given.
 *
 * ```ts
 * process.on('SIGINT', () => void stopWorkerCalls().then(() => process.exit(130)));
 * ```
 */
export async function stopWorkerCalls(options: StopWorkerCallsOptions = {}): Promise<void> {
  const { timeoutMs } = { ...STOP_WORKER_CALLS_DEFAULTS, ...options };
  stopping = true;
  await settleWithin(callsInFlight, timeoutMs);
}

/**
 * Waits for a worker's {@link WorkerReady} message and returns a caller, or throws its
 * error. The worker keeps the process alive only while a call is in flight.
 *
 * ```ts
 * const { caller, ready } = await workerCaller<Request, Float32Array, { inputSize: number }>(startModuleWorker(url, data), 'network worker');
 * const out = await caller.call({ input });
 * ```
 */
export async function workerCaller<Q extends object, R, T>(worker: Worker, name: string): Promise<{ caller: WorkerCaller<Q, R>; ready: T }> {
  worker.unref();
  const pending = new Map<number, { resolve: (v: R) => void; reject: (e: Error) => void }>();
  /** This worker's calls in flight, for terminate. */
  const running = new Set<Promise<unknown>>();
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (err: Error): void => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ready = await new Promise<WorkerReady<T>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (!ready.ready) {
    await worker.terminate();
    throw new Error(ready.error);
  }
  worker.on('message', (reply: WorkerReply<R>) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.result);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`${name} exited (code ${code})`)));
  const { ready: _, ...details } = ready;
  return {
    ready: details as unknown as T,
    caller: {
      call(request, transfer = []) {
        if (dead) return Promise.reject(dead);
        if (stopping) return new Promise<R>(() => {});
        const id = nextId++;
        const call = new Promise<R>((resolve, reject) => {
          pending.set(id, { resolve, reject });
          if (pending.size === 1) worker.ref();
          worker.postMessage({ ...request, id }, transfer);
        }).finally(() => {
          callsInFlight.delete(call);
          running.delete(call);
          if (pending.size === 0) worker.unref();
        });
        callsInFlight.add(call);
        running.add(call);
        return call;
      },
      async terminate() {
        dead ??= new Error(`${name} was stopped`);
        await Promise.allSettled([...running]);
        worker.removeAllListeners('exit');
        await worker.terminate();
      },
    },
  };
}
