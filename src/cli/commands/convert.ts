/** `prnet convert <checkpoint-prefix> -o model.onnx [--fp16] [--variant name]`. */
import type { Command } from 'commander';
import { VARIANTS } from '../../model/resfcn.js';
import { convertCheckpointFile } from '../../node/convertCheckpointFile.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert a TensorFlow checkpoint of PRNet (e.g. the official 256_256_resfcn256_weight) to an ONNX model')
    .argument('<checkpoint-prefix>', 'path without the .index / .data-00000-of-00001 suffix')
    .requiredOption('-o, --output <file>', 'ONNX file to write')
    .option('--fp16', 'store the weights in half precision (half the file size)', false)
    .option('--variant <name>', `network variant (${Object.keys(VARIANTS).join(', ')})`, 'resfcn256')
    .action(async (prefix: string, opts: { output: string; fp16: boolean; variant: string }) => {
      const r = await convertCheckpointFile(prefix, opts.output, { fp16: opts.fp16, variant: opts.variant });
      process.stdout.write(`wrote ${r.output} (${(r.bytes / 1e6).toFixed(1)} MB, ${opts.fp16 ? 'fp16' : 'fp32'} weights, source sha256 ${r.sourceSha256.slice(0, 12)}…) in ${r.seconds.toFixed(1)} s\n`);
    });
}
