/**
 * Writes random-weight ONNX models for the demo page and its tests until a trained light
 * model ships in `models/default.onnx`: same graph, same I/O convention, meaningless faces.
 * The batch norms are calibrated on a smooth random image so activations stay in range:
 * the output then depends on the input (an uncalibrated random net saturates to a constant
 * map, which would make a browser-vs-Node comparison blind).
 *
 * ```sh
 * node --import tsx scripts/makeDemoModel.ts                 # .cache/demo-models/resfcn128-light.onnx
 * node --import tsx scripts/makeDemoModel.ts resfcn256       # the full network too (53 MB)
 * ```
 */
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { variantSpec } from '../src/model/resfcn.js';
import { convertCheckpoint } from '../src/model/convertCheckpoint.js';
import { calibratedWeights } from '../src/train/engine/calibratedWeights.js';
import { randomImage } from '../src/train/engine/randomImage.js';
import { writeFileAtomic } from '../src/node/files/atomicWrite.js';
import { DEMO_MODELS_DIR } from './demoAssets.js';

/** Seed of the demo models: fixed, so the page and the Node pipeline load identical bytes. */
export const DEMO_MODEL_SEED = 7;

/**
 * Gain on the last batch norm's scale: neighbouring UV texels of a random network are
 * uncorrelated, so its mesh is a cloud of huge triangles that software WebGL (SwiftShader)
 * takes seconds to fill. A small fraction of the usual output range keeps the triangles small while
 * the landmarks still spread over some 20 pixels and depend on the input.
 */
const DEMO_OUTPUT_GAIN = 0.03;

/** The ONNX bytes of a random-weight model of a named variant. */
export function demoModelBytes(variant: string, seed: number = DEMO_MODEL_SEED): Uint8Array {
  const spec = variantSpec(variant);
  const { weights } = calibratedWeights(spec, seed, randomImage(spec.inputSize, seed));
  const last = spec.layers[spec.layers.length - 1]!;
  const gamma = weights.get(`${last.scope}/BatchNorm/gamma`);
  if (gamma) for (let i = 0; i < gamma.length; i++) gamma[i] = gamma[i]! * DEMO_OUTPUT_GAIN;
  return convertCheckpoint(spec, weights);
}

/**
 * Writes `<dir>/<variant>.onnx` unless it exists (temp file + rename: never half a model).
 * Returns the path.
 */
export async function makeDemoModel(variant: string, dir: string = DEMO_MODELS_DIR, seed: number = DEMO_MODEL_SEED): Promise<string> {
  const file = path.join(dir, `${variant}.onnx`);
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(file, demoModelBytes(variant, seed));
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const variants = process.argv.slice(2);
  for (const v of variants.length ? variants : ['resfcn128-light']) console.log(await makeDemoModel(v));
}
