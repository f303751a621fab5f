/**
 * `prnet data 300wlp <300W-LP folder, photos or .txt lists…> --bfm BFM.mat --uv BFM_UV.mat -o <dir>
 * [--size 256] [--no-jitter] [--limit N] [--seed N]`: the paper's training data (face3d's
 * `8_generate_posmap_300WLP.py`) from 300W-LP and a user-supplied Basel Face Model.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { int } from '../optionParsers.js';
import { loadMorphableModel } from '../../node/train/morphableModel.js';
import { generatePosmapDataset, listPosmapSources } from '../../node/train/posmapDataset.js';
import { createProgress } from '../progress.js';

interface Data300wlpOptions {
  bfm: string; uv: string; output: string; size: number; jitter: boolean; limit?: number; seed: number; quality: number;
}

export function register(program: Command): void {
  const data = program.command('data').description('generate training data sets');
  data
    .command('300wlp')
    .description('position maps of 300W-LP photos from their fitted 3DMM parameters (needs the Basel Face Model in face3d\'s BFM.mat / BFM_UV.mat layout)')
    .argument('<inputs...>', '300W-LP folder(s) (searched recursively), photos, or .txt lists of photos; each photo needs its .mat beside it')
    .requiredOption('--bfm <file>', "face3d's BFM.mat (struct model: shapeMU, shapePC, expMU, expPC, tri, tri_mouth, kpt_ind)")
    .requiredOption('--uv <file>', "face3d's BFM_UV.mat (UV: n×2 in [0, 1])")
    .requiredOption('-o, --output <dir>', 'output folder: <name>.jpg, <name>_posmap.npy, index.json')
    .option('--size <n>', 'side of crops and position maps', int('--size', 2), 256)
    .option('--no-jitter', 'no random crop shift / scale (face3d jitters by default)')
    .option('--limit <n>', 'process only the first N photos (sorted by name)', int('--limit', 1))
    .option('--seed <n>', 'seed of the crop jitter', int('--seed', 0), 0)
    .option('--quality <q>', 'JPEG quality of the crops', int('--quality', 1), 95)
    .action(async (inputs: string[], opts: Data300wlpOptions) => {
      if (opts.quality > 100) throw new InvalidArgumentError(`--quality must be ≤ 100, got ${opts.quality}`);
      const model = await loadMorphableModel(opts.bfm, opts.uv, opts.size);
      const sources = await listPosmapSources(inputs);
      if (sources.length === 0) throw new Error(`no .jpg/.png photos found in ${inputs.join(', ')}`);
      const total = Math.min(sources.length, opts.limit ?? sources.length);
      const progress = createProgress({ total, stream: process.stderr, verbose: false });
      let result;
      try {
        result = await generatePosmapDataset(sources, model, {
          outDir: opts.output, size: opts.size, jitter: opts.jitter, seed: opts.seed, limit: opts.limit, quality: opts.quality,
          onSample: (source, error) => {
            if (error) progress.log(`prnet: skipped ${source}: ${error}`);
            progress.tick(source, 'done', !error);
          },
        });
      } finally {
        progress.stop();
      }
      const { written, skipped, seconds } = result;
      process.stdout.write(`wrote ${written} samples to ${opts.output} (${result.total} in index.json), skipped ${skipped.length}, ${seconds.toFixed(1)} s (${written ? ((seconds / written) * 1000).toFixed(0) : '-'} ms/sample)\n`);
      if (written === 0) process.exitCode = 1;
    });
}
