/**
 * `prnet eval aflw2000 <dir> [--model <onnx> | --baseline mean-face | --baseline teacher-fit] [--report f.json]
 * [--csv f.csv] [--plot f.png|f.svg]`: PRNet's AFLW2000-3D landmark evaluation (68-point
 * NME in 2D and 3D, yaw-balanced NME, pose errors, CED curve).
 *
 * `prnet eval pts <dir>`: any 68-point benchmark in iBUG's `.pts` layout (300-W, HELEN,
 * LFPW, AFW, iBUG, Menpo): NME over 68 and the inner 51 points, failure rate, AUC.
 *
 * Both crop as the benchmark's protocol does (`--crop landmarks`) or through the detector,
 * as `prnet reconstruct` runs (`--crop detector`).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { int, inRange } from '../optionParsers.js';
import { RECONSTRUCT_DEFAULTS } from '../../reconstruct/facePipeline.js';
import sharp from 'sharp';
import { loadUvAssets } from '../../node/inference/uvAssets.js';
import { loadOnnxModel } from '../../node/inference/onnxModel.js';
import { resolveModelSource } from '../../node/inference/prnet.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { ensureOutputFolder } from '../ensureOutputFolder.js';
import { evaluateAflw2000, type Aflw2000Sample, type ImageEvaluation, type LandmarkPredictor } from '../../eval/evaluateAflw2000.js';
import { listAflw2000Samples } from '../../node/files/listAflw2000Samples.js';
import { summarizeEvaluation, type EvaluationSummary } from '../../eval/summarizeEvaluation.js';
import { meanFacePredictor } from '../../eval/meanFaceBaseline.js';
import { modelPredictor, type BenchmarkCrop } from '../../eval/modelPredictor.js';
import { evaluatePts, summarizePts, summarizePtsByFolder, EVALUATE_PTS_DEFAULTS, type PtsEvaluation, type PtsFolderSummary, type PtsSummary } from '../../eval/evaluatePts.js';
import type { ExpressionResponse } from '../../eval/expressionResponse.js';
import { NME_NORMALIZERS, type NmeNormalization } from '../../eval/nmeNormalizers.js';
import { listPtsSamples } from '../../node/files/listPtsSamples.js';
import { loadDetector } from '../../node/inference/detector.js';
import type { FaceDetector } from '../../face/faceDetector.js';
import { evaluationCsv } from '../../eval/evaluationCsv.js';
import { cedCurveSvg, type CedSeries } from '../../eval/cedCurveSvg.js';
import { PRNET_PAPER_RESULTS } from '../../eval/paperResults.js';
import type { PositionMapModel } from '../../model/session.js';
import { tddfaPredictor } from '../../eval/tddfaPredictor.js';
import { teacherFitPredictor } from '../../eval/teacherFitPredictor.js';
import { fitPoints } from '../../labels/teacherFit/fitPoints.js';
import { loadTddfaTeacher } from '../../node/inference/tddfaTeacher.js';
import { loadBfmPieces } from '../../node/train/labels/bfmPieces.js';
import { readLabelSet } from '../../node/train/labels/labelSetFiles.js';
import type { TeacherLabelOptions } from '../../labels/teacherFit/teacherLabel.js';
import { usageErrorsOf } from '../exitCodes.js';

interface PtsOptions extends EvalOptions {
  normalize: NmeNormalization;
  threshold: number;
}

interface EvalOptions {
  model?: string;
  baseline?: string;
  report?: string;
  csv?: string;
  plot?: string;
  batchSize: number;
  threads?: number;
  flipAverage?: boolean;
  mapSmoothing: number;
  refine?: number;
  dataDir?: string;
  limit?: number;
  crop: BenchmarkCrop;
  teacher?: string;
  labels?: string;
  bfm?: string;
}

/** The 3DDFA_V2 BFM folder: --bfm, else $PRNET_BFM; research data the user supplies. */
function bfmDir(opts: EvalOptions, why: string): string {
  const dir = opts.bfm ?? process.env['PRNET_BFM'];
  if (!dir) throw new Error(`${why} needs the 3DDFA_V2 BFM folder: pass --bfm <dir> (e.g. ../shared/3ddfa) or set PRNET_BFM`);
  return dir;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)} %` : 'n/a');
const deg = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}°` : 'n/a');

/** Whether the landmarks follow the face's expression: a method that draws one mouth for every face still scores a fair NME. */
function expressionLine(e: { mouth: ExpressionResponse; eyes: ExpressionResponse }): string {
  const follows = (label: string, x: ExpressionResponse) => Number.isFinite(x.slope)
    ? `${label} slope ${x.slope.toFixed(2)}, r ${x.r.toFixed(2)} (most open tenth: ${pct(x.topPredicted)} against ${pct(x.topAnnotated)} annotated)`
    : `${label} n/a`;
  return `  expressions (1 = followed in full, 0 = one fixed face): ${follows('mouth opening', e.mouth)}; ${follows('eye opening', e.eyes)}`;
}

function table(method: string, s: EvaluationSummary): string {
  const P = PRNET_PAPER_RESULTS;
  const row = (label: string, measured: string, paper: string) => `  ${label.padEnd(30)}${measured.padStart(10)}   ${paper.padStart(8)}`;
  const lines = [
    `AFLW2000-3D: ${s.images} images, ${s.evaluated} evaluated, ${s.failed} failed — ${method}`,
    row('', 'measured', 'paper'),
    row('NME 2D, 68 points', pct(s.nme2d), `${P.nme2d.toFixed(2)} %`),
    row('NME 3D, 68 points', pct(s.nme3d), `${P.nme3d.toFixed(2)} %`),
    row('yaw-balanced NME 2D', pct(s.yawBalancedNme2d), `${P.yawBalancedNme2d.toFixed(2)} %`),
    row('yaw-balanced NME 3D', pct(s.yawBalancedNme3d), ''),
    ...s.yawBins.map((b) => row(`  |yaw| ${b.label} (n=${b.count})`, pct(b.nme2d), '')),
    row('dense 3D NME', 'n/a', `${P.dense3d.toFixed(2)} %`),
    '    (dense needs the full ground-truth meshes, which the AFLW2000-3D .mat files do not hold)',
    row(`pose MAE yaw (n=${s.pose.evaluated})`, deg(s.pose.yaw), ''),
    row('pose MAE pitch', deg(s.pose.pitch), ''),
    row('pose MAE roll', deg(s.pose.roll), ''),
    row('rotation error (geodesic)', deg(s.pose.rotation), ''),
  ];
  if (s.pose.excluded) lines.push(`    (${s.pose.excluded} image(s) left out of pose MAE: a ground-truth angle beyond ±99°)`);
  lines.push(expressionLine(s.expression));
  return lines.join('\n') + '\n';
}

async function run(dir: string, opts: EvalOptions): Promise<void> {
  const { records, seconds, predictor, modelPath, samples } = await runBenchmark(
    () => listSamples(listAflw2000Samples, dir, opts, 'AFLW2000-3D images (.jpg + .mat)'),
    opts, 'aflw2000',
    (samples, predictor, onProgress) => evaluateAflw2000(samples, predictor, { batchSize: opts.batchSize, onProgress }),
  );
  const summary = summarizeEvaluation(records);
  process.stdout.write(table(predictor.name, summary));
  process.stdout.write(timeLine(seconds, samples.length));

  const ok = records.filter((r) => r.status === 'ok');
  await writeEvaluationFiles(opts, () => ({
    dataset: 'AFLW2000-3D',
    dir: path.resolve(dir),
    method: predictor.name,
    model: modelPath,
    protocol: {
      crop: CROP_PROTOCOL[opts.crop],
      nme: 'mean point distance / sqrt(w·h) of the ground-truth 2D box; 3D after removing each set’s mean z',
      yawBins: summary.yawBins.map((b) => b.label),
      pose: 'predicted rotation in the dataset’s Pose_Para convention; ground-truth angles beyond ±99° excluded',
    },
    seconds,
    summary,
    paper: PRNET_PAPER_RESULTS,
    records,
  }), () => evaluationCsv(records), [
    { label: 'NME 2D', errors: ok.map((r) => r.nme2d!) },
    { label: 'NME 3D', errors: ok.map((r) => r.nme3d!) },
  ], `AFLW2000-3D, 68 landmarks — ${predictor.name}`);
  // 0: every image evaluated; 1: some failed (each printed above).
  if (summary.failed > 0 || summary.evaluated === 0) process.exitCode = 1;
}

/** Writes what `--report`, `--csv` and `--plot` ask for (the CED plot as SVG, or PNG rendered by sharp). */
async function writeEvaluationFiles(opts: EvalOptions, report: () => object, csv: () => string, series: CedSeries[], title: string): Promise<void> {
  if (opts.report) await writeFileAtomic(opts.report, JSON.stringify(report(), null, 2) + '\n');
  if (opts.csv) await writeFileAtomic(opts.csv, csv());
  if (opts.plot) {
    const svg = cedCurveSvg(series, { title });
    await writeFileAtomic(opts.plot, /\.svg$/i.test(opts.plot) ? svg : new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer()));
  }
}

const NORMALIZATION_TEXT: Record<NmeNormalization, string> = {
  interocular: 'the inter-ocular distance (outer eye corners, points 36 and 45)',
  interpupil: 'the inter-pupil distance (eye centres, means of 36–41 and 42–47)',
  box: '√(w·h) of the ground-truth box',
};

function ptsTable(method: string, s: PtsSummary, normalize: NmeNormalization, folders: readonly PtsFolderSummary[]): string {
  const t = pct(s.threshold);
  const row = (label: string, all: string, inner: string) => `  ${label.padEnd(30)}${all.padStart(10)}${inner.padStart(12)}`;
  const lines = [
    `68-point benchmark (.pts): ${s.images} images, ${s.evaluated} evaluated, ${s.failed} failed — ${method}`,
    `  NME normalised by ${NORMALIZATION_TEXT[normalize]}`,
    row('', '68 points', 'inner 51'),
    row('NME', pct(s.all.nme), pct(s.inner.nme)),
    row(`failure rate (NME > ${t})`, pct(s.all.failureRate), pct(s.inner.failureRate)),
    row(`AUC up to ${t}`, Number.isFinite(s.all.auc) ? s.all.auc.toFixed(4) : 'n/a', Number.isFinite(s.inner.auc) ? s.inner.auc.toFixed(4) : 'n/a'),
  ];
  // A tree of parts (300-W: afw, helen/testset, ibug, lfpw/testset): each part's NME.
  if (folders.length > 1) lines.push(...folders.map((f) => row(`  ${f.folder} (n=${f.summary.evaluated})`, pct(f.summary.all.nme), pct(f.summary.inner.nme))));
  lines.push('    (300-W annotates the visible jaw contour, which a 3D face\'s jaw points need not follow on a turned head: inner 51 leaves the jaw out)');
  lines.push(expressionLine(s.expression));
  return lines.join('\n') + '\n';
}

function ptsCsv(records: readonly PtsEvaluation[]): string {
  const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : (v * 100).toFixed(4));
  const quote = (x: string) => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);
  return ['name,status,nme_pct,nme_inner_pct,mouth_opening_pct,mouth_opening_annotated_pct,eye_opening_pct,eye_opening_annotated_pct,error', ...records.map((r) => [
    quote(r.name), r.status, num(r.nme), num(r.nmeInner), num(r.mouthOpening?.predicted), num(r.mouthOpening?.annotated), num(r.eyeOpening?.predicted), num(r.eyeOpening?.annotated), quote(r.error ?? ''),
  ].join(','))].join('\n') + '\n';
}

async function runPts(dir: string, opts: PtsOptions): Promise<void> {
  const { records, seconds, predictor, modelPath, samples } = await runBenchmark(
    async () => {
      if (!(opts.normalize in NME_NORMALIZERS)) throw new Error(`--normalize must be one of ${Object.keys(NME_NORMALIZERS).join(', ')}, got ${opts.normalize}`);
      return listSamples(listPtsSamples, dir, opts, '.pts annotation files (iBUG format: NAME.pts beside NAME.jpg or .png)');
    },
    opts, 'pts',
    (samples, predictor, onProgress) => evaluatePts(samples, predictor, { normalization: opts.normalize, batchSize: opts.batchSize, onProgress }),
  );
  const summary = summarizePts(records, opts.threshold);
  const folders = summarizePtsByFolder(records, opts.threshold);
  process.stdout.write(ptsTable(predictor.name, summary, opts.normalize, folders));
  process.stdout.write(timeLine(seconds, samples.length));
  const ok = records.filter((r) => r.status === 'ok');
  await writeEvaluationFiles(opts, () => ({
    dataset: '68-point benchmark (.pts)',
    dir: path.resolve(dir),
    method: predictor.name,
    model: modelPath,
    protocol: {
      crop: CROP_PROTOCOL[opts.crop],
      nme: `mean 2D point distance / ${NORMALIZATION_TEXT[opts.normalize]}; over the 68 points and over the inner 51 (17–67)`,
      normalization: opts.normalize,
      coordinates: '.pts files in 300-W\'s convention (top-left pixel at 1, 1)',
      threshold: opts.threshold,
    },
    seconds,
    summary,
    folders,
    records,
  }), () => ptsCsv(records), [
    { label: 'NME, 68 points', errors: ok.map((r) => r.nme!) },
    { label: 'NME, inner 51', errors: ok.map((r) => r.nmeInner!) },
  ], `${path.basename(path.resolve(dir))}, 68 landmarks — ${predictor.name}`);
  if (summary.failed > 0 || summary.evaluated === 0) process.exitCode = 1;
}

/**
 * The part both benchmarks share: setup (the samples, then the method; its errors are
 * usage errors, exit 2, as they come before the first image), the run with a progress line
 * on a terminal, the runtime freed, one line per image that failed.
 */
async function runBenchmark<S, R extends { name: string; status: string; error?: string }>(
  listing: () => Promise<S[]>,
  opts: EvalOptions,
  benchmark: 'aflw2000' | 'pts',
  evaluate: (samples: S[], predictor: LandmarkPredictor, onProgress: (done: number, total: number) => void) => Promise<R[]>,
): Promise<{ records: R[]; seconds: number; predictor: LandmarkPredictor; modelPath: string | undefined; samples: S[] }> {
  const { samples, predictor, model, modelPath, detector } = await usageErrorsOf(async () => ({ samples: await listing(), ...(await setupPredictor(opts, benchmark)) }));
  // The folders of --report, --csv and --plot, created and checked now, once the method has
  // loaded: not found unwritable after the whole run, and not left behind by a setup error.
  await usageErrorsOf(async () => {
    for (const file of [opts.report, opts.csv, opts.plot]) if (file) await ensureOutputFolder(path.dirname(path.resolve(file)));
  }).catch(async (err: Error) => {
    await model?.dispose();
    detector?.dispose();
    throw err;
  });
  const t0 = performance.now();
  let records: R[];
  try {
    records = await evaluate(samples, predictor, (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rprnet eval: ${done}/${total} images`);
    });
  } finally {
    if (process.stderr.isTTY) process.stderr.write('\n');
    await model?.dispose();
    detector?.dispose();
  }
  for (const r of records) if (r.status === 'failed') process.stderr.write(`prnet eval: ${r.name} failed: ${r.error}\n`);
  return { records, seconds: (performance.now() - t0) / 1000, predictor, modelPath, samples };
}

const timeLine = (seconds: number, images: number): string => `  time: ${seconds.toFixed(1)} s (${((seconds * 1000) / images).toFixed(1)} ms per image)\n`;

/** How each crop mode picks a face, as reports say it. */
const CROP_PROTOCOL: Record<BenchmarkCrop, string> = {
  landmarks: 'bounding box of the ground-truth 68 points (x, y) × 1.6, official PRNet crop transform',
  detector: 'the detector\'s faces, as prnet reconstruct crops them; the face whose landmarks\' centre lies nearest the ground truth\'s (within half its box size) is scored, none there is a failure',
};

/** Checks the shared options and lists a benchmark's samples. */
async function listSamples<S>(list: (dir: string) => Promise<S[]>, dir: string, opts: EvalOptions, what: string): Promise<S[]> {
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw new Error(`--batch-size must be a positive integer, got ${opts.batchSize}`);
  if (opts.plot && !/\.(png|svg)$/i.test(opts.plot)) throw new Error(`--plot must end in .png or .svg, got ${opts.plot}`);
  let samples = await list(path.resolve(dir));
  if (opts.limit !== undefined) samples = samples.slice(0, opts.limit);
  if (samples.length === 0) throw new Error(`no ${what} in ${dir}`);
  return samples;
}

/** Checks the method's options and loads the predictor (and the detector for `--crop detector`). */
async function setupPredictor(opts: EvalOptions, benchmark: 'aflw2000' | 'pts'): Promise<{ predictor: LandmarkPredictor; model: PositionMapModel | undefined; modelPath: string | undefined; detector: FaceDetector | undefined }> {
  if (opts.baseline && benchmark !== 'aflw2000') throw new Error('--baseline applies to prnet eval aflw2000');
  if (opts.baseline && opts.baseline !== 'mean-face' && opts.baseline !== 'teacher-fit') throw new Error(`unknown baseline '${opts.baseline}' (known: mean-face, teacher-fit)`);
  if (opts.baseline === 'teacher-fit' && (!opts.teacher || !opts.labels)) throw new Error('--baseline teacher-fit needs --teacher <3DDFA_V2 onnx> and --labels <label set from prnet label aflw21> (its correspondence and settings)');
  if (opts.baseline && opts.model) throw new Error('give either --model or --baseline, not both');
  if (opts.baseline && opts.flipAverage) throw new Error('--flip-average applies to a model, not to --baseline');
  if (opts.baseline && opts.crop === 'detector') throw new Error('--crop detector applies to a prnet model, not to --baseline');
  const assets = await loadUvAssets({ dataDir: opts.dataDir });
  let predictor!: LandmarkPredictor;
  let model: PositionMapModel | undefined;
  let detector: FaceDetector | undefined;
  // Same default as `prnet reconstruct`: --model, $PRNET_MODEL, the downloaded official model, the shipped one.
  const modelPath = opts.baseline ? undefined : path.resolve(await resolveModelSource(opts.model).catch((err: Error) => {
    throw new Error(`${err.message}${benchmark === 'aflw2000' ? ' (or --baseline mean-face)' : ''}`);
  }) as string);
  if (modelPath) {
    try {
      model = await loadOnnxModel(modelPath, opts.threads === undefined ? {} : { threads: opts.threads });
    } catch (err) {
      // A 3DDFA_V2 model (input [n, 3, 120, 120] → [n, 62]) is evaluated under the same protocol.
      if (!/not a prnet position-map model/.test((err as Error).message)) throw err;
      const teacher = await loadTddfaTeacher(modelPath, opts.threads === undefined ? {} : { threads: opts.threads }).catch(() => { throw err; });
      if (opts.flipAverage) throw new Error('--flip-average applies to prnet models, not to a 3DDFA_V2 model');
      if (opts.crop === 'detector') throw new Error('--crop detector applies to prnet models, not to a 3DDFA_V2 model');
      predictor = tddfaPredictor(teacher, await loadBfmPieces(bfmDir(opts, `the 3DDFA_V2 model ${path.basename(modelPath)}`)), `3DDFA_V2 model ${path.basename(modelPath)}`);
    }
    if (model) {
      if (opts.crop === 'detector') detector = await loadDetector();
      const name = [
        `model ${path.basename(modelPath)}`,
        opts.crop === 'detector' ? 'detector crops' : '',
        opts.flipAverage ? 'flip averaging' : '',
        opts.refine ? `${opts.refine} re-crop pass${opts.refine > 1 ? 'es' : ''}` : '',
        opts.mapSmoothing !== RECONSTRUCT_DEFAULTS.mapSmoothing ? `map smoothing ${opts.mapSmoothing}` : '',
      ].filter(Boolean).join(' + ');
      predictor = modelPredictor(model, assets, name, { refinePasses: opts.refine ?? 0, flipAverage: opts.flipAverage === true, maxBatch: opts.batchSize, mapSmoothing: opts.mapSmoothing, crop: opts.crop, detector });
    }
  } else if (opts.baseline === 'teacher-fit') {
    const labels = await readLabelSet(opts.labels!);
    const pieces = await loadBfmPieces(bfmDir(opts, '--baseline teacher-fit'));
    const pixels = Uint32Array.from(labels.info.correspondence.uv, ([u, v]) => v * labels.model.size + u);
    if (pixels.length !== 21) throw new Error(`${opts.labels}: a ${labels.info.dataset} label set; teacher-fit needs AFLW-21 labels (21 points)`);
    const context = { model: labels.model, points: fitPoints(labels.model, pixels), landmarks: fitPoints(labels.model, labels.model.landmarkPixels), paramMean: pieces.paramMean, paramStd: pieces.paramStd };
    predictor = teacherFitPredictor(await loadTddfaTeacher(opts.teacher!), pieces, context, labels.info.settings as Partial<TeacherLabelOptions>, `${path.basename(opts.teacher!)} fitted to pt2d (labels ${path.basename(opts.labels!)})`);
  } else {
    predictor = meanFacePredictor(assets);
  }
  return { predictor, model, modelPath, detector };
}

/** Registers `prnet eval`. */
/** The options both benchmarks take: the method, its accuracy settings, the outputs. */
function methodOptions(cmd: Command): Command {
  return cmd
    .option('--model <onnx>', 'ONNX model (default: $PRNET_MODEL, else the official model from `prnet weights download`, else the shipped one); a 3DDFA_V2 model runs too (with --bfm)')
    .option('--bfm <dir>', '3DDFA_V2 BFM folder for 3DDFA models and teacher-fit (default $PRNET_BFM)')
    .addOption(new Option('--crop <how>', 'landmarks: the benchmark\'s protocol, the ground truth\'s box × 1.6; detector: the real path, the detector\'s faces as prnet reconstruct crops them (the face at the annotation is scored, none there is a failure)').choices(['landmarks', 'detector']).default('landmarks'))
    .option('--report <file.json>', 'write the full report (summary and per-image results)')
    .option('--csv <file.csv>', 'write per-image results')
    .option('--plot <file.png|file.svg>', 'draw the cumulative error distribution')
    .option('--batch-size <n>', 'images per inference call', (v) => Number(v), 8)
    .option('--refine <passes>', 'after the first crop, re-crop from the predicted landmarks and run again this many times (the refinement pass)', int('--refine', 0))
    .option('--flip-average', 'test-time flip augmentation: also run each mirrored crop and average the two maps (2× network time)')
    .option('--map-smoothing <texels>', `Gaussian blur of each position map, σ in texels (0 = the network's map; the default is prnet reconstruct's)`, inRange('--map-smoothing', 0, 8), RECONSTRUCT_DEFAULTS.mapSmoothing)
    .option('--threads <n>', 'ONNX Runtime threads (0 = one per core)', (v) => Number(v))
    .option('--data-dir <dir>', 'folder with the official uv-data files (default: $PRNET_DATA, else the copy shipped in the package)')
    .option('--limit <n>', 'evaluate only the first n images', (v) => Number(v));
}

/** Registers `prnet eval`. */
export function register(program: Command): void {
  const evalCmd = program.command('eval').description('evaluate a model on a landmark benchmark: AFLW2000-3D (68-point NME in 2D and 3D, pose error) or any 68-point set in iBUG .pts files (300-W, HELEN, LFPW, AFW, iBUG, Menpo)');
  methodOptions(evalCmd
    .command('aflw2000')
    .description('68-point landmark and pose evaluation on AFLW2000-3D (image*.jpg + image*.mat)')
    .argument('<dir>', 'folder with the AFLW2000-3D images and .mat ground truth')
    .option('--baseline <name>', 'evaluate a baseline instead of a model: mean-face, or teacher-fit (the label maker fitted to each image\'s pt2d; needs --teacher, --labels, --bfm)')
    .option('--teacher <onnx>', 'with --baseline teacher-fit: the 3DDFA_V2 teacher')
    .option('--labels <dir>', 'with --baseline teacher-fit: the label set whose correspondence and fit settings to use'))
    .action(async (dir: string, opts: EvalOptions) => run(dir, opts));
  methodOptions(evalCmd
    .command('pts')
    .description('68-point landmark evaluation on images with iBUG .pts annotations (300-W and its parts, Menpo…): NME over 68 and the inner 51 points, failure rate, AUC')
    .argument('<dir>', 'folder searched through its sub-folders for NAME.pts beside NAME.jpg|png (300-W\'s layout; points 1-based as 300-W saves them)')
    .addOption(new Option('--normalize <by>', 'what the error is divided by: interocular (outer eye corners, 300-W\'s), interpupil (eye centres) or box (√(w·h) of the landmark box, AFLW2000-3D\'s)').choices(Object.keys(NME_NORMALIZERS)).default(EVALUATE_PTS_DEFAULTS.normalization))
    .option('--threshold <percent>', 'NME above which an image counts as a failure, and the end of the AUC, in %', inRange('--threshold', 0.1, 100), 8))
    .action(async (dir: string, opts: PtsOptions) => runPts(dir, { ...opts, threshold: opts.threshold / 100 }));
}
