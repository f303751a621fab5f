/**
 * `prnet label aflw21|helen-afw68 --data <dir> --teacher <3ddfa onnx> --bfm <3ddfa dir> -o <dir>`:
 * training labels from a 3D face teacher fitted to the human points (docs/teacher-labels.md).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { int, positive } from '../optionParsers.js';
import { labelFaces } from '../../node/train/labels/labelFaces.js';
import { aflw21LabelSource } from '../../node/train/labels/aflw21LabelSource.js';
import { helenAfw68LabelSource, HELEN_JAW_WEIGHT } from '../../node/train/labels/helenAfw68LabelSource.js';
import type { LabelSource } from '../../node/train/labels/labelSource.js';
import { loadUvMorphableModel } from '../../node/train/labels/uvMorphableModelFile.js';
import { TEACHER_FIT_DEFAULTS } from '../../labels/teacherFit/teacherFit.js';
import { TEACHER_LABEL_DEFAULTS } from '../../labels/teacherFit/teacherLabel.js';
import { createProgress } from '../progress.js';

interface LabelCliOptions {
  data: string; teacher: string; bfm: string; output: string; limit?: number; cache: string; uvData?: string;
  jawWeight: number; resample: 'bilinear' | 'antialias'; pointSigma: number; shapePrior: number; expressionPrior: number; rotationSigma: number; maxTeacherGap: number; maxFitError: number; correspondenceFaces: number;
}

export function register(program: Command): void {
  const label = program.command('label').description('make training labels: a 3DDFA_V2 teacher fitted to human-annotated points');
  const f = TEACHER_FIT_DEFAULTS, l = TEACHER_LABEL_DEFAULTS;
  const withOptions = (cmd: Command) => cmd
    .requiredOption('--teacher <onnx>', 'a 3DDFA_V2 ONNX model (e.g. ../shared/3ddfa/mb05_120x120.onnx, mb1_120x120.onnx)')
    .requiredOption('--bfm <dir>', 'the 3DDFA_V2 BFM folder (u_base.npy, w_shp_base.npy, …, paf_w_shp.npy)')
    .requiredOption('-o, --output <dir>', 'label set folder: labels.json, uv-model.bin, pose/coefficients/landmarks68/quality/teacher .npy, rejected.tsv')
    .option('--limit <n>', 'label only the first n faces', int('--limit', 1))
    .option('--point-sigma <f>', 'assumed human point error, fraction of the face size', positive('--point-sigma'), f.pointSigma)
    .option('--shape-prior <f>', 'prior spread of shape coefficients around the teacher, in population spreads', positive('--shape-prior'), f.shapePrior)
    .option('--expression-prior <f>', 'prior spread of expression coefficients around the teacher', positive('--expression-prior'), f.expressionPrior)
    .option('--rotation-sigma <deg>', 'prior spread of the rotation around the teacher, degrees', positive('--rotation-sigma'), f.rotationSigma)
    .option('--max-teacher-gap <f>', 'leave out faces whose teacher and annotation disagree by more (RMS ÷ face size)', positive('--max-teacher-gap'), l.maxTeacherGap)
    .option('--max-fit-error <f>', 'leave out faces whose fit misses the annotation by more (RMS ÷ face size)', positive('--max-fit-error'), l.maxFitError)
    .option('--correspondence-faces <n>', 'faces the point correspondence is learnt from', int('--correspondence-faces', 10), 4000)
    .option('--cache <dir>', 'cache of the UV morphable model', 'runs/cache')
    .option('--uv-data <dir>', 'official uv-data folder (default: the usual lookup)')
    .option('--resample <how>', 'resize of the teacher crop: bilinear (OpenCV, as 3DDFA_V2) or antialias (PIL)', (v: string) => {
      if (v !== 'bilinear' && v !== 'antialias') throw new InvalidArgumentError(`--resample must be bilinear or antialias, got "${v}"`);
      return v;
    }, 'bilinear');
  withOptions(label
    .command('aflw21')
    .description('label the AFLW-21 faces (19,080 crops with 21 human points): teacher, learnt correspondence, fit; resumable')
    .requiredOption('--data <dir>', 'the datasets/aflw21 folder (images/, images.txt, pts21.npy, roi_box.npy)'))
    .action(async (opts: LabelCliOptions) => run(await aflw21LabelSource(opts.data), opts));
  withOptions(label
    .command('helen-afw68')
    .description('label the helen-afw68 faces (1,537 crops with 300-W\'s 68 human points), the jaw line weighted down')
    .requiredOption('--data <dir>', 'the datasets/helen-afw68 folder (images/, images.txt, pts68.npy)')
    .option('--jaw-weight <w>', 'weight of the 17 jaw points, which follow the visible contour in 300-W', positive('--jaw-weight'), HELEN_JAW_WEIGHT))
    .action(async (opts: LabelCliOptions) => {
      const { model } = await loadUvMorphableModel(opts.bfm, { cacheDir: opts.cache, log: (l) => process.stderr.write(`prnet: ${l}\n`) });
      await run(await helenAfw68LabelSource(opts.data, model.landmarkPixels, opts.jawWeight), opts);
    });
}

/** Faces between two progress lines of the fitting pass when stderr is not a terminal. */
const FIT_PROGRESS_EVERY = 1000;

async function run(source: LabelSource, opts: LabelCliOptions): Promise<void> {
  const bar: { progress: ReturnType<typeof createProgress> | null } = { progress: null };
  const t0 = Date.now();
  let skipped = 0;
  const info = await labelFaces(source, {
    teacher: opts.teacher, bfmDir: opts.bfm, outDir: opts.output, cacheDir: opts.cache,
    limit: opts.limit, uvDataDir: opts.uvData,
    correspondenceFaces: opts.correspondenceFaces, resample: opts.resample,
    label: {
      maxTeacherGap: opts.maxTeacherGap, maxFitError: opts.maxFitError,
      fit: { pointSigma: opts.pointSigma, shapePrior: opts.shapePrior, expressionPrior: opts.expressionPrior, rotationSigma: opts.rotationSigma },
    },
    log: (line) => (bar.progress ? bar.progress.log(`prnet: ${line}`) : process.stderr.write(`prnet: ${line}\n`)),
    onSkip: (name, why) => { skipped++; (bar.progress ?? { log: (s: string) => process.stderr.write(`${s}\n`) }).log(`prnet: skipped ${name}: ${why}`); },
    onFace: (done, total) => {
      bar.progress ??= createProgress({ total, stream: process.stderr, verbose: false });
      bar.progress.tick(String(done), 'fitted');
      // Without a terminal there is no bar: a line per thousand faces, as the teacher's pass prints.
      if (!process.stderr.isTTY && (done % FIT_PROGRESS_EVERY === 0 || done === total)) bar.progress.log(`prnet: fitted ${done}/${total} faces`);
    },
  });
  bar.progress?.stop();
  const s = info.summary as { kept: number; rejected: number; medianFitError: number; medianTeacherGap: number };
  process.stdout.write(`labelled ${info.count} faces in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${s.kept} kept, ${s.rejected} left out (${skipped} unreadable; reasons in ${opts.output}/rejected.tsv); median fit error ${(s.medianFitError * 100).toFixed(2)} %, teacher gap ${(s.medianTeacherGap * 100).toFixed(2)} % of the face\n`);
  if (info.count > 0 && s.kept === 0) process.exitCode = 1;
  
}
