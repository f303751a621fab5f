/**
 * Checkpoint import speed: parsing the official `.index`, CRC-32C throughput, and
 * reading + CRC-checking every tensor of the 160 MB official-layout fixture.
 * Prints medians. `npm run bench -- checkpoint`
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseCheckpointIndex } from '../src/model/checkpoint/parseCheckpointIndex.js';
import { readCheckpointTensor } from '../src/model/checkpoint/readCheckpointTensor.js';
import { checkpointWeights } from '../src/model/checkpoint/checkpointWeights.js';
import { crc32c } from '../src/model/checkpoint/crc32c.js';
import { resfcnSpec } from '../src/model/resfcn.js';
import { loadCheckpoint } from '../src/node/weights/checkpoint.js';
import { makeOfficialLikeCheckpoint } from '../test/support/checkpointFixture.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(label: string, runs: number, fn: () => unknown | Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  console.log(`${label}: median ${median(ms).toFixed(2)} ms over ${runs} runs`);
}

const indexBytes = new Uint8Array(readFileSync(new URL('../../shared/prnet-data/net-data/256_256_resfcn256_weight.index', import.meta.url)));
await time('parse official index (20,319 bytes, 545 entries)', 50, () => parseCheckpointIndex(indexBytes));

const files = await makeOfficialLikeCheckpoint();
const ckpt = await loadCheckpoint(files.prefix);
const shard = ckpt.shards[0]!;
await time(`crc32c over the 160 MB shard (${(shard.length / 1e6).toFixed(1)} MB)`, 5, () => crc32c(shard));
await time('read + crc-check all 545 tensors (incl. Adam slots)', 5, () => {
  for (const e of ckpt.index.entries.values()) readCheckpointTensor(e, shard);
});
await time('checkpointWeights(resfcnSpec()) (245 network tensors, crc-checked)', 5, () => checkpointWeights(resfcnSpec(), ckpt.index, ckpt.shards));
await time('loadCheckpoint from disk (index + 160 MB shard, page cache warm)', 5, () => loadCheckpoint(files.prefix));
