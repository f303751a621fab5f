/**
 * Static int8 quantization of a prnet network with ONNX Runtime as the calibration
 * engine: run the float graph on calibration crops, record each conv's input and
 * output range, and rewrite the graph in QDQ form.
 */
import * as ort from 'onnxruntime-node';
import { disableOrtTelemetry } from '../inference/disableOrtTelemetry.js';
import type { NetworkSpec } from '../../model/resfcn.js';
import type { NetworkWeights } from '../../model/buildResfcnGraph.js';
import { buildResfcnGraph } from '../../model/buildResfcnGraph.js';
import type { ConvertCheckpointOptions } from '../../model/convertCheckpoint.js';
import { encodeResfcnModel } from '../../model/convertCheckpoint.js';
import { encodeOnnxModel } from '../../model/onnx/onnxModel.js';
import type { TensorRange } from '../../model/quantize/quantizeGraph.js';
import { calibrationTensors, convName, quantizableConvs, quantizeGraph, withExtraOutputs } from '../../model/quantize/quantizeGraph.js';
import { MODEL_INPUT_NAME } from '../../model/session.js';

/**
 * Convolutions whose output side is at least this fraction of the input side stay float: the
 * encoder's first blocks and the decoder's few-channel, high-resolution tail, which carries
 * the map's precision. With uint8 activations there, each decoder layer at 32–128 px alone
 * moved the trained light network's map by 0.4–3.6 px (of 256) on the AFLW2000-3D fixtures, and
 * the all-int8 model lay 6.3 px from float32 (NME 2D 4.78 → 6.36 %). With them float it lies
 * 0.48 px away and scores as float32 (`bench/modelAgreement.ts`, `prnet eval aflw2000`); int8
 * on those few-channel layers bought little speed anyway.
 */
export const INT8_FLOAT_TAIL_SIDE = 1 / 4;

export interface QuantizeModelOptions extends ConvertCheckpointOptions {
  /** Threads for the calibration runs. */
  threads?: number;
  /** Convolutions whose output side is at least this fraction of the input side stay float (default {@link INT8_FLOAT_TAIL_SIDE}; Infinity: none). */
  floatTailSide?: number;
  /** Called after each calibration crop. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Builds an int8 (QDQ) ONNX model of `spec` with `weights`, calibrated on `crops`
 * (each `inputSize² · 3` floats, RGB in [0, 1], ideally real face crops).
 *
 * ```ts
 * const int8 = await quantizeModel(spec, weights, crops);
 * ```
 */
export async function quantizeModel(spec: NetworkSpec, weights: NetworkWeights, crops: Float32Array[], options: QuantizeModelOptions = {}): Promise<Uint8Array> {
  if (crops.length === 0) throw new Error('int8 quantization needs at least one calibration crop');
  const graph = buildResfcnGraph(spec, weights, { ...options, fp16: false });
  const convs = quantizableConvs(graph);
  const names = calibrationTensors(graph);
  const calibration = encodeOnnxModel({
    graph: withExtraOutputs(graph, names), opsetVersion: 17, irVersion: 8, producerName: 'prnet', producerVersion: 'calibration', metadata: {},
  });
  disableOrtTelemetry();
  const session = await ort.InferenceSession.create(calibration, { intraOpNumThreads: options.threads ?? 0 });
  const ranges = new Map<string, TensorRange>(names.map((n) => [n, { min: Infinity, max: -Infinity }]));
  const sides = new Map<string, number>(); // tensor → its spatial side (NCHW inside the graph)
  const side = spec.inputSize;
  try {
    for (let i = 0; i < crops.length; i++) {
      const out = await session.run({ [MODEL_INPUT_NAME]: new ort.Tensor('float32', crops[i]!, [1, side, side, 3]) }, names);
      for (const n of names) {
        const data = out[n]!.data as Float32Array;
        sides.set(n, out[n]!.dims[3]!);
        const r = ranges.get(n)!;
        for (let j = 0; j < data.length; j++) {
          const v = data[j]!;
          if (v < r.min) r.min = v;
          if (v > r.max) r.max = v;
        }
      }
      options.onProgress?.(i + 1, crops.length);
    }
  } finally {
    await session.release();
  }
  const floatConvs = new Set(convs.filter(({ output }) => sides.get(output)! >= side * (options.floatTailSide ?? INT8_FLOAT_TAIL_SIDE)).map(({ conv }) => convName(conv)));
  return encodeResfcnModel(spec, quantizeGraph(graph, ranges, { floatConvs }), { ...options, weightsType: 'int8 (QDQ, per-channel weights, uint8 activations)' });
}
