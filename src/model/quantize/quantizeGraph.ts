/**
 * Static int8 quantization of a float ONNX graph in QDQ form: activations uint8
 * (ranges from calibration), weights int8 symmetric per output channel, biases int32.
 * ONNX Runtime fuses `DequantizeLinear → Conv → QuantizeLinear` into integer
 * convolutions, and drops a ReLU that feeds a QuantizeLinear with zero point 0.
 */
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../onnx/onnxModel.js';
import { attr } from '../onnx/onnxModel.js';
import { withDefaults } from '../../io/withDefaults.js';

/** Observed value range of one tensor over the calibration inputs. */
export interface TensorRange { min: number; max: number }

export interface QuantizeGraphOptions {
  /** Convolutions with fewer input or output channels stay float (tiny, and accuracy-critical at the ends). */
  minChannels?: number;
  /** Names of further Conv nodes to leave float (see `quantizeModel`, which keeps the decoder's high-resolution tail so). */
  floatConvs?: ReadonlySet<string>;
}

export const QUANTIZE_GRAPH_DEFAULTS: Required<QuantizeGraphOptions> = { minChannels: 8, floatConvs: new Set() };

/** A Conv node's name as `floatConvs` lists it. */
export function convName(n: OnnxNode): string {
  return n.name ?? n.outputs[0]!;
}

/** Names of the tensors whose ranges {@link quantizeGraph} needs (inputs and outputs of convs). */
export function calibrationTensors(graph: OnnxGraph, options: QuantizeGraphOptions = {}): string[] {
  return [...new Set(quantizableConvs(graph, options).flatMap(({ conv, output }) => [conv.inputs[0]!, output]))];
}

/**
 * The Conv nodes {@link quantizeGraph} would quantize, each with the tensor quantized after it
 * (its ReLU's output where a ReLU alone consumes it), whose calibrated shape tells where in the
 * network it lies.
 */
export function quantizableConvs(graph: OnnxGraph, options: QuantizeGraphOptions = {}): { conv: OnnxNode; output: string }[] {
  const o = withDefaults(QUANTIZE_GRAPH_DEFAULTS, options);
  const init = new Map(graph.initializers.map((t) => [t.name, t]));
  const consumers = consumerMap(graph.nodes);
  return graph.nodes.filter((n) => eligibleConv(n, init, o)).map((conv) => ({ conv, output: quantizedOutput(conv, consumers) }));
}

/**
 * A copy of `graph` that also outputs every tensor in `names`, for calibration runs.
 */
export function withExtraOutputs(graph: OnnxGraph, names: string[]): OnnxGraph {
  const existing = new Set(graph.outputs.map((o) => o.name));
  return {
    ...graph,
    outputs: [...graph.outputs, ...names.filter((n) => !existing.has(n)).map((name) => ({ name, dataType: 'float32' as const }))],
  };
}

function consumerMap(nodes: OnnxNode[]): Map<string, OnnxNode[]> {
  const m = new Map<string, OnnxNode[]>();
  for (const n of nodes) for (const i of n.inputs) {
    if (!m.has(i)) m.set(i, []);
    m.get(i)!.push(n);
  }
  return m;
}

function eligibleConv(n: OnnxNode, init: Map<string, OnnxTensor>, o: Required<QuantizeGraphOptions>): boolean {
  if (n.opType !== 'Conv' || o.floatConvs.has(convName(n))) return false;
  const w = init.get(n.inputs[1]!);
  if (!w || w.dataType !== 'float32') return false; // fp16 sources are not supported
  return w.dims[0]! >= o.minChannels && w.dims[1]! >= o.minChannels;
}

/** The tensor quantized after a conv: its ReLU's output when a ReLU alone consumes it. */
function quantizedOutput(n: OnnxNode, consumers: Map<string, OnnxNode[]>): string {
  const out = n.outputs[0]!;
  const cs = consumers.get(out) ?? [];
  return cs.length === 1 && cs[0]!.opType === 'Relu' ? cs[0]!.outputs[0]! : out;
}

/** uint8 affine parameters covering [min, max] (always including 0). */
function uint8Params(r: TensorRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max, lo + 1e-8);
  const scale = (hi - lo) / 255;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * Rewrites `graph` with QDQ nodes around every eligible convolution, using the
 * calibrated `ranges` (see {@link calibrationTensors}).
 *
 * ```ts
 * const names = calibrationTensors(graph);
 * // … run withExtraOutputs(graph, names) on calibration crops, collect min/max …
 * const int8 = quantizeGraph(graph, ranges);
 * ```
 */
export function quantizeGraph(graph: OnnxGraph, ranges: ReadonlyMap<string, TensorRange>, options: QuantizeGraphOptions = {}): OnnxGraph {
  const o = withDefaults(QUANTIZE_GRAPH_DEFAULTS, options);
  const init = new Map(graph.initializers.map((t) => [t.name, t]));
  const consumers = consumerMap(graph.nodes);
  const initializers = [...graph.initializers];
  const renamed = new Map<string, string>(); // float tensor name → its producer's new output name
  const dequantized = new Set<string>(); // tensors that now come out of a DequantizeLinear
  const qdqAfter = new Map<string, OnnxNode[]>(); // insert these nodes right after the producer of a tensor
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const usedWeights = new Set<string>();
  let count = 0;
  const uid = (base: string) => `${base}_q${count++}`;

  const scalar = (name: string, dataType: 'float32' | 'uint8', value: number): string => {
    initializers.push({ name, dataType, dims: [], data: dataType === 'float32' ? new Float32Array([value]) : new Uint8Array([value]) });
    return name;
  };

  /** Makes `tensor` flow through Quantize/Dequantize, keeping its name for consumers. */
  const quantizeActivation = (tensor: string): { scale: number } => {
    const r = ranges.get(tensor);
    if (!r) throw new Error(`no calibration range for tensor ${tensor}`);
    const { scale, zeroPoint } = uint8Params(r);
    if (dequantized.has(tensor)) return { scale };
    const floatName = uid(`${tensor}_float`);
    const s = scalar(uid(`${tensor}_scale`), 'float32', scale);
    const z = scalar(uid(`${tensor}_zero_point`), 'uint8', zeroPoint);
    const qName = uid(`${tensor}_u8`);
    const nodes: OnnxNode[] = [
      { opType: 'QuantizeLinear', inputs: [floatName, s, z], outputs: [qName], name: uid('Q') },
      { opType: 'DequantizeLinear', inputs: [qName, s, z], outputs: [tensor], name: uid('DQ') },
    ];
    renamed.set(tensor, floatName);
    if (!produced.has(tensor)) throw new Error(`cannot quantize graph input ${tensor}`);
    qdqAfter.set(tensor, nodes);
    dequantized.add(tensor);
    return { scale };
  };

  const convInputs = new Map<OnnxNode, string[]>();
  for (const n of graph.nodes) {
    if (!eligibleConv(n, init, o)) continue;
    const x = n.inputs[0]!;
    const { scale: sx } = quantizeActivation(x);
    const w = init.get(n.inputs[1]!)!;
    const [co, ci, kh, kw] = w.dims as [number, number, number, number];
    const per = ci * kh * kw;
    const wf = w.data as Float32Array;
    const wq = new Int8Array(wf.length);
    const sw = new Float32Array(co);
    for (let c = 0; c < co; c++) {
      let m = 0;
      for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(wf[c * per + i]!));
      sw[c] = m > 0 ? m / 127 : 1;
      for (let i = 0; i < per; i++) wq[c * per + i] = Math.max(-127, Math.min(127, Math.round(wf[c * per + i]! / sw[c]!)));
    }
    usedWeights.add(w.name);
    const wName = uid(`${w.name}_int8`);
    const swName = uid(`${w.name}_scale`);
    initializers.push({ name: wName, dataType: 'int8', dims: w.dims, data: wq });
    initializers.push({ name: swName, dataType: 'float32', dims: [co], data: sw });
    const zw = uid(`${w.name}_zero_point`);
    initializers.push({ name: zw, dataType: 'int8', dims: [co], data: new Int8Array(co) });
    const wDq = uid(`${w.name}_dq`);
    const extra: OnnxNode[] = [{ opType: 'DequantizeLinear', inputs: [wName, swName, zw], outputs: [wDq], name: uid('DQ'), attributes: [attr.int('axis', 0)] }];
    const inputs = [x, wDq];
    if (n.inputs[2]) {
      const b = init.get(n.inputs[2])!;
      usedWeights.add(b.name);
      const bf = b.data as Float32Array;
      const bq = new Int32Array(co);
      const sb = new Float32Array(co);
      for (let c = 0; c < co; c++) {
        sb[c] = sx * sw[c]!;
        bq[c] = Math.round(bf[c]! / sb[c]!);
      }
      const bName = uid(`${b.name}_int32`);
      const sbName = uid(`${b.name}_scale`);
      const zb = uid(`${b.name}_zero_point`);
      initializers.push({ name: bName, dataType: 'int32', dims: [co], data: bq });
      initializers.push({ name: sbName, dataType: 'float32', dims: [co], data: sb });
      initializers.push({ name: zb, dataType: 'int32', dims: [co], data: new Int32Array(co) });
      const bDq = uid(`${b.name}_dq`);
      extra.push({ opType: 'DequantizeLinear', inputs: [bName, sbName, zb], outputs: [bDq], name: uid('DQ'), attributes: [attr.int('axis', 0)] });
      inputs.push(bDq);
    }
    convInputs.set(n, inputs);
    qdqAfter.set(`__before__${n.name ?? n.outputs[0]}`, extra);
    quantizeActivation(quantizedOutput(n, consumers));
  }

  // Re-emit the nodes in order, renaming producers of quantized tensors and splicing Q/DQ in.
  const nodes: OnnxNode[] = [];
  for (const n of graph.nodes) {
    const before = qdqAfter.get(`__before__${n.name ?? n.outputs[0]}`);
    if (before) nodes.push(...before);
    const inputs = convInputs.get(n) ?? n.inputs;
    nodes.push({ ...n, inputs, outputs: n.outputs.map((x) => renamed.get(x) ?? x) });
    for (const out of n.outputs) {
      const after = qdqAfter.get(out);
      if (after) nodes.push(...after);
    }
  }
  return { ...graph, nodes, initializers: initializers.filter((t) => !usedWeights.has(t.name)) };
}
