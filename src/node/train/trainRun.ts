/**
 * `prnet train` in Node: loads the AFLW-21 training data, builds the network on the
 * native-kernel tfjs backend, runs {@link trainLoop} and keeps the run directory up to
 * date — `checkpoint.bin` (periodic, per epoch, on SIGINT/SIGTERM; atomic), `best.bin` +
 * `best.json` (the epoch with the best validation score so far), `metrics.jsonl`
 * (one line per epoch), `steps.jsonl` (mean loss every few steps), `loss.svg` + `loss.png`,
 * and at the end `weights.bin` + `weights.json` (TF names) and `model.onnx`.
 */
import { readFile, appendFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { variantSpec } from '../../model/resfcn.js';
import type { NetworkSpec } from '../../model/resfcn.js';
import { convertCheckpoint } from '../../model/convertCheckpoint.js';
import { createTrainableNetwork } from '../../train/engine/network.js';
import type { EpochMetrics, StepInfo, TrainLoopOptions, TrainLoopResult, ValidationResult } from '../../train/loop/trainLoop.js';
import { trainLoop, TRAIN_LOOP_DEFAULTS, validateNetwork } from '../../train/loop/trainLoop.js';
import { decodeTrainCheckpoint, encodeTrainCheckpoint } from '../../train/loop/trainCheckpoint.js';
import type { TrainCheckpoint } from '../../train/loop/trainCheckpoint.js';
import { exportWeights, importWeights } from '../../train/engine/exportWeights.js';
import type { WeightsManifest } from '../../train/engine/exportWeights.js';
import { lossCurveSvg } from '../../train/loop/lossCurve.js';
import { checkpointModelWeights } from '../../train/engine/weightAverage.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { setupTrainBackend, type ConvPrecision } from './trainBackend.js';
import { loadAflw21TrainingData } from './trainingData.js';
import { loadHelenAfw68TrainingData } from './helenTrainingData.js';
import { concatTrainingData } from '../../train/data/concatTrainingData.js';
import { mouthWeightMask } from '../../train/data/mouthWeightMask.js';
import { expressionLossWeights } from '../../train/data/expressionLossWeights.js';
import type { PositionLossWeights } from '../../train/engine/loss.js';
import type { TrainingData } from '../../train/data/trainingData.js';
import { loadPosmapTrainingData, POSMAP_DATASET_INDEX } from './posmapDataset.js';
import { loadUvAssets } from '../inference/uvAssets.js';
import { TRAIN_RUN_FILES } from './trainRunFiles.js';
import { withDefaults } from '../../io/withDefaults.js';
import { makeFolders } from '../files/makeFolders.js';

/** Options of {@link trainRun}. */
export interface TrainRunOptions extends TrainLoopOptions {
  /**
   * Training data: the `datasets/aflw21` folder, or a position-map dataset folder
   * written by `prnet data 300wlp` (recognised by its `index.json`).
   */
  dataDir: string;
  /**
   * Teacher-fitted label sets (`prnet label`): one of AFLW-21 for `dataDir`, and optionally
   * one of helen-afw68 (its data folder is in its `labels.json`), trained on together. A new
   * run records them in its folder (`data.json`), so that `--resume` trains on the same labels.
   */
  labels?: string[];
  /** Held-out helen-afw68 faces (inner-51 error each epoch). */
  helenValCount?: number;
  /**
   * Each helen-afw68 training face comes this many times per epoch (default 1): the one set
   * whose mouths come from human points, 6 % of the faces. Recorded in `data.json` for `--resume`.
   */
  helenRepeat?: number;
  /**
   * Factor on the loss weight of the lips (`mouthWeightMask`; default 1, the paper's mask):
   * how far the mouth is open is a small part of the paper's loss. Recorded in `data.json` for `--resume`.
   */
  mouthWeight?: number;
  /**
   * Weight of the expression loss (`expressionLossWeights`, `neighbourDifferenceLoss`; default
   * 0, off): the squared error of differences between neighbouring map pixels in the lips and
   * eyes, which rewards how far they are open. Recorded in `data.json` for `--resume`.
   */
  expressionWeight?: number;
  /**
   * Start a new run from these weights (`weights.bin` with its `weights.json` beside it,
   * as a run exports them) instead of a fresh initialisation — to carry training over
   * from an earlier run whose full checkpoint is not at hand.
   */
  initWeights?: string;
  /**
   * Only score `initWeights` on the validation split, with the figures each epoch reports,
   * and return them as `validation`: nothing is trained or written, and `outDir` is not used.
   */
  validateOnly?: boolean;
  /** Run directory (created). */
  outDir: string;
  /** Network variant name. */
  variant?: string;
  /** Continue from `outDir/checkpoint.bin`. */
  resume?: boolean;
  /** Native kernel threads (0 = all cores). */
  threads?: number;
  /** Operands of the native convolutions (`setupTrainBackend`'s `convPrecision`). */
  convPrecision?: ConvPrecision;
  /** Official `uv-data` folder (default: the usual lookup of loadUvAssets). */
  uvDataDir?: string;
  /** Cache of decoded images and fits (default `runs/cache`). */
  cacheDir?: string;
  /** Use only the first `limit` images (quick runs). */
  limit?: number;
  /** Held-out validation images. */
  valCount?: number;
  /** Log every this many steps to `steps.jsonl`. */
  logEverySteps?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Per-step progress (the CLI draws a bar). */
  onStep?: (info: StepInfo) => void;
  /** Use this network description instead of `variant` (tests, experiments). */
  spec?: NetworkSpec;
  /** Supply the data instead of loading AFLW-21 (tests). */
  data?: TrainingData & { weightMask?: Float32Array };
}

export const TRAIN_RUN_DEFAULTS = { resume: false, threads: 0, valCount: 1000, logEverySteps: 10 };

/** Outcome of {@link trainRun}: the loop's, or with `validateOnly` the validation alone. */
export interface TrainRunResult extends TrainLoopResult {
  /** With `validateOnly`: the figures of `initWeights`. */
  validation?: ValidationResult;
}

/** The variant of a new run when none is given. */
export const DEFAULT_TRAIN_VARIANT = 'resfcn256';

/** Loop options a resumed run does not take over from its checkpoint (they are per session). */
const PER_SESSION_OPTIONS = new Set(['maxSteps']);

export { TRAIN_RUN_FILES };

/** An epoch's validation score, lower is better: landmark NME where the data has it, else the loss. */
export function validationScore(m: Pick<EpochMetrics, 'valNme' | 'valLoss'>): number {
  return m.valNme ?? m.valLoss ?? Infinity;
}

/**
 * Runs (or resumes) a training run.
 *
 * ```ts
 * await trainRun({ dataDir: '../shared/datasets/aflw21', outDir: 'runs/light', variant: 'resfcn128-light', epochs: 30 });
 * ```
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const o = withDefaults(TRAIN_RUN_DEFAULTS, options);
  const oo = o as unknown as Record<string, unknown>; // by key: the loop's options
  const log = o.log ?? ((l: string) => console.log(l));
  if (o.validateOnly && o.resume) throw new Error('--validate-only scores exported weights (--init-weights), not a run to resume');
  if (o.validateOnly && !o.initWeights) throw new Error('--validate-only: give the weights to score with --init-weights');
  const out = path.resolve(o.outDir ?? '.');
  const file = (name: string) => path.join(out, name);
  if (!o.validateOnly) await makeFolders(out);
  const ckptPath = file(TRAIN_RUN_FILES.checkpoint);
  const hasCheckpoint = !o.validateOnly && await stat(ckptPath).then(() => true, () => false);
  if (!o.resume && hasCheckpoint) throw new Error(`${ckptPath} already exists: pass --resume to continue that run, or choose another --out`);
  if (o.resume && !hasCheckpoint) throw new Error(`--resume: ${ckptPath} does not exist`);
  let resume: TrainCheckpoint | undefined;
  if (o.resume) {
    resume = decodeTrainCheckpoint(new Uint8Array(await readFile(ckptPath)), ckptPath);
  }
  // Weights to start from (or to score) bring their variant.
  let initManifest: WeightsManifest | undefined;
  if (o.initWeights && !resume) {
    const manifestPath = o.initWeights.replace(/\.bin$/, '') + '.json';
    try {
      initManifest = JSON.parse(await readFile(manifestPath, 'utf8')) as WeightsManifest;
    } catch (err) {
      throw new Error(`--init-weights: cannot read ${manifestPath} (${(err as Error).message})`);
    }
  }
  // A resumed run keeps its variant and its options unless the caller sets them.
  const spec = o.spec ?? variantSpec(o.variant ?? resume?.variant ?? initManifest?.variant ?? DEFAULT_TRAIN_VARIANT);
  if (resume) {
    if (resume.variant !== spec.variant) throw new Error(`${ckptPath} is a ${resume.variant} run, not ${spec.variant} (pass --variant ${resume.variant} or leave --variant out)`);
    log(`resuming ${ckptPath}: step ${resume.step}, epoch ${resume.epoch}, ${resume.stepInEpoch} steps into it`);
    const kept: string[] = [];
    for (const k of Object.keys(TRAIN_LOOP_DEFAULTS)) {
      if (oo[k] === undefined && resume.options[k] !== undefined && !PER_SESSION_OPTIONS.has(k)) { oo[k] = resume.options[k]; kept.push(`${k} ${String(resume.options[k])}`); }
    }
    if (kept.length) log(`options of the run (from the checkpoint): ${kept.join(', ')}`);
    if ((o.weightAverageDecay ?? 0) > 0 && !resume.averaged) log(`weight averaging (decay ${o.weightAverageDecay}) starts here, from the checkpoint's weights`);
  }

  // The run's labels: given, or the ones it was started with.
  const dataFile = file('data.json');
  if (resume && (o.labels === undefined || o.helenRepeat === undefined || o.mouthWeight === undefined || o.expressionWeight === undefined)) {
    type Recorded = { labels?: string[]; helenRepeat?: number; mouthWeight?: number; expressionWeight?: number };
    const recorded = await readFile(dataFile, 'utf8').then((t) => JSON.parse(t) as Recorded, () => ({} as Recorded));
    if (o.labels === undefined && recorded.labels?.length) { o.labels = recorded.labels; log(`labels of the run: ${recorded.labels.join(', ')}`); }
    if (o.helenRepeat === undefined && recorded.helenRepeat !== undefined) { o.helenRepeat = recorded.helenRepeat; log(`helen-afw68 faces of the run: ${recorded.helenRepeat}× per epoch`); }
    if (o.mouthWeight === undefined && recorded.mouthWeight !== undefined) { o.mouthWeight = recorded.mouthWeight; log(`loss weight of the lips: ${recorded.mouthWeight}×`); }
    if (o.expressionWeight === undefined && recorded.expressionWeight !== undefined) { o.expressionWeight = recorded.expressionWeight; log(`expression loss weight of the run: ${recorded.expressionWeight}`); }
  }
  if (!resume && !o.validateOnly) {
    await writeFileAtomic(dataFile, `${JSON.stringify({
      dataDir: o.dataDir,
      ...(o.labels?.length ? { labels: o.labels.map((l) => path.resolve(l)) } : {}),
      ...(o.helenRepeat !== undefined && o.helenRepeat !== 1 ? { helenRepeat: o.helenRepeat } : {}),
      ...(o.mouthWeight !== undefined && o.mouthWeight !== 1 ? { mouthWeight: o.mouthWeight } : {}),
      ...(o.expressionWeight ? { expressionWeight: o.expressionWeight } : {}),
    }, null, 1)}\n`);
  }
  // Which label set is which: AFLW-21 goes with --data, helen-afw68 brings its own folder.
  const labelKinds = await Promise.all((o.labels ?? []).map(async (dir) => {
    const info = await readFile(path.join(dir, 'labels.json'), 'utf8').then((t) => JSON.parse(t) as { dataset?: string }, (err: Error) => { throw new Error(`--labels ${dir}: ${err.message}`); });
    if (info.dataset !== 'aflw21' && info.dataset !== 'helen-afw68') throw new Error(`--labels ${dir}: unknown data set ${String(info.dataset)}`);
    return { dir, dataset: info.dataset };
  }));
  const aflwLabels = labelKinds.filter((l) => l.dataset === 'aflw21'), helenLabels = labelKinds.filter((l) => l.dataset === 'helen-afw68');
  if (aflwLabels.length > 1 || helenLabels.length > 1) throw new Error('--labels: give at most one label set per data set');
  if ((o.helenRepeat ?? 1) !== 1 && !helenLabels.length) throw new Error('--helen-repeat: no helen-afw68 label set among --labels to repeat');

  // The UV assets, read once when first needed (loss weights, helen's targets, the lips' region).
  let assetsLoading: ReturnType<typeof loadUvAssets> | undefined;
  const uvAssets = (): ReturnType<typeof loadUvAssets> => (assetsLoading ??= loadUvAssets({ dataDir: o.uvDataDir }));

  const backend = await setupTrainBackend({ threads: o.threads, convPrecision: o.convPrecision, warn: (m) => log(m) });
  log(`backend ${backend.backend}: ${backend.native ? `native conv kernels (${backend.threads} threads, ${backend.simdWidth}-wide SIMD, ${backend.convPrecision} operands)` : 'pure-JS kernels'}`);
  const isPosmapDataset = await stat(path.join(o.dataDir, POSMAP_DATASET_INDEX)).then(() => true, () => false);
  const data = o.data ?? (isPosmapDataset ? await loadPosmapTrainingData({
    dir: o.dataDir, inputSize: spec.inputSize, valCount: o.valCount, seed: o.seed ?? TRAIN_LOOP_DEFAULTS.seed,
    // PRNet's UV layout: the official loss weights (16/4/3/0).
    weightMask: (await uvAssets()).weightMask,
  }) : await loadAflw21TrainingData({
    dataDir: o.dataDir, uvDataDir: o.uvDataDir, inputSize: spec.inputSize, valCount: o.valCount, seed: o.seed ?? TRAIN_LOOP_DEFAULTS.seed,
    cacheDir: o.cacheDir, limit: o.limit, labels: aflwLabels[0]?.dir, log,
  }));
  let trainData: TrainingData & { weightMask?: Float32Array } = data;
  if (helenLabels[0] && !o.data) {
    const helen = await loadHelenAfw68TrainingData({
      labels: helenLabels[0].dir, assets: await uvAssets(), inputSize: spec.inputSize,
      valCount: o.helenValCount ?? 300, seed: o.seed ?? TRAIN_LOOP_DEFAULTS.seed, cacheDir: o.cacheDir ?? path.resolve('runs/cache'), log,
    });
    trainData = { ...concatTrainingData([{ name: 'aflw21', data }, { name: 'helen', data: helen, repeat: o.helenRepeat ?? 1 }]), weightMask: data.weightMask };
    // Validate every held-out face of both sets.
    o.valLimit ??= trainData.valCount;
  }
  if (!trainData.weightMask) throw new Error('training data provides no loss weight mask');
  let pixelWeights = trainData.weightMask;
  if ((o.mouthWeight ?? 1) !== 1) {
    pixelWeights = mouthWeightMask(pixelWeights, (await uvAssets()).keypointIndices, { factor: o.mouthWeight });
    log(`loss weight of the lips: ${o.mouthWeight}× the paper's`);
  }
  const lossWeights: PositionLossWeights = { pixels: pixelWeights };
  if (o.expressionWeight) {
    lossWeights.neighbours = expressionLossWeights((await uvAssets()).keypointIndices, { side: spec.inputSize, weight: o.expressionWeight });
    log(`expression loss (differences of neighbouring pixels in the lips and eyes): weight ${o.expressionWeight}`);
  }
  log(`data: ${trainData.trainCount} training, ${trainData.valCount} validation samples of ${trainData.inputSize}×${trainData.inputSize}`);

  const net = createTrainableNetwork(spec, { seed: o.seed ?? TRAIN_LOOP_DEFAULTS.seed });
  if (o.initWeights && initManifest) {
    const manifest = initManifest;
    if (manifest.variant !== spec.variant) throw new Error(`--init-weights: ${o.initWeights} holds ${manifest.variant} weights, not ${spec.variant}`);
    net.loadWeights(importWeights(manifest, new Uint8Array(await readFile(o.initWeights))));
    log(`initialised from ${o.initWeights}`);
  }
  if (o.validateOnly) {
    try {
      const validation = await validateNetwork(net, trainData, lossWeights, { valLimit: o.valLimit, valBatchSize: o.valBatchSize });
      log(`validation of ${o.initWeights} on ${Math.min(o.valLimit ?? TRAIN_LOOP_DEFAULTS.valLimit, trainData.valCount)} held-out faces: val loss ${validation.loss?.toExponential(3) ?? '–'}, val NME ${validation.nme?.toFixed(4) ?? '–'}${metricsText(validation.metrics)}`);
      return { stopped: false, step: 0, epoch: 0, metrics: [], validation };
    } finally {
      net.dispose();
    }
  }
  let stop = false;
  const onSignal = (sig: string) => {
    if (stop) { log(`${sig} again: exiting without a new checkpoint`); process.exit(130); }
    log(`${sig}: finishing the current step and writing a checkpoint… (again to abort)`);
    stop = true;
  };
  const sigint = () => onSignal('SIGINT'), sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  // The loss history for the curve: from earlier sessions of this run, then this one.
  const steps: Array<[number, number]> = await readJsonl<{ step: number; loss: number }>(file(TRAIN_RUN_FILES.steps)).then((l) => l.map((r) => [r.step, r.loss]));
  const epochs: EpochMetrics[] = await readJsonl<EpochMetrics>(file(TRAIN_RUN_FILES.metrics));
  if (resume) {
    // Rows logged after the checkpoint will be trained again: drop them.
    const keepSteps = steps.filter(([st]) => st <= resume!.step);
    const keepEpochs = epochs.filter((e) => e.epoch < resume!.epoch);
    if (keepSteps.length !== steps.length || keepEpochs.length !== epochs.length) {
      steps.splice(0, steps.length, ...keepSteps);
      epochs.splice(0, epochs.length, ...keepEpochs);
      const stepRows = (await readJsonl<{ step: number }>(file(TRAIN_RUN_FILES.steps))).filter((r) => r.step <= resume!.step);
      await writeFileAtomic(file(TRAIN_RUN_FILES.steps), stepRows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await writeFileAtomic(file(TRAIN_RUN_FILES.metrics), epochs.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
  }
  // The best epoch whose checkpoint is on disk (best.bin), and whether this epoch beat it.
  let best = await readFile(file(TRAIN_RUN_FILES.bestMetrics), 'utf8').then((t) => JSON.parse(t) as EpochMetrics, () => null);
  let newBest: EpochMetrics | null = null;
  let window = 0, windowN = 0;
  let stepRowsWritten: Promise<void> = Promise.resolve();
  const writeCurve = async () => {
    const svg = lossCurveSvg(steps, epochs.filter((e) => e.valLoss !== null).map((e) => [e.step, e.valLoss!]), {
      title: `prnet ${spec.variant} training`, nme: epochs.filter((e) => e.valNme !== null).map((e) => [e.step, e.valNme!]),
    });
    await writeFileAtomic(file(TRAIN_RUN_FILES.curveSvg), svg);
    await writeFileAtomic(file(TRAIN_RUN_FILES.curvePng), new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer()));
  };
  try {
    // Only the loop's own options go to the loop (and into the checkpoint header).
    const loopOptions = Object.fromEntries(Object.keys(TRAIN_LOOP_DEFAULTS).filter((k) => oo[k] !== undefined)
      .map((k) => [k, oo[k]])) as TrainLoopOptions;
    const result = await trainLoop(net, trainData, lossWeights, loopOptions, {
      onStep: (s) => {
        o.onStep?.(s);
        window += s.loss; windowN++;
        if (windowN >= o.logEverySteps) {
          const row = { step: s.step, epoch: s.epoch, loss: window / windowN, lr: s.learningRate, samplesPerSecond: s.samplesPerSecond };
          steps.push([s.step, row.loss]);
          // Chained, so that rows land in step order (concurrent appends may reorder).
          stepRowsWritten = stepRowsWritten.then(() => appendFile(file(TRAIN_RUN_FILES.steps), `${JSON.stringify(row)}\n`));
          window = 0; windowN = 0;
        }
      },
      onEpoch: async (m) => {
        epochs.push(m);
        await appendFile(file(TRAIN_RUN_FILES.metrics), `${JSON.stringify(m)}\n`);
        log(`epoch ${m.epoch + 1}: train loss ${m.trainLoss.toExponential(3)}, val loss ${m.valLoss?.toExponential(3) ?? '–'}, val NME ${m.valNme?.toFixed(4) ?? '–'}${m.latestValNme !== undefined || m.latestValLoss !== undefined ? ` (averaged weights; latest: val loss ${m.latestValLoss?.toExponential(3) ?? '–'}, val NME ${m.latestValNme?.toFixed(4) ?? '–'})` : ''}${metricsText(m.valMetrics)}, ${m.samplesPerSecond.toFixed(2)} samples/s`);
        if (Number.isFinite(validationScore(m)) && (!best || validationScore(m) < validationScore(best))) newBest = m;
        await writeCurve();
      },
      saveCheckpoint: async (c, reason) => {
        await stepRowsWritten;
        const bytes = encodeTrainCheckpoint(c);
        await writeFileAtomic(ckptPath, bytes);
        if (newBest && (reason === 'epoch' || reason === 'end')) {
          // The checkpoint first, then its metrics: best.json never names a checkpoint not yet written.
          await writeFileAtomic(file(TRAIN_RUN_FILES.best), bytes);
          await writeFileAtomic(file(TRAIN_RUN_FILES.bestMetrics), `${JSON.stringify(newBest)}\n`);
          log(`best so far (validation ${validationScore(newBest).toFixed(4)}, epoch ${newBest.epoch + 1}): ${file(TRAIN_RUN_FILES.best)}`);
          best = newBest;
          newBest = null;
        }
        if (reason === 'stop' || reason === 'end') log(`checkpoint written: ${ckptPath} (step ${c.step})`);
        if (reason === 'end') await exportRun(spec, checkpointModelWeights(c), out);
      },
      shouldStop: () => stop,
    }, resume);
    await stepRowsWritten;
    await writeCurve();
    if (result.stopped && stop) log(`stopped; continue with: prnet train --resume --out ${o.outDir} --data ${o.dataDir} (the run's options come from its checkpoint)`);
    return result;
  } finally {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    net.dispose();
  }
}

/** The data's further validation figures as a log would show them (`; aflw21.human 5.35 %, …`). */
function metricsText(metrics: Record<string, number> | undefined): string {
  return metrics ? `; ${Object.entries(metrics).map(([k, v]) => `${k} ${(v * 100).toFixed(2)} %`).join(', ')}` : '';
}

/** Writes weights.bin + weights.json and model.onnx of the final (averaged, when kept) weights. */
async function exportRun(spec: NetworkSpec, weights: Map<string, Float32Array>, out: string): Promise<void> {
  const { manifest, data } = exportWeights(spec, weights);
  await writeFileAtomic(path.join(out, TRAIN_RUN_FILES.weights), data);
  await writeFileAtomic(path.join(out, TRAIN_RUN_FILES.manifest), `${JSON.stringify(manifest, null, 1)}\n`);
  await writeFileAtomic(path.join(out, TRAIN_RUN_FILES.onnx), convertCheckpoint(spec, weights, { source: `prnet train (${spec.variant})` }));
}

async function readJsonl<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}
