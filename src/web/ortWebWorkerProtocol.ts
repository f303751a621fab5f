/**
 * The messages between the page and the onnxruntime-web worker (`ortWebWorker.ts`);
 * types only, shared by both sides.
 */

/** A float32 tensor crossing the worker boundary. */
export interface OrtWebTensor {
  /** The values. */
  data: Float32Array;
  /** The shape. */
  dims: number[];
}

/** A request to the worker; `id` pairs it with its reply. */
export type OrtWebWorkerRequest = { id: number } & (
  | { type: 'init'; threads?: number; wasmPaths?: string }
  | { type: 'create'; bytes: Uint8Array }
  | { type: 'run'; session: number; feeds: Record<string, OrtWebTensor> }
  | { type: 'release'; session: number }
);

/** The worker's reply to request `id`: its result, or the error message. */
export type OrtWebWorkerReply = { id: number; result: unknown } | { id: number; error: string };
