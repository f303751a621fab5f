import type { PositionMapModel } from '../model/session.js';

/**
 * Largest number of crops sent to the network in one call: the batch's activations grow
 * with it (ResFCN256 needs roughly 100 MB per crop), so a group photo is cut into chunks.
 */
export const MAX_NETWORK_BATCH = 8;

/**
 * Runs `model.predict` on `count` packed crops, at most `maxBatch` per call, and returns
 * all position maps packed in order (`count · 256² · 3` floats).
 *
 * ```ts
 * const maps = await predictBatched(model, input, 20); // three calls: 8 + 8 + 4
 * ```
 */
export async function predictBatched(model: PositionMapModel, input: Float32Array, count: number, maxBatch = MAX_NETWORK_BATCH): Promise<Float32Array> {
  if (!(maxBatch >= 1)) throw new Error(`maxBatch must be at least 1, got ${maxBatch}`);
  const inPer = model.inputSize * model.inputSize * 3;
  if (input.length !== count * inPer) throw new Error(`network input holds ${input.length / inPer} crops, expected ${count}`);
  if (count <= maxBatch) return model.predict(input, count);
  const outPer = model.outputSize * model.outputSize * 3;
  const out = new Float32Array(count * outPer);
  for (let start = 0; start < count; start += maxBatch) {
    const n = Math.min(maxBatch, count - start);
    out.set(await model.predict(input.subarray(start * inPer, (start + n) * inPer), n), start * outPer);
  }
  return out;
}
