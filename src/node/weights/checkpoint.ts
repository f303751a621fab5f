/**
 * Node adapter: loads a TensorFlow V2 checkpoint (`<prefix>.index` plus its
 * `<prefix>.data-NNNNN-of-NNNNN` shards) from disk.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  checkpointShardSizes, checkpointShardSuffix, type CheckpointIndex,
} from '../../model/checkpoint/checkpointTypes.js';
import { checkpointWeights, type CheckpointWeightsOptions } from '../../model/checkpoint/checkpointWeights.js';
import { parseCheckpointIndex } from '../../model/checkpoint/parseCheckpointIndex.js';
import type { NetworkSpec } from '../../model/resfcn.js';

/** A checkpoint read into memory. */
export interface LoadedCheckpoint {
  /** Path prefix without extension. */
  prefix: string;
  indexPath: string;
  shardPaths: string[];
  index: CheckpointIndex;
  /** Shard contents by shard id. */
  shards: Uint8Array[];
}

/** Accepts `model`, `model.index` or `model.data-00000-of-00001` and returns `model`. */
export function checkpointPrefix(pathLike: string): string {
  return pathLike.replace(/\.index$/, '').replace(/\.data-\d{5}-of-\d{5}$/, '');
}

/**
 * Reads `<prefix>.index` and every data shard it declares, checking each shard is
 * present and exactly as long as the entries need (a shorter file is a partial
 * download, a longer one belongs to another index).
 *
 * ```ts
 * const ckpt = await loadCheckpoint('weights/256_256_resfcn256_weight');
 * ckpt.index.entries.size; // 545
 * ```
 */
export async function loadCheckpoint(prefix: string): Promise<LoadedCheckpoint> {
  const base = checkpointPrefix(prefix);
  const indexPath = `${base}.index`;
  let indexBytes: Uint8Array;
  try {
    indexBytes = new Uint8Array(await readFile(indexPath));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`checkpoint index not found: ${indexPath}`);
    throw new Error(`cannot read checkpoint index ${indexPath}: ${(err as Error).message}`);
  }
  const index = parseCheckpointIndex(indexBytes, { fileName: indexPath });
  const n = index.header.numShards;
  const needed = checkpointShardSizes(index);
  const shardPaths = Array.from({ length: n }, (_, i) => `${base}${checkpointShardSuffix(i, n)}`);
  const shards: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const p = shardPaths[i]!;
    let size: number;
    try {
      size = (await stat(p)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`checkpoint data shard not found: ${p} (needed by ${indexPath})`);
      throw new Error(`cannot read checkpoint data shard ${p}: ${(err as Error).message}`);
    }
    if (size !== needed[i]) {
      const why = size < needed[i]! ? 'truncated (incomplete download?)' : 'longer than its index describes (from another checkpoint?)';
      throw new Error(`${p}: ${size} bytes but ${indexPath} describes ${needed[i]}; the file is ${why}`);
    }
    shards.push(new Uint8Array(await readFile(p)));
  }
  return { prefix: base, indexPath, shardPaths, index, shards };
}

/**
 * Loads a checkpoint and returns exactly the variables of `spec` (see
 * `checkpointWeights`), keyed by TF name.
 *
 * ```ts
 * const weights = await loadCheckpointWeights('256_256_resfcn256_weight', resfcnSpec());
 * ```
 */
export async function loadCheckpointWeights(
  prefix: string, spec: NetworkSpec, options: CheckpointWeightsOptions = {},
): Promise<Map<string, Float32Array>> {
  const c = await loadCheckpoint(prefix);
  return checkpointWeights(spec, c.index, c.shards, { shardNames: c.shardPaths, ...options });
}
