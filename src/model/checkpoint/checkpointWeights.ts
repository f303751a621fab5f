import { networkVariables, type NetworkSpec } from '../resfcn.js';
import { checkpointShardSuffix, type CheckpointIndex } from './checkpointTypes.js';
import { readCheckpointTensor } from './readCheckpointTensor.js';
import { withDefaults } from '../../io/withDefaults.js';

/**
 * Training-only variables a checkpoint may hold besides the network: optimizer slots
 * (`…/Adam`, `…/Adam_1`, momentum, RMSProp) and optimizer/step counters.
 */
export const OPTIMIZER_VARIABLE_PATTERN = /(^|\/)(beta1_power|beta2_power|global_step)$|\/(Adam|Adam_\d+|Momentum|RMSProp|RMSProp_\d+)$/;

/** Options of {@link checkpointWeights}. */
export interface CheckpointWeightsOptions {
  /** Shard file names for error messages; default derived from `index.fileName`. */
  shardNames?: string[];
  /** Verify each tensor's CRC-32C (the cost is one pass over the bytes). */
  verifyChecksums?: boolean;
  /** Accept variables that are neither in the network nor optimizer state (default: error). */
  allowUnknown?: boolean;
}

export const CHECKPOINT_WEIGHTS_DEFAULTS: Required<Omit<CheckpointWeightsOptions, 'shardNames'>> = { verifyChecksums: true, allowUnknown: false };

function listSome(names: string[]): string {
  const shown = names.slice(0, 3).map((n) => `"${n}"`).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/**
 * Extracts exactly the variables `networkVariables(spec)` lists from a checkpoint, by
 * full TF name, in TF layout, as float32, after checking names, shapes, bounds and
 * CRCs. Optimizer state is skipped; any other extra variable is an error (it means
 * the checkpoint is of a different network).
 *
 * ```ts
 * const weights = checkpointWeights(resfcnSpec(), parseCheckpointIndex(indexBytes), [shardBytes]);
 * weights.get('resfcn256/Conv/weights'); // Float32Array(768), shape [4, 4, 3, 16]
 * ```
 */
export function checkpointWeights(
  spec: NetworkSpec, index: CheckpointIndex, shards: readonly Uint8Array[], options: CheckpointWeightsOptions = {},
): Map<string, Float32Array> {
  const o = withDefaults(CHECKPOINT_WEIGHTS_DEFAULTS, options);
  const file = index.fileName;
  const n = index.header.numShards;
  const base = file.endsWith('.index') ? file.slice(0, -'.index'.length) : file;
  const shardNames = options.shardNames ?? Array.from({ length: n }, (_, i) => `${base}${checkpointShardSuffix(i, n)}`);
  if (shards.length < n) throw new Error(`${file}: the checkpoint has ${n} data shard(s) but ${shards.length} were given`);

  const wanted = networkVariables(spec);
  const wantedNames = new Set(wanted.map((v) => v.name));
  if (!o.allowUnknown) {
    const unknown = [...index.entries.keys()].filter((k) => !wantedNames.has(k) && !OPTIMIZER_VARIABLE_PATTERN.test(k));
    if (unknown.length) {
      throw new Error(`${file}: variable ${listSome(unknown)} is not part of network ${spec.variant} (a checkpoint of a different network or variant?)`);
    }
  }
  const missing = wanted.filter((v) => !index.entries.has(v.name)).map((v) => v.name);
  if (missing.length) throw new Error(`${file}: variable ${listSome(missing)} of network ${spec.variant} is missing from the checkpoint`);

  const out = new Map<string, Float32Array>();
  for (const v of wanted) {
    const entry = index.entries.get(v.name)!;
    if (entry.shape.length !== v.shape.length || entry.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(`${file}: variable "${v.name}" has shape [${entry.shape.join(', ')}] but network ${spec.variant} expects [${v.shape.join(', ')}]`);
    }
    const t = readCheckpointTensor(entry, shards[entry.shardId]!, {
      fileName: shardNames[entry.shardId], verifyChecksum: o.verifyChecksums, endianness: index.header.endianness,
    });
    if (t.data instanceof Float32Array) out.set(v.name, t.data);
    else if (t.data instanceof Float64Array) out.set(v.name, Float32Array.from(t.data));
    else throw new Error(`${file}: variable "${v.name}" is ${t.dtype}, expected a floating-point tensor`);
  }
  return out;
}
