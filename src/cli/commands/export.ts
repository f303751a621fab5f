/** `prnet export <run-dir | x.weights.json> -o model.onnx [--best] [--fp16 | --int8 photos…] [--weights] [--note text]`. */
import type { Command } from 'commander';
import { exportTrainedModel } from '../../node/train/exportTrainedModel.js';
import { stat } from 'node:fs/promises';
import { expandInputs } from '../expandInputs.js';
import { usageError } from '../exitCodes.js';

export function register(program: Command): void {
  program
    .command('export')
    .description('write the model of a training run (its checkpoint.bin) as ONNX, at any point of the training')
    .argument('<run-dir>', 'the --out folder of `prnet train`, or a weights pair (x.weights.json beside x.weights.bin, e.g. from training/pytorch)')
    .requiredOption('-o, --output <file>', 'ONNX file to write')
    .option('--fp16', 'half-precision weights', false)
    .option('--int8 <photos...>', 'int8 (QDQ) model calibrated on the faces in these photos, folders or globs')
    .option('--best', 'export the epoch with the best validation score (best.bin) instead of the latest checkpoint', false)
    .option('--no-average', 'export the latest weights even when the run keeps a weight average (--weight-average)')
    .option('--note <text>', 'free text stored in the model and shown when it is used (e.g. its scores)')
    .option('--weights', 'also write <output>.weights.bin/.json (TF names) for `prnet train --init-weights`', false)
    .option('--weights-dtype <type>', 'element type of those weights: float32, float16 (default with --fp16) or int8 (kernels per-channel int8: a warm start 4× smaller than float32)')
    .action(async (runDir: string, opts: { output: string; fp16: boolean; int8?: string[]; weights: boolean; weightsDtype?: string; note?: string; best: boolean; average: boolean }) => {
      if (opts.int8 && opts.fp16) throw usageError('--int8 and --fp16 exclude each other');
      if (opts.weightsDtype !== undefined && !['float32', 'float16', 'int8'].includes(opts.weightsDtype)) throw usageError(`--weights-dtype must be float32, float16 or int8, got ${opts.weightsDtype}`);
      await stat(runDir).catch(() => { throw usageError(`${runDir}: no such file or folder (the --out folder of prnet train, or a .weights.json beside its .weights.bin)`); });
      const int8Calibration = opts.int8 ? (await expandInputs(opts.int8)).filter((e) => !e.error).map((e) => e.file) : undefined;
      const r = await exportTrainedModel(runDir, opts.output, {
        checkpoint: opts.best ? 'best' : 'latest', average: opts.average, fp16: opts.fp16, int8Calibration, weights: opts.weights || opts.weightsDtype !== undefined, weightsDtype: opts.weightsDtype as 'float32' | 'float16' | 'int8' | undefined, note: opts.note,
        onSkip: (file, reason) => process.stderr.write(`prnet: calibration: ${file}: ${reason}\n`),
      });
      process.stdout.write(`wrote ${opts.output} (${r.variant}, step ${r.step}, epoch ${r.epoch}${r.averaged ? ', averaged weights' : ''}, ${(r.bytes / 1e6).toFixed(1)} MB)\n`);
    });
}
