import type { TrainingBatch, TrainingData } from './trainingData.js';

/** One named part of a {@link concatTrainingData} set. */
export interface TrainingDataPart {
  /** Prefix of the part's validation figures (`helen.human`). */
  name: string;
  data: TrainingData;
  /** Each training sample of the part comes this many times per epoch (default 1): more weight for a small set. */
  repeat?: number;
}

/**
 * Several training sets as one: training and validation indices run through the parts in
 * order; a batch is assembled by each part for its own samples and put back in the asked
 * order. A part with `repeat: n` takes n times its training samples' indices (index i is its
 * sample i mod its count), so an epoch's shuffle draws it n times as often. The validation landmark error (which picks the best epoch) is the first part's;
 * every part's own error and figures are reported as `valMetrics` under its name.
 *
 * ```ts
 * const data = concatTrainingData([{ name: 'aflw21', data: aflw }, { name: 'helen', data: helen }]);
 * ```
 */
export function concatTrainingData(parts: readonly TrainingDataPart[]): TrainingData {
  if (parts.length === 0) throw new Error('concatTrainingData: no parts');
  const S = parts[0]!.data.inputSize;
  for (const p of parts) {
    if (p.data.inputSize !== S) throw new Error(`concatTrainingData: part ${p.name} is ${p.data.inputSize}², not ${S}²`);
    if (!(Number.isInteger(p.repeat ?? 1) && (p.repeat ?? 1) >= 1)) throw new Error(`concatTrainingData: part ${p.name} repeat must be a whole number ≥ 1, got ${p.repeat}`);
  }
  const trainCounts = parts.map((p) => p.data.trainCount), valCounts = parts.map((p) => p.data.valCount);
  const trainSpans = parts.map((p) => p.data.trainCount * (p.repeat ?? 1));
  const trainStart: number[] = [], valStart: number[] = [];
  let trainCount = 0, valCount = 0;
  parts.forEach((p, k) => { trainStart.push(trainCount); valStart.push(valCount); trainCount += trainSpans[k]!; valCount += p.data.valCount; });
  /** Part and local sample of a global index; `spans` (repeats included) wrap onto `counts`. */
  const locate = (starts: number[], spans: number[], counts: number[], idx: number): [number, number] => {
    for (let k = starts.length - 1; k >= 0; k--) if (idx >= starts[k]!) {
      if (idx - starts[k]! >= spans[k]!) break;
      return [k, (idx - starts[k]!) % counts[k]!];
    }
    throw new Error(`sample index ${idx} out of range`);
  };
  const per = S * S * 3;
  const gather = async (indices: number[], starts: number[], spans: number[], counts: number[], get: (part: TrainingData, local: number[]) => Promise<TrainingBatch>): Promise<TrainingBatch> => {
    const groups = parts.map(() => [] as { local: number; at: number }[]);
    indices.forEach((idx, at) => { const [k, local] = locate(starts, spans, counts, idx); groups[k]!.push({ local, at }); });
    const inputs = new Float32Array(indices.length * per), targets = new Float32Array(indices.length * per);
    for (let k = 0; k < parts.length; k++) {
      const g = groups[k]!;
      if (!g.length) continue;
      const b = await get(parts[k]!.data, g.map((x) => x.local));
      g.forEach(({ at }, i) => {
        inputs.set(b.inputs.subarray(i * per, (i + 1) * per), at * per);
        targets.set(b.targets.subarray(i * per, (i + 1) * per), at * per);
      });
    }
    return { size: indices.length, inputs, targets };
  };
  /** Splits a validation batch by part: for each part, the local indices and the rows they came from. */
  const split = (indices: number[]) => {
    const groups = parts.map(() => [] as { local: number; at: number }[]);
    indices.forEach((idx, at) => { const [k, local] = locate(valStart, valCounts, valCounts, idx); groups[k]!.push({ local, at }); });
    return groups;
  };
  const rows = (all: Float32Array, at: number[]) => {
    const out = new Float32Array(at.length * per);
    at.forEach((a, i) => out.set(all.subarray(a * per, (a + 1) * per), i * per));
    return out;
  };
  return {
    inputSize: S,
    trainCount,
    valCount,
    batch: (indices, rng, augment) => gather(indices, trainStart, trainSpans, trainCounts, (d, local) => d.batch(local, rng, augment)),
    valBatch: (indices) => gather(indices, valStart, valCounts, valCounts, (d, local) => d.valBatch(local)),
    valLandmarkError(predictions, indices) {
      const perImage = new Float64Array(indices.length).fill(NaN);
      const g = split(indices)[0]!;
      if (g.length) {
        const r = parts[0]!.data.valLandmarkError(rows(predictions, g.map((x) => x.at)), g.map((x) => x.local));
        g.forEach(({ at }, i) => { perImage[at] = r.perImage[i]!; });
      }
      let sum = 0, n = 0;
      for (const e of perImage) if (Number.isFinite(e)) { sum += e; n++; }
      return { nme: n ? sum / n : NaN, perImage };
    },
    valMetrics(predictions, targets, indices) {
      const out: Record<string, { sum: number; count: number }> = {};
      split(indices).forEach((g, k) => {
        if (!g.length) return;
        const { name, data } = parts[k]!;
        const at = g.map((x) => x.at), local = g.map((x) => x.local);
        const p = rows(predictions, at);
        const r = data.valLandmarkError(p, local);
        let sum = 0, count = 0;
        for (const e of r.perImage) if (Number.isFinite(e)) { sum += e; count++; }
        out[`${name}.human`] = { sum, count };
        for (const [key, v] of Object.entries(data.valMetrics?.(p, rows(targets, at), local) ?? {})) out[`${name}.${key}`] = v;
      });
      return out;
    },
  };
}
