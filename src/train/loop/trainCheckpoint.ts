/**
 * The training checkpoint: everything needed to continue a run exactly — weights and
 * batch-norm statistics, Adam's step and moments, the position in the data (epoch,
 * step within it, this epoch's sample order) and the random generator's state.
 *
 * Layout: 8-byte magic `PRNTCKP1`, uint32 LE header length, UTF-8 JSON header, zero
 * padding to a multiple of 4, then the float32 LE arrays the header lists in order.
 */

/** One training run's resumable state. */
export interface TrainCheckpoint {
  /** Variant name (`resfcn256`, …); a resume must use the same network. */
  variant: string;
  inputSize: number;
  baseChannels: number;
  /** Completed optimizer steps. */
  step: number;
  /** Current epoch (0-based). */
  epoch: number;
  /** Steps already taken in the current epoch. */
  stepInEpoch: number;
  /** This epoch's training-sample order (empty before it is drawn). */
  order: number[];
  /** `TrainRandom.state` after the last step. */
  rngState: number;
  /** Options the run was started with (recorded, and checked on resume). */
  options: Record<string, unknown>;
  /** Network variables by TF name. */
  weights: Map<string, Float32Array>;
  /** Adam moments by TF name. */
  adamM: Map<string, Float32Array>;
  adamV: Map<string, Float32Array>;
  /** Moving average of the trainable weights, when the run keeps one (see `weightAverage`). */
  averaged?: Map<string, Float32Array>;
  /** Batch-norm moving statistics recalibrated for the averaged weights (at the last epoch end). */
  averagedStatistics?: Map<string, Float32Array>;
}

const MAGIC = 'PRNTCKP1';
const GROUPS = ['weights', 'adamM', 'adamV', 'averaged', 'averagedStatistics'] as const;
type Group = (typeof GROUPS)[number];

interface Header {
  variant: string; inputSize: number; baseChannels: number;
  step: number; epoch: number; stepInEpoch: number; order: number[]; rngState: number;
  options: Record<string, unknown>;
  arrays: Array<{ group: Group; name: string; length: number }>;
}

/**
 * Serialises a checkpoint to bytes.
 *
 * ```ts
 * await writeFileAtomic('run/checkpoint.bin', encodeTrainCheckpoint(state));
 * ```
 */
export function encodeTrainCheckpoint(c: TrainCheckpoint): Uint8Array {
  const arrays: Header['arrays'] = [];
  const data: Float32Array[] = [];
  for (const group of GROUPS) {
    for (const [name, values] of c[group] ?? []) {
      arrays.push({ group, name, length: values.length });
      data.push(values);
    }
  }
  const header: Header = {
    variant: c.variant, inputSize: c.inputSize, baseChannels: c.baseChannels,
    step: c.step, epoch: c.epoch, stepInEpoch: c.stepInEpoch, order: c.order, rngState: c.rngState,
    options: c.options, arrays,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headEnd = 12 + json.length;
  const dataStart = Math.ceil(headEnd / 4) * 4;
  const total = dataStart + 4 * data.reduce((n, d) => n + d.length, 0);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let off = dataStart;
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (const d of data) {
    if (little) out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), off);
    else { const dv = new DataView(out.buffer); for (let i = 0; i < d.length; i++) dv.setFloat32(off + 4 * i, d[i]!, true); }
    off += d.byteLength;
  }
  return out;
}

/**
 * Parses {@link encodeTrainCheckpoint}'s bytes; `source` names the file in errors.
 *
 * ```ts
 * const state = decodeTrainCheckpoint(await readFile(file), file);
 * ```
 */
export function decodeTrainCheckpoint(bytes: Uint8Array, source = 'checkpoint'): TrainCheckpoint {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${source}: not a prnet training checkpoint (bad magic)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = dv.getUint32(8, true);
  if (12 + len > bytes.length) throw new Error(`${source}: truncated header`);
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len))) as Header;
  } catch (e) {
    throw new Error(`${source}: corrupt header (${(e as Error).message})`);
  }
  let off = Math.ceil((12 + len) / 4) * 4;
  const groups = Object.fromEntries(GROUPS.map((g) => [g, new Map<string, Float32Array>()])) as Record<Group, Map<string, Float32Array>>;
  for (const a of h.arrays) {
    if (!groups[a.group]) throw new Error(`${source}: unknown array group '${a.group}' (written by a newer prnet?)`);
    const end = off + 4 * a.length;
    if (end > bytes.length) throw new Error(`${source}: truncated data (array ${a.name})`);
    const values = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) values[i] = dv.getFloat32(off + 4 * i, true);
    groups[a.group].set(a.name, values);
    off = end;
  }
  if (off !== bytes.length) throw new Error(`${source}: ${bytes.length - off} unexpected trailing bytes`);
  return {
    variant: h.variant, inputSize: h.inputSize, baseChannels: h.baseChannels,
    step: h.step, epoch: h.epoch, stepInEpoch: h.stepInEpoch, order: h.order, rngState: h.rngState,
    options: h.options, weights: groups.weights, adamM: groups.adamM, adamV: groups.adamV,
    ...(groups.averaged.size ? { averaged: groups.averaged } : {}),
    ...(groups.averagedStatistics.size ? { averagedStatistics: groups.averagedStatistics } : {}),
  };
}
