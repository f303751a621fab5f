/**
 * `prnet train --data <aflw21 dir> --out <run dir> [--variant …] [--epochs N] [--batch-size N]
 * [--resume] [--seed N] [--checkpoint-minutes N] [--threads N]`.
 */
import { Option, type Command } from 'commander';
import { int, positive, inRange, nonNegative } from '../optionParsers.js';
import { usageError } from '../exitCodes.js';
import cliProgress from 'cli-progress';
import { trainStepLine, type LoggedStep } from '../trainStepLine.js';
import { VARIANTS } from '../../model/resfcn.js';
import { TRAIN_LOOP_DEFAULTS } from '../../train/loop/trainLoop.js';
import type { StepInfo } from '../../train/loop/trainLoop.js';
import { DEFAULT_TRAIN_VARIANT, trainRun, TRAIN_RUN_FILES } from '../../node/train/trainRun.js';
import type { ConvPrecision } from '../../node/train/trainBackend.js';

interface TrainCliOptions {
  data: string; out?: string; validateOnly: boolean; variant?: string; epochs: number; batchSize: number; resume: boolean; seed: number;
  checkpointMinutes: number; threads: number; convPrecision?: ConvPrecision; learningRate: number; halveEvery: number; weightDecay: number;
  valCount: number; bnDecay: number; weightAverage: number; recalibrateBatches: number; limit?: number; maxSteps?: number; augment: boolean; uvData?: string; cache?: string; initWeights?: string; labels?: string[]; helenValCount: number; helenRepeat?: number; mouthWeight?: number; expressionWeight?: number;
}

export function register(program: Command): void {
  const d = TRAIN_LOOP_DEFAULTS;
  program
    .command('train')
    .description('train ResFCN on AFLW-21 (and helen-afw68) with teacher-fitted labels (--labels), mean-face pseudo-labels, or a `prnet data 300wlp` set: checkpoints, validation metrics, ONNX export')
    .requiredOption('--data <dir>', 'the datasets/aflw21 folder (images/, images.txt, pts21.npy, roi_box.npy), or a position-map dataset from `prnet data 300wlp`')
    .option('--out <dir>', 'run directory: checkpoint.bin, metrics.jsonl, loss.svg/png, weights.bin/json, model.onnx (required unless --validate-only)')
    .option('--variant <name>', `network variant (${Object.keys(VARIANTS).join(', ')}; default ${DEFAULT_TRAIN_VARIANT}, the --init-weights' own, or the resumed run's)`)
    .option('--epochs <n>', 'epochs to train (a resumed run continues up to this count)', int('--epochs', 1), d.epochs)
    .option('--batch-size <n>', 'samples per step', int('--batch-size', 1), d.batchSize)
    .option('--resume', 'continue the run in --out from its checkpoint; options not given again (variant, epochs, rates, decays…) come from the checkpoint, not the defaults below', false)
    .option('--seed <n>', 'seed of initialisation, split, data order and augmentation', int('--seed', 0), d.seed)
    .option('--checkpoint-minutes <m>', 'minutes between periodic checkpoints', positive('--checkpoint-minutes'), d.checkpointMinutes)
    .option('--threads <n>', 'threads of the native kernels (0 = all cores)', int('--threads', 0), 0)
    .addOption(new Option('--conv-precision <p>', 'operands of the native convolutions: fp32, or bf16 with fp32 accumulation on CPUs with AVX512_BF16 (weights stay fp32; default $PRNET_CONV_PRECISION, else fp32)').choices(['fp32', 'bf16']))
    .option('--learning-rate <lr>', 'base Adam learning rate', positive('--learning-rate'), d.learningRate)
    .option('--halve-every <epochs>', 'halve the learning rate every this many epochs (0 = never)', int('--halve-every', 0), d.halveEveryEpochs)
    .option('--weight-decay <lambda>', 'L2 weight decay λ·Σw²/2 on conv weights (0 = off)', inRange('--weight-decay', 0, 1), d.weightDecay)
    .option('--bn-decay <d>', 'batch-norm moving-average decay (0.999 as tcl.batch_norm; 0.99 for short runs)', inRange('--bn-decay', 0, 0.99999), d.batchNormDecay)
    .option('--weight-average <decay>', 'keep a moving average of the weights (e.g. 0.999) and validate, keep and export that; 0 = off', inRange('--weight-average', 0, 0.99999), d.weightAverageDecay)
    .option('--recalibrate-batches <n>', 'with --weight-average: training batches to re-estimate the averaged model\'s batch-norm statistics on before validating it (0 = off)', int('--recalibrate-batches', 0), d.recalibrateBatches)
    .option('--val-count <n>', 'held-out validation images', int('--val-count', 0), 1000)
    .option('--limit <n>', 'use only the first n images of the data set (quick runs)', int('--limit', 2))
    .option('--max-steps <n>', 'stop (with a checkpoint) after this many steps in total', int('--max-steps', 1))
    .option('--no-augment', 'train without augmentation')
    .option('--labels <dirs...>', 'train on teacher-fitted label sets (`prnet label aflw21`, and optionally `prnet label helen-afw68`) instead of the mean-face pseudo-labels (a resumed run keeps its own)')
    .option('--helen-val-count <n>', 'with helen-afw68 labels: held-out helen faces (inner-51 error each epoch)', int('--helen-val-count', 0), 300)
    .option('--helen-repeat <n>', 'with helen-afw68 labels: each helen training face comes n times per epoch, the one set whose mouths come from human points (default 1, or the resumed run\'s)', int('--helen-repeat', 1))
    .option('--mouth-weight <k>', 'factor on the loss weight of the lips: how far the mouth is open is a small part of the paper\'s loss (default 1, the paper\'s mask, or the resumed run\'s)', positive('--mouth-weight'))
    .option('--expression-weight <g>', 'weight of the expression loss: the squared error of differences between neighbouring map pixels in the lips and eyes, from which pose cancels, so it rewards how far they are open (default 0, off, or the resumed run\'s; 20000 is of the order of the lips\' share of the loss at --mouth-weight 32)', nonNegative('--expression-weight'))
    .option('--uv-data <dir>', 'official uv-data folder (default: the usual lookup)')
    .option('--cache <dir>', 'cache of decoded images and pose fits (default runs/cache)')
    .option('--init-weights <weights.bin>', 'start a new run from exported weights (weights.json beside it) instead of a fresh initialisation')
    .option('--validate-only', 'score --init-weights on the validation split with the figures each epoch reports (a JSON line on standard output), train and write nothing', false)
    .action(async (opts: TrainCliOptions, cmd: Command) => {
      if (!opts.out && !opts.validateOnly) throw usageError('required option \'--out <dir>\' not specified (or --validate-only with --init-weights)');
      if (opts.validateOnly && !opts.initWeights) throw usageError('--validate-only: give the weights to score with --init-weights');
      if (opts.validateOnly && opts.resume) throw usageError('--validate-only scores exported weights (--init-weights), not a run to resume');
      const bar = stepProgress();
      // Options left at their defaults are not passed: a resumed run takes its own from the checkpoint.
      const given = <K extends keyof TrainCliOptions>(key: K): TrainCliOptions[K] | undefined => (cmd.getOptionValueSource(key) === 'default' ? undefined : opts[key]);
      const result = await trainRun({
        dataDir: opts.data, outDir: opts.out ?? '', validateOnly: opts.validateOnly, variant: opts.variant, epochs: given('epochs'), batchSize: given('batchSize'),
        resume: opts.resume, seed: given('seed'), checkpointMinutes: given('checkpointMinutes'), threads: opts.threads, convPrecision: opts.convPrecision,
        learningRate: given('learningRate'), halveEveryEpochs: given('halveEvery'), weightDecay: given('weightDecay'),
        valCount: opts.valCount, augment: given('augment'), batchNormDecay: given('bnDecay'), weightAverageDecay: given('weightAverage'), recalibrateBatches: given('recalibrateBatches'),
        limit: opts.limit, maxSteps: opts.maxSteps, uvDataDir: opts.uvData, cacheDir: opts.cache,
        initWeights: opts.initWeights, labels: opts.labels, helenValCount: opts.helenValCount, helenRepeat: opts.helenRepeat, mouthWeight: opts.mouthWeight, expressionWeight: opts.expressionWeight,
        log: (line) => bar.log(line), onStep: (s) => bar.step(s),
      });
      bar.stop();
      if (result.validation) {
        const { loss, nme, metrics } = result.validation;
        process.stdout.write(`${JSON.stringify({ weights: opts.initWeights, valLoss: loss, valNme: nme, ...(metrics ? { valMetrics: metrics } : {}) })}\n`);
        return;
      }
      process.stdout.write(result.stopped
        ? `stopped at step ${result.step} (epoch ${result.epoch + 1}); checkpoint in ${opts.out}/${TRAIN_RUN_FILES.checkpoint}\n`
        : `finished ${result.epoch} epochs (${result.step} steps); model in ${opts.out}/${TRAIN_RUN_FILES.onnx}\n`);
    });
}

/** A progress bar per epoch on a terminal, else a line every 20 steps. */
function stepProgress(): { step: (s: StepInfo) => void; log: (line: string) => void; stop: () => void } {
  const err = process.stderr;
  if (err.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: err, hideCursor: true, clearOnComplete: false,
      format: 'epoch {epoch} [{bar}] {value}/{total} steps | loss {loss} | {sps} samples/s | lr {lr} | epoch ends in {eta_formatted}',
    }, cliProgress.Presets.shades_classic);
    let epoch = -1;
    return {
      step: (s) => {
        const payload = { epoch: s.epoch + 1, loss: s.loss.toExponential(3), sps: s.samplesPerSecond.toFixed(2), lr: s.learningRate.toExponential(1) };
        if (s.epoch !== epoch) { if (epoch >= 0) bar.stop(); bar.start(s.stepsPerEpoch, s.stepInEpoch, payload); epoch = s.epoch; } else bar.update(s.stepInEpoch, payload);
      },
      log: (line) => { if (epoch >= 0) bar.stop(); err.write(`${line}\n`); epoch = -1; },
      stop: () => { if (epoch >= 0) bar.stop(); },
    };
  }
  let last: LoggedStep | undefined;
  return {
    step: (s) => {
      if (!(s.stepInEpoch % 20 === 0 || s.stepInEpoch === s.stepsPerEpoch)) return;
      const time = performance.now();
      err.write(`${trainStepLine(s, time, last)}\n`);
      last = { step: s.step, epoch: s.epoch, time };
    },
    log: (line) => err.write(`${line}\n`),
    stop: () => {},
  };
}
