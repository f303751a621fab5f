/**
 * Generated TensorFlow checkpoints for tests: the official ResFCN256 layout (names,
 * shapes, Adam slots, entry order and offsets identical to the real
 * `256_256_resfcn256_weight.index`, data file 160,290,984 bytes) filled with seeded
 * random values, and small in-memory checkpoints for reduced specs.
 *
 * Values keep activations in a sane range: conv weights ~ N(0, 1/fan_in), BN gamma
 * and moving_variance ~ U(0.5, 1.5), beta and moving_mean ~ N(0, 0.1²).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { networkVariables, resfcnSpec, type NetworkSpec, type VariableSpec } from '../../src/model/resfcn.js';
import { writeCheckpoint, type CheckpointTensorInput } from './writeCheckpoint.js';
import { seededRandom } from './random.js';
import { writeFileAtomicSync } from './writeFileAtomicSync.js';

/** Size of the official data file; the fixture reproduces it exactly. */
export const OFFICIAL_DATA_SIZE = 160_290_984;
/** File name stem of the official checkpoint. */
export const OFFICIAL_CHECKPOINT_NAME = '256_256_resfcn256_weight';

/** A variable of a training checkpoint: network variables plus Adam state. */
export interface FixtureVariable {
  name: string;
  shape: number[];
  role: VariableSpec['role'] | 'adam_m' | 'adam_v' | 'beta_power';
}

export { seededRandom } from './random.js';

function hashName(name: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Every variable of a TF1 Adam training checkpoint of `spec`: the network variables,
 * `…/Adam` and `…/Adam_1` slots for the trainable ones (weights, gamma, beta), and
 * `beta1_power`/`beta2_power`. Order is irrelevant (the writer sorts).
 */
export function trainingCheckpointVariables(spec: NetworkSpec = resfcnSpec()): FixtureVariable[] {
  const out: FixtureVariable[] = [
    { name: 'beta1_power', shape: [], role: 'beta_power' },
    { name: 'beta2_power', shape: [], role: 'beta_power' },
  ];
  for (const v of networkVariables(spec)) {
    out.push(v);
    if (v.role === 'weights' || v.role === 'gamma' || v.role === 'beta') {
      out.push({ name: `${v.name}/Adam`, shape: v.shape, role: 'adam_m' });
      out.push({ name: `${v.name}/Adam_1`, shape: v.shape, role: 'adam_v' });
    }
  }
  return out;
}

/**
 * The seeded values of one fixture variable; a pure function of (name, shape, role,
 * seed), so a test can recompute any tensor without regenerating the checkpoint.
 */
export function fixtureTensor(v: FixtureVariable, seed: number): Float32Array {
  const n = v.shape.reduce((a, b) => a * b, 1);
  const rand = seededRandom(hashName(v.name, seed));
  const out = new Float32Array(n);
  const gauss = (): number => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  switch (v.role) {
    case 'weights': {
      // [kh, kw, in, out] for convs; for transposed convs [kh, kw, out, in]: the last
      // two swap but kh·kw·shape[2] is a fine fan-in scale either way.
      const fanIn = v.shape[0]! * v.shape[1]! * v.shape[2]!;
      const std = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) out[i] = gauss() * std;
      break;
    }
    case 'gamma': case 'moving_variance': case 'adam_v':
      for (let i = 0; i < n; i++) out[i] = v.role === 'adam_v' ? rand() * 1e-6 : 0.5 + rand();
      break;
    case 'beta': case 'moving_mean': case 'adam_m':
      for (let i = 0; i < n; i++) out[i] = gauss() * (v.role === 'adam_m' ? 1e-3 : 0.1);
      break;
    case 'beta_power':
      // The official checkpoint stores 0 for both (underflowed after long training).
      break;
  }
  return out;
}

/** Options of {@link makeSmallCheckpoint}. */
export interface SmallCheckpointOptions {
  /** Include Adam slots and beta powers as a training checkpoint would. */
  optimizerSlots?: boolean;
}

/** An in-memory checkpoint and the network weights it holds. */
export interface SmallCheckpoint {
  index: Uint8Array;
  shard: Uint8Array;
  /** The network variables (no optimizer state), by TF name. */
  weights: Map<string, Float32Array>;
}

/**
 * A seeded checkpoint of a (usually reduced) spec, in memory.
 *
 * ```ts
 * const { index, shard, weights } = makeSmallCheckpoint(resfcnSpec({ baseChannels: 2, inputSize: 64 }), 7);
 * ```
 */
export function makeSmallCheckpoint(spec: NetworkSpec, seed: number, options: SmallCheckpointOptions = {}): SmallCheckpoint {
  const slots = options.optimizerSlots ?? true;
  const vars = slots ? trainingCheckpointVariables(spec) : networkVariables(spec);
  const weights = new Map<string, Float32Array>();
  const tensors: CheckpointTensorInput[] = vars.map((v) => {
    const data = fixtureTensor(v, seed);
    if (v.role !== 'adam_m' && v.role !== 'adam_v' && v.role !== 'beta_power') weights.set(v.name, data);
    return { name: v.name, shape: v.shape, data };
  });
  const { index, shard } = writeCheckpoint(tensors);
  return { index, shard, weights };
}

/** Paths of a checkpoint on disk. */
export interface CheckpointFiles {
  /** `<dir>/256_256_resfcn256_weight` (without extension). */
  prefix: string;
  indexPath: string;
  dataPath: string;
}

/**
 * Writes (once per seed, cached under the OS temp dir unless `dir` is given) a
 * checkpoint with exactly the official layout filled with seeded random values. Both
 * files are written atomically, data first, so a present index means a complete pair.
 *
 * ```ts
 * const { prefix } = await makeOfficialLikeCheckpoint();   // …/256_256_resfcn256_weight
 * const ckpt = await loadCheckpoint(prefix);
 * ```
 */
export async function makeOfficialLikeCheckpoint(dir?: string, seed = 1): Promise<CheckpointFiles> {
  const root = dir ?? path.join(os.tmpdir(), 'prnet-test-fixtures', `official-like-seed${seed}-v1`);
  const prefix = path.join(root, OFFICIAL_CHECKPOINT_NAME);
  const files: CheckpointFiles = { prefix, indexPath: `${prefix}.index`, dataPath: `${prefix}.data-00000-of-00001` };
  if (existsSync(files.indexPath) && existsSync(files.dataPath) && statSync(files.dataPath).size === OFFICIAL_DATA_SIZE) return files;
  mkdirSync(root, { recursive: true });
  const { index, shard } = writeCheckpoint(trainingCheckpointVariables(resfcnSpec()).map((v) => ({
    name: v.name, shape: v.shape, data: () => fixtureTensor(v, seed),
  })));
  writeFileAtomicSync(files.dataPath, shard);
  writeFileAtomicSync(files.indexPath, index);
  return files;
}

/**
 * A deliberately simple Snappy compressor (greedy, hash of 4 bytes) that emits every
 * element kind: short and long literals, and copies with 1-, 2- and 4-byte offsets.
 */
export function snappyCompressForTest(input: Uint8Array, rand = seededRandom(5)): Uint8Array {
  const out: number[] = [];
  let n = input.length;
  do { out.push(n >= 128 ? (n & 0x7f) | 0x80 : n); n = Math.floor(n / 128); } while (n > 0);
  const literal = (from: number, to: number) => {
    for (let s = from; s < to; s += 65536) {
      const e = Math.min(to, s + 65536);
      const len = e - s - 1;
      if (len < 60) out.push(len << 2);
      else if (len < 256) out.push(60 << 2, len);
      else out.push(61 << 2, len & 0xff, len >>> 8);
      for (let i = s; i < e; i++) out.push(input[i]!);
    }
  };
  const table = new Map<number, number>();
  let lit = 0;
  let i = 0;
  while (i + 4 <= input.length) {
    const key = input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24);
    const cand = table.get(key);
    table.set(key, i);
    if (cand === undefined) { i++; continue; }
    let len = 4;
    while (i + len < input.length && len < 64 && input[cand + len] === input[i + len]) len++;
    if (lit < i) literal(lit, i);
    const offset = i - cand;
    const r = rand();
    if (len >= 4 && len <= 11 && offset < 2048 && r < 0.5) out.push(1 | ((len - 4) << 2) | ((offset >>> 8) << 5), offset & 0xff);
    else if (offset < 65536 && r < 0.8) out.push(2 | ((len - 1) << 2), offset & 0xff, offset >>> 8);
    else out.push(3 | ((len - 1) << 2), offset & 0xff, (offset >>> 8) & 0xff, (offset >>> 16) & 0xff, offset >>> 24);
    i += len;
    lit = i;
  }
  if (lit < input.length) literal(lit, input.length);
  return Uint8Array.from(out);
}
