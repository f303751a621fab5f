/** `prnet convert <checkpoint-prefix> -o model.onnx [--fp16] [--variant name]`. */
import type { Command } from 'commander';
import { VARIANTS } from '../../model/resfcn.js';
import { convertCheckpointFile } from '../../node/weights/convertCheckpointFile.js';
import { stat } from 'node:fs/promises';
import { expandInputs } from '../expandInputs.js';
import { usageError } from '../exitCodes.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert a TensorFlow checkpoint of PRNet (e.g. the official 256_256_resfcn256_weight) to an ONNX model')
    .argument('<checkpoint-prefix>', 'path without the .index / .data-00000-of-00001 suffix')
    .requiredOption('-o, --output <file>', 'ONNX file to write')
    .option('--fp16', 'store the weights in half precision (half the file size)', false)
    .option('--int8 <photos...>', 'write an int8 (QDQ) model, calibrated on the faces in these photos, folders or globs')
    .option('--variant <name>', `network variant (${Object.keys(VARIANTS).join(', ')})`, 'resfcn256')
    .action(async (prefix: string, opts: { output: string; fp16: boolean; variant: string; int8?: string[] }) => {
      if (opts.int8 && opts.fp16) throw usageError('--int8 and --fp16 exclude each other');
      await stat(`${prefix}.index`).catch(() => { throw usageError(`checkpoint index not found: ${prefix}.index (give the path without the .index / .data-00000-of-00001 suffix)`); });
      let int8Calibration: string[] | undefined;
      if (opts.int8) {
        const entries = await expandInputs(opts.int8);
        int8Calibration = entries.filter((e) => !e.error).map((e) => e.file);
        if (!int8Calibration.length) throw usageError(`--int8: no images found in ${opts.int8.join(' ')}`);
      }
      const r = await convertCheckpointFile(prefix, opts.output, {
        fp16: opts.fp16, variant: opts.variant, int8Calibration,
        onSkip: (file, reason) => process.stderr.write(`prnet: calibration: ${file}: ${reason}\n`),
      });
      const kind = opts.int8 ? 'int8' : opts.fp16 ? 'fp16' : 'fp32';
      process.stdout.write(`wrote ${r.output} (${(r.bytes / 1e6).toFixed(1)} MB, ${kind} weights, source sha256 ${r.sourceSha256.slice(0, 12)}…) in ${r.seconds.toFixed(1)} s\n`);
    });
}
