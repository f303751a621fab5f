/**
 * A child process for the stopWorkerCalls test: starts a long network run in a worker, then
 * exits with 130 while it runs, after `stopWorkerCalls` (argument `wait`) or without it.
 */
import { loadWorkerModel } from '../../src/node/inference/networkWorker.js';
import { stopWorkerCalls } from '../../src/node/inference/moduleWorker.js';
import { randomOnnxModel } from './randomModel.js';

const wait = process.argv[2] === 'wait';
const model = await loadWorkerModel(randomOnnxModel({ variant: 'resfcn128-light', seed: 3 }), { threads: 1 });
const batch = 32;
let s = 7;
const input = Float32Array.from({ length: batch * 128 * 128 * 3 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const started = performance.now();
let finished = 0;
void model.predict(input, batch).then(() => { finished = performance.now() - started; });
await new Promise((r) => setTimeout(r, 50));
if (wait) {
  await stopWorkerCalls();
  // A call after the stop is never sent (and never settles).
  let settled = false;
  void model.predict(input, 1).then(() => { settled = true; }, () => { settled = true; });
  await new Promise((r) => setTimeout(r, 50));
  process.stdout.write(JSON.stringify({ finished, settled }));
}
process.exit(130);
