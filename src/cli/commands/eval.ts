/**
 * `prnet eval aflw2000 <dir> [--model <onnx> | --baseline mean-face | --baseline teacher-fit] [--report f.json]
 * [--csv f.csv] [--plot f.png|f.svg]`: PRNet's AFLW2000-3D landmark evaluation (68-point
 * NME in 2D and 3D, yaw-balanced NME, pose errors, CED curve).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { int, inRange } from '../optionParsers.js';
import { RECONSTRUCT_DEFAULTS } from '../../reconstruct/facePipeline.js';
import sharp from 'sharp';
import { loadUvAssets } from '../../node/inference/uvAssets.js';
import { loadOnnxModel } from '../../node/inference/onnxModel.js';
import { resolveModelSource } from '../../node/inference/prnet.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { evaluateAflw2000, type Aflw2000Sample, type ImageEvaluation, type LandmarkPredictor } from '../../eval/evaluateAflw2000.js';
import { listAflw2000Samples } from '../../node/files/listAflw2000Samples.js';
import { summarizeEvaluation, type EvaluationSummary } from '../../eval/summarizeEvaluation.js';
import { meanFacePredictor } from '../../eval/meanFaceBaseline.js';
import { modelPredictor } from '../../eval/modelPredictor.js';
import { evaluationCsv } from '../../eval/evaluationCsv.js';
import { cedCurveSvg } from '../../eval/cedCurveSvg.js';
import { PRNET_PAPER_RESULTS } from '../../eval/paperResults.js';
import type { PositionMapModel } from '../../model/session.js';
import { tddfaPredictor } from '../../eval/tddfaPredictor.js';
import { teacherFitPredictor } from '../../eval/teacherFitPredictor.js';
import { fitPoints } from '../../labels/teacherFit/fitPoints.js';
import { loadTddfaTeacher } from '../../node/inference/tddfaTeacher.js';
import { loadBfmPieces } from '../../node/train/labels/bfmPieces.js';
import { readLabelSet } from '../../node/train/labels/labelSetFiles.js';
import type { TeacherLabelOptions } from '../../labels/teacherFit/teacherLabel.js';

/** Exit status of usage and setup errors (every command: 0 all done, 1 some input failed, 2 usage error). */
const EXIT_USAGE = 2;

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
  return lines.join('\n') + '\n';
}

async function run(dir: string, opts: EvalOptions): Promise<void> {
  // Everything before the first image is setup: its errors are usage errors (exit 2).
  const { samples, predictor, model, modelPath } = await setup(dir, opts).catch((err: Error) => {
    process.exitCode = EXIT_USAGE;
    throw err;
  });
  const t0 = performance.now();
  let records: ImageEvaluation[];
  try {
    records = await evaluateAflw2000(samples, predictor, {
      batchSize: opts.batchSize,
      onProgress: (done, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\rprnet eval: ${done}/${total} images`);
      },
    });
  } finally {
    if (process.stderr.isTTY) process.stderr.write('\n');
    await model?.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const r of records) if (r.status === 'failed') process.stderr.write(`prnet eval: ${r.name} failed: ${r.error}\n`);
  const summary = summarizeEvaluation(records);
  process.stdout.write(table(predictor.name, summary));
  process.stdout.write(`  time: ${seconds.toFixed(1)} s (${((seconds * 1000) / samples.length).toFixed(1)} ms per image)\n`);

  if (opts.report) {
    const report = {
      dataset: 'AFLW2000-3D',
      dir: path.resolve(dir),
      method: predictor.name,
      model: modelPath,
      protocol: {
        crop: 'bounding box of ground-truth pt3d_68 (x, y) × 1.6, official PRNet crop transform',
        nme: 'mean point distance / sqrt(w·h) of the ground-truth 2D box; 3D after removing each set’s mean z',
        yawBins: summary.yawBins.map((b) => b.label),
        pose: 'predicted rotation in the dataset’s Pose_Para convention; ground-truth angles beyond ±99° excluded',
      },
      seconds,
      summary,
      paper: PRNET_PAPER_RESULTS,
      records,
    };
    await writeFileAtomic(opts.report, JSON.stringify(report, null, 2) + '\n');
  }
  if (opts.csv) await writeFileAtomic(opts.csv, evaluationCsv(records));
  if (opts.plot) {
    const ok = records.filter((r) => r.status === 'ok');
    const svg = cedCurveSvg(
      [
        { label: 'NME 2D', errors: ok.map((r) => r.nme2d!) },
        { label: 'NME 3D', errors: ok.map((r) => r.nme3d!) },
      ],
      { title: `AFLW2000-3D, 68 landmarks — ${predictor.name}` },
    );
    const bytes = /\.svg$/i.test(opts.plot) ? svg : new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
    await writeFileAtomic(opts.plot, bytes);
  }
  // 0: every image evaluated; 1: some failed (each printed above).
  if (summary.failed > 0 || summary.evaluated === 0) process.exitCode = 1;
}

/** Checks the options and loads the images list and the predictor. */
async function setup(dir: string, opts: EvalOptions): Promise<{ samples: Aflw2000Sample[]; predictor: LandmarkPredictor; model: PositionMapModel | undefined; modelPath: string | undefined }> {
  if (opts.baseline && opts.baseline !== 'mean-face' && opts.baseline !== 'teacher-fit') throw new Error(`unknown baseline '${opts.baseline}' (known: mean-face, teacher-fit)`);
  if (opts.baseline === 'teacher-fit' && (!opts.teacher || !opts.labels)) throw new Error('--baseline teacher-fit needs --teacher <3DDFA_V2 onnx> and --labels <label set from prnet label aflw21> (its correspondence and settings)');
  if (opts.baseline && opts.model) throw new Error('give either --model or --baseline, not both');
  if (opts.baseline && opts.flipAverage) throw new Error('--flip-average applies to a model, not to --baseline');
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw new Error(`--batch-size must be a positive integer, got ${opts.batchSize}`);
  if (opts.plot && !/\.(png|svg)$/i.test(opts.plot)) throw new Error(`--plot must end in .png or .svg, got ${opts.plot}`);
  let samples = await listAflw2000Samples(path.resolve(dir));
  if (opts.limit !== undefined) samples = samples.slice(0, opts.limit);
  if (samples.length === 0) throw new Error(`no AFLW2000-3D images (.jpg + .mat) in ${dir}`);
  const assets = await loadUvAssets({ dataDir: opts.dataDir });
  let predictor!: LandmarkPredictor;
  let model: PositionMapModel | undefined;
  // Same default as `prnet reconstruct`: --model, $PRNET_MODEL, the downloaded official model, the shipped one.
  const modelPath = opts.baseline ? undefined : path.resolve(await resolveModelSource(opts.model).catch((err: Error) => {
    throw new Error(`${err.message} (or --baseline mean-face)`);
  }) as string);
  if (modelPath) {
    try {
      model = await loadOnnxModel(modelPath, opts.threads === undefined ? {} : { threads: opts.threads });
    } catch (err) {
      // A 3DDFA_V2 model (input [n, 3, 120, 120] → [n, 62]) is evaluated under the same protocol.
      if (!/not a prnet position-map model/.test((err as Error).message)) throw err;
      const teacher = await loadTddfaTeacher(modelPath, opts.threads === undefined ? {} : { threads: opts.threads }).catch(() => { throw err; });
      if (opts.flipAverage) throw new Error('--flip-average applies to prnet models, not to a 3DDFA_V2 model');
      predictor = tddfaPredictor(teacher, await loadBfmPieces(bfmDir(opts, `the 3DDFA_V2 model ${path.basename(modelPath)}`)), `3DDFA_V2 model ${path.basename(modelPath)}`);
    }
    if (model) {
      predictor = modelPredictor(model, assets, `model ${path.basename(modelPath)}${opts.flipAverage ? ' + flip averaging' : ''}${opts.refine ? ` + ${opts.refine} re-crop pass${opts.refine > 1 ? 'es' : ''}` : ''}${opts.mapSmoothing !== RECONSTRUCT_DEFAULTS.mapSmoothing ? ` + map smoothing ${opts.mapSmoothing}` : ''}`, { refinePasses: opts.refine ?? 0, flipAverage: opts.flipAverage === true, maxBatch: opts.batchSize, mapSmoothing: opts.mapSmoothing });
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
  return { samples, predictor, model, modelPath };
}

/** Registers `prnet eval`. */
export function register(program: Command): void {
  const evalCmd = program.command('eval').description('evaluate a model on a benchmark (AFLW2000-3D: 68-point NME in 2D and 3D, pose error)');
  evalCmd
    .command('aflw2000')
    .description('68-point landmark and pose evaluation on AFLW2000-3D (image*.jpg + image*.mat)')
    .argument('<dir>', 'folder with the AFLW2000-3D images and .mat ground truth')
    .option('--model <onnx>', 'ONNX model (default: $PRNET_MODEL, else the official model from `prnet weights download`, else the shipped one)')
    .option('--baseline <name>', 'evaluate a baseline instead of a model: mean-face, or teacher-fit (the label maker fitted to each image\'s pt2d; needs --teacher, --labels, --bfm)')
    .option('--teacher <onnx>', 'with --baseline teacher-fit: the 3DDFA_V2 teacher')
    .option('--labels <dir>', 'with --baseline teacher-fit: the label set whose correspondence and fit settings to use')
    .option('--bfm <dir>', '3DDFA_V2 BFM folder for 3DDFA models and teacher-fit (default $PRNET_BFM)')
    .option('--report <file.json>', 'write the full report (summary and per-image results)')
    .option('--csv <file.csv>', 'write per-image results')
    .option('--plot <file.png|file.svg>', 'draw the cumulative error distribution')
    .option('--batch-size <n>', 'images per inference call', (v) => Number(v), 8)
    .option('--refine <passes>', 'after the ground-truth crop, re-crop from the predicted landmarks and run again this many times (the refinement pass, measured under the benchmark crop)', int('--refine', 0))
    .option('--flip-average', 'test-time flip augmentation: also run each mirrored crop and average the two maps (2× network time)')
    .option('--map-smoothing <texels>', `Gaussian blur of each position map, σ in texels (0 = the network's map; default ${RECONSTRUCT_DEFAULTS.mapSmoothing}, as prnet reconstruct)`, inRange('--map-smoothing', 0, 8), RECONSTRUCT_DEFAULTS.mapSmoothing)
    .option('--threads <n>', 'ONNX Runtime threads (0 = one per core)', (v) => Number(v))
    .option('--data-dir <dir>', 'folder with the official uv-data files (default: $PRNET_DATA or the prnet cache)')
    .option('--limit <n>', 'evaluate only the first n images', (v) => Number(v))
    .action(async (dir: string, opts: EvalOptions) => run(dir, opts));
}
