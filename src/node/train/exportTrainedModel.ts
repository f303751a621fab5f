/**
 * Turns a training run's checkpoint into a model file: float32, float16 or int8 ONNX
 * (plus the TF-named weights, for warm starts), at any point of the training.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { resfcnSpec, type NetworkSpec } from '../../model/resfcn.js';
import { convertCheckpoint } from '../../model/convertCheckpoint.js';
import { MODEL_METADATA } from '../../model/modelMetadata.js';
import { decodeTrainCheckpoint } from '../../train/loop/trainCheckpoint.js';
import { exportWeights, importWeights, type WeightsManifest } from '../../train/engine/exportWeights.js';
import { checkpointModelWeights } from '../../train/engine/weightAverage.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { TRAIN_RUN_FILES } from './trainRunFiles.js';
import { calibrationCrops } from '../weights/calibrationCrops.js';
import { quantizeModel } from '../weights/quantizeModel.js';
import { makeFolders } from '../files/makeFolders.js';

export interface ExportTrainedModelOptions {
  /** Which checkpoint of the run: the latest (`checkpoint.bin`) or the best validated epoch (`best.bin`). */
  checkpoint?: 'latest' | 'best';
  /** Export the run's averaged weights when it keeps them (default true); false = the latest weights. */
  average?: boolean;
  /** Half-precision weights. */
  fp16?: boolean;
  /** Int8 (QDQ) model calibrated on the faces of these photos. */
  int8Calibration?: readonly string[];
  /** Also write `<output without .onnx>.weights.bin` + `.weights.json` (TF names; float16 with `fp16`). */
  weights?: boolean;
  /** Element type of those weights (default: float16 with `fp16`, else float32); int8 makes a warm start small enough for git. */
  weightsDtype?: 'float32' | 'float16' | 'int8';
  /** Free text stored as `prnet.note` and shown when the model is used (e.g. its scores). */
  note?: string;
  /** Told about calibration photos that could not be used. */
  onSkip?: (file: string, reason: string) => void;
}

export interface ExportTrainedModelResult {
  variant: string; step: number; epoch: number; bytes: number;
  /** Whether the model holds the run's averaged weights. */
  averaged: boolean;
}

/**
 * Exports `<runDir>/checkpoint.bin` (or `best.bin`) to `output`.
 *
 * ```ts
 * await exportTrainedModel('runs/light', 'models/default.onnx', { fp16: true });
 * ```
 */
export async function exportTrainedModel(runDir: string, output: string, options: ExportTrainedModelOptions = {}): Promise<ExportTrainedModelResult> {
  const { spec, weights, step, epoch, averaged, source } = /\.weights\.(json|bin)$/.test(runDir)
    ? await readWeightsPair(runDir)
    : await readRunCheckpoint(runDir, options);
  let onnx: Uint8Array;
  const metadata: Record<string, string> = options.note ? { [MODEL_METADATA.note]: options.note } : {};
  if (options.int8Calibration) {
    const crops = await calibrationCrops(options.int8Calibration, spec.inputSize, { onSkip: options.onSkip });
    if (!crops.length) throw new Error('int8 calibration: none of the given photos yielded a face crop');
    onnx = await quantizeModel(spec, weights, crops, { source: `${source}, int8 calibrated on ${crops.length} face crops`, metadata });
  } else {
    onnx = convertCheckpoint(spec, weights, { fp16: options.fp16, source, metadata });
  }
  await makeFolders(path.dirname(path.resolve(output)));
  await writeFileAtomic(output, onnx);
  if (options.weights) {
    const { manifest, data } = exportWeights(spec, weights, { dtype: options.weightsDtype ?? (options.fp16 ? 'float16' : 'float32') });
    const base = output.replace(/\.onnx$/, '');
    await writeFileAtomic(`${base}.weights.bin`, data);
    await writeFileAtomic(`${base}.weights.json`, `${JSON.stringify(manifest, null, 1)}\n`);
  }
  return { variant: spec.variant, step, epoch, bytes: onnx.length, averaged };
}

interface TrainedWeights {
  spec: NetworkSpec; weights: Map<string, Float32Array>; step: number; epoch: number; averaged: boolean; source: string;
}

/** `<run>/checkpoint.bin` or `best.bin`, averaged weights where the run keeps them. */
async function readRunCheckpoint(runDir: string, options: ExportTrainedModelOptions): Promise<TrainedWeights> {
  const best = options.checkpoint === 'best';
  const file = path.join(runDir, best ? TRAIN_RUN_FILES.best : TRAIN_RUN_FILES.checkpoint);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = best && code === 'ENOENT' ? 'no best checkpoint yet: it is written at the end of an epoch whose validation score beats the earlier ones'
      : code === 'ENOENT' || code === 'ENOTDIR' ? `${code}: ${runDir} is not the --out folder of prnet train, nor a .weights.json beside its .weights.bin`
      : code ?? (err as Error).message;
    throw new Error(`${file}: cannot read the training checkpoint (${why})`);
  }
  const ckpt = decodeTrainCheckpoint(bytes, file);
  // A run that keeps a weight average validated (and picked its best by) the averaged model.
  const averaged = options.average !== false && ckpt.averaged !== undefined;
  const weights = checkpointModelWeights(ckpt, options.average !== false);
  // The checkpoint records its network's shape, so experimental variants export too.
  const spec = resfcnSpec({ variant: ckpt.variant, inputSize: ckpt.inputSize, baseChannels: ckpt.baseChannels });
  const source = `prnet train (${spec.variant}), step ${ckpt.step}, epoch ${ckpt.epoch}${averaged ? ', averaged weights' : ''}`;
  return { spec, weights, step: ckpt.step, epoch: ckpt.epoch, averaged, source };
}

/**
 * A `prnet-weights-1` pair (`x.weights.json` + `x.weights.bin`): a warm start, or weights
 * trained elsewhere (`training/pytorch/train_resfcn.py` writes them). The manifest's optional
 * `source`, `step` and `epoch` describe where they came from.
 */
async function readWeightsPair(file: string): Promise<TrainedWeights> {
  const base = file.replace(/\.weights\.(json|bin)$/, '');
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(name));
    } catch (err) {
      throw new Error(`${name}: cannot read the weights (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  let manifest: WeightsManifest & { source?: string; step?: number; epoch?: number };
  try {
    manifest = JSON.parse(new TextDecoder().decode(await read(`${base}.weights.json`))) as typeof manifest;
  } catch (err) {
    throw new Error((err as Error).message.includes('cannot read') ? (err as Error).message : `${base}.weights.json: not a weights manifest (${(err as Error).message})`);
  }
  if (manifest.format !== 'prnet-weights-1') throw new Error(`${base}.weights.json: not a prnet weights manifest (format ${String(manifest.format)})`);
  const spec = resfcnSpec({ variant: manifest.variant, inputSize: manifest.inputSize, baseChannels: manifest.baseChannels });
  const weights = importWeights(manifest, await read(`${base}.weights.bin`));
  const step = manifest.step ?? 0, epoch = manifest.epoch ?? 0;
  return { spec, weights, step, epoch, averaged: false, source: manifest.source ?? `weights ${path.basename(base)}.weights.bin (${spec.variant})` };
}
