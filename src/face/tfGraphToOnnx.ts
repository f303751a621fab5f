/**
 * Converts a TensorFlow.js graph model (`model.json` + weights, as {@link tfGraph} reads it)
 * to an ONNX model with prnet's own ONNX writer (`src/model/onnx/`). It covers the ops of
 * the BlazeFace graph that `@vladmandic/human` ships — the same set {@link tfGraph} runs —
 * and rejects anything else by name. Isomorphic: JSON and bytes in, ONNX bytes out.
 *
 * Layout: TensorFlow graphs are NHWC, ONNX convolutions NCHW. The ONNX model keeps the
 * graph's NHWC input and outputs; one Transpose after the input turns it to NCHW, every 4-D
 * activation stays NCHW inside, and a Transpose back to NHWC precedes each Reshape (so a
 * reshape flattens in TensorFlow's order). Filters are permuted once, at conversion.
 */
import { encodeOnnxModel, attr, type OnnxNode, type OnnxTensor } from '../model/onnx/onnxModel.js';
import type { TfGraphModelJson, TfGraphNode } from './tfGraph.js';

/** Options of {@link tfGraphToOnnx}. */
export interface TfGraphToOnnxOptions {
  /** Graph outputs, by node name; default: every node that no other node reads. */
  outputs?: string[];
  /** Stored as ONNX `metadata_props`. */
  metadata?: Record<string, string>;
  /**
   * Pad every activation's channels inside the graph up to a multiple of this (default 1:
   * none). The extra channels read zero weights and are sliced off before the outputs, so
   * results do not change; a multiple of ONNX Runtime's NCHWc block (8 with AVX2, 16 with
   * AVX-512) lets its CPU provider use the blocked convolutions and fuse Add and Relu
   * into them, which it does not for, e.g., 24 channels.
   */
  channelMultiple?: number;
  /**
   * Layout of the ONNX model's 4-D input: `nhwc` (default, as the tfjs graph) or `nchw`
   * (no Transpose after the input, for callers that write planar data).
   */
  inputLayout?: 'nhwc' | 'nchw';
  /** ONNX `producer_version`. */
  producerVersion?: string;
}

/** The ops {@link tfGraphToOnnx} converts. */
export const TF_GRAPH_TO_ONNX_OPS: readonly string[] = ['Placeholder', 'Const', 'Identity', '_FusedConv2D', 'Conv2D', 'DepthwiseConv2dNative', 'AddV2', 'Add', 'Relu', 'MaxPool', 'Pad', 'Reshape'];

type Attr = NonNullable<TfGraphNode['attr']>[string] & { type?: string; shape?: { dim?: Array<{ size?: string }> } };

/** A converted value: its ONNX name, shape in TensorFlow (NHWC) order, and whether it is stored NCHW. */
interface Value {
  name: string;
  /** NHWC shape for 4-D activations, the plain shape otherwise. */
  shape: number[];
  nchw: boolean;
  /** NCHW only: channels stored, ≥ `shape[3]`; the ones past `shape[3]` are padding (zero). */
  stored?: number;
}

function decodeString(b64: string | undefined): string {
  return b64 === undefined ? '' : atob(b64);
}

function attrOf(node: TfGraphNode, key: string): Attr | undefined {
  return node.attr?.[key] as Attr | undefined;
}

function ints(node: TfGraphNode, key: string, fallback: number[]): number[] {
  const list = attrOf(node, key)?.list?.i;
  return list && list.length ? list.map(Number) : fallback;
}

/** TensorFlow SAME/VALID padding of one spatial axis: [before, after, output size]. */
function axisPadding(node: TfGraphNode, n: number, k: number, stride: number, dilation: number): [number, number, number] {
  const p = decodeString(attrOf(node, 'padding')?.s);
  const span = (k - 1) * dilation + 1;
  if (p === 'VALID') return [0, 0, Math.floor((n - span) / stride) + 1];
  if (p !== 'SAME') throw new Error(`tfGraphToOnnx: node ${node.name} (${node.op}): unsupported padding '${p}'`);
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + span - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, out];
}

/**
 * Converts a tfjs graph model to ONNX bytes (opset 17), ready for onnxruntime-node or
 * onnxruntime-web. Float32 and int32 unquantized weights only; an unsupported op, dtype,
 * layout or attribute throws an error that names the node.
 *
 * ```ts
 * const onnx = tfGraphToOnnx(JSON.parse(jsonText), binBytes, { outputs: ['Identity'] });
 * const session = await ort.InferenceSession.create(onnx);
 * ```
 */
export function tfGraphToOnnx(model: TfGraphModelJson, weightData: Uint8Array, options: TfGraphToOnnxOptions = {}): Uint8Array {
  const nodes = new Map<string, TfGraphNode>();
  const unsupported = model.modelTopology.node.filter((n) => !TF_GRAPH_TO_ONNX_OPS.includes(n.op));
  if (unsupported.length) {
    const ops = [...new Set(unsupported.map((n) => n.op))];
    throw new Error(`tfGraphToOnnx: unsupported op${ops.length > 1 ? 's' : ''} ${ops.join(', ')} (node ${unsupported[0]!.name}); supported: ${TF_GRAPH_TO_ONNX_OPS.join(', ')}`);
  }
  for (const node of model.modelTopology.node) nodes.set(node.name, node);

  // Weights are stored back to back in manifest order.
  const consts = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>();
  let offset = 0;
  for (const group of model.weightsManifest) {
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`tfGraphToOnnx: quantized weight ${w.name} is not supported`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      const end = offset + count * 4;
      if (end > weightData.byteLength) throw new Error(`tfGraphToOnnx: weight data too short for ${w.name}`);
      const buf = weightData.buffer.slice(weightData.byteOffset + offset, weightData.byteOffset + end);
      if (w.dtype === 'float32') consts.set(w.name, { shape: w.shape, data: new Float32Array(buf) });
      else if (w.dtype === 'int32') consts.set(w.name, { shape: w.shape, data: new Int32Array(buf) });
      else throw new Error(`tfGraphToOnnx: unsupported dtype ${w.dtype} for ${w.name}`);
      offset = end;
    }
  }

  const onnxNodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  // TensorFlow node names are unique; generated names must differ from all of them.
  const usedNames = new Set<string>(model.modelTopology.node.map((n) => n.name));
  const unique = (base: string): string => {
    let name = base;
    for (let i = 1; usedNames.has(name); i++) name = `${base}_${i}`;
    usedNames.add(name);
    return name;
  };
  const initializer = (base: string, dataType: OnnxTensor['dataType'], dims: number[], data: OnnxTensor['data']): string => {
    const name = unique(base);
    initializers.push({ name, dataType, dims, data });
    return name;
  };

  const placeholders = model.modelTopology.node.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new Error(`tfGraphToOnnx: the graph needs exactly one input placeholder, has ${placeholders.length}`);
  const input = placeholders[0]!;
  const inputShape = (attrOf(input, 'shape')?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
  if (inputShape.length !== 4 || inputShape.some((d) => !(d > 0))) throw new Error(`tfGraphToOnnx: input ${input.name} needs a fixed NHWC shape, has [${inputShape.join(', ')}]`);

  const constOf = (ref: string, node: TfGraphNode): { shape: number[]; data: Float32Array | Int32Array } => {
    const key = ref.split(':')[0]!;
    const c = nodes.get(key)?.op === 'Const' ? consts.get(key) : undefined;
    if (!c) throw new Error(`tfGraphToOnnx: node ${node.name} (${node.op}): input ${key} must be a constant with weights`);
    return c;
  };

  const consumed = new Set(model.modelTopology.node.flatMap((n) => (n.input ?? []).map((i) => i.split(':')[0]!)));
  const outputs = options.outputs ?? model.modelTopology.node.filter((n) => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.name);
  if (!outputs.length) throw new Error('tfGraphToOnnx: the graph has no outputs');
  const outputSet = new Set(outputs);
  if (outputSet.has(input.name)) throw new Error(`tfGraphToOnnx: the input ${input.name} cannot be an output`);

  const multiple = options.channelMultiple ?? 1;
  if (!(Number.isInteger(multiple) && multiple >= 1)) throw new Error(`tfGraphToOnnx: channelMultiple must be a positive integer, got ${multiple}`);
  const roundUp = (c: number): number => Math.ceil(c / multiple) * multiple;
  const storedOf = (v: Value): number => v.stored ?? v.shape[3]!;
  const int64 = (base: string, values: number[]): string => initializer(base, 'int64', [values.length], BigInt64Array.from(values.map(BigInt)));

  const values = new Map<string, Value>();
  const nchwInput = options.inputLayout === 'nchw';
  values.set(input.name, { name: input.name, shape: inputShape, nchw: nchwInput });

  /** An NCHW value with its channel padding changed to `to` stored channels (sliced or zero-padded at the end). */
  const restore = (v: Value, to: number): Value => {
    const from = storedOf(v);
    if (from === to) return v;
    const name = unique(`${v.name}/channels${to}`);
    if (to < from) onnxNodes.push({ opType: 'Slice', inputs: [v.name, int64(`${name}/starts`, [0]), int64(`${name}/ends`, [to]), int64(`${name}/axes`, [1])], outputs: [name] });
    else onnxNodes.push({ opType: 'Pad', inputs: [v.name, int64(`${name}/pads`, [0, 0, 0, 0, 0, to - from, 0, 0])], outputs: [name], attributes: [attr.string('mode', 'constant')] });
    return { ...v, name, stored: to };
  };

  /** Each value's other layout, made once. */
  const transposed = new Map<string, Value>();
  const transpose = (v: Value, nchw: boolean): Value => {
    if (v.nchw === nchw) return v;
    if (v.shape.length !== 4) throw new Error(`tfGraphToOnnx: expected a 4-D tensor, ${v.name} has shape [${v.shape.join(', ')}]`);
    let t = transposed.get(v.name);
    if (!t) {
      const src = nchw ? v : restore(v, v.shape[3]!);
      const name = unique(`${v.name}/${nchw ? 'nchw' : 'nhwc'}`);
      onnxNodes.push({ opType: 'Transpose', inputs: [src.name], outputs: [name], attributes: [attr.ints('perm', nchw ? [0, 3, 1, 2] : [0, 2, 3, 1])] });
      t = { name, shape: v.shape, nchw };
      transposed.set(v.name, t);
    }
    return t;
  };
  /** The value stored NCHW (4-D activations inside the ONNX graph). */
  const asNchw = (v: Value): Value => transpose(v, true);
  /** The value stored in TensorFlow's own layout. */
  const asNhwc = (v: Value): Value => transpose(v, false);

  const convert = (ref: string, stack: Set<string>): Value => {
    const key = ref.split(':')[0]!;
    if ((ref.split(':')[1] ?? '0') !== '0') throw new Error(`tfGraphToOnnx: ${ref}: only first outputs are supported`);
    const hit = values.get(key);
    if (hit) return hit;
    const node = nodes.get(key);
    if (!node) throw new Error(`tfGraphToOnnx: unknown node ${key}`);
    if (stack.has(key)) throw new Error(`tfGraphToOnnx: cycle through node ${key}`);
    stack.add(key);
    const ins = node.input ?? [];
    const arg = (i: number): Value => {
      if (ins[i] === undefined) throw new Error(`tfGraphToOnnx: node ${key} (${node.op}) lacks input ${i}`);
      return convert(ins[i]!, stack);
    };
    const dataFormat = decodeString(attrOf(node, 'data_format')?.s) || 'NHWC';
    if (dataFormat !== 'NHWC') throw new Error(`tfGraphToOnnx: node ${key} (${node.op}): unsupported data_format ${dataFormat}`);
    // A requested output gets its TensorFlow name at the end, after any layout change.
    const out = outputSet.has(key) ? unique(`${key}/value`) : key;
    let value: Value;
    switch (node.op) {
      case 'Const':
        throw new Error(`tfGraphToOnnx: constant ${key} used as an activation is not supported`);
      case 'Identity': {
        const x = arg(0);
        onnxNodes.push({ opType: 'Identity', inputs: [x.name], outputs: [out], name: key });
        value = { ...x, name: out };
        break;
      }
      case '_FusedConv2D':
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const x = asNchw(arg(0));
        const [, h, w, c] = x.shape as [number, number, number, number];
        const filter = constOf(ins[1]!, node);
        if (filter.shape.length !== 4 || filter.shape[2] !== c) throw new Error(`tfGraphToOnnx: node ${key} (${node.op}): filter [${filter.shape.join(', ')}] does not fit ${c} input channels`);
        const [kh, kw, ci, m] = filter.shape as [number, number, number, number];
        const depthwise = node.op === 'DepthwiseConv2dNative';
        const co = depthwise ? ci * m : m;
        // Padded channels: the input's extra channels get zero weights, and so do the
        // output's (a depthwise conv keeps one group per stored input channel).
        const cs = storedOf(x);
        const cos = depthwise ? cs * m : roundUp(co);
        // ONNX weights: [out, in / group, kh, kw]. Depthwise output channel = c·m + j.
        const weights = new Float32Array(cos * (depthwise ? 1 : cs) * kh * kw);
        const f = filter.data as Float32Array;
        for (let y = 0; y < kh; y++) for (let xk = 0; xk < kw; xk++) for (let i = 0; i < ci; i++) for (let j = 0; j < m; j++) {
          const src = f[((y * kw + xk) * ci + i) * m + j]!;
          if (depthwise) weights[((i * m + j) * kh + y) * kw + xk] = src;
          else weights[((j * cs + i) * kh + y) * kw + xk] = src;
        }
        const strides = ints(node, 'strides', [1, 1, 1, 1]);
        const dilations = ints(node, 'dilations', [1, 1, 1, 1]);
        if (strides[0] !== 1 || strides[3] !== 1 || dilations[0] !== 1 || dilations[3] !== 1) throw new Error(`tfGraphToOnnx: node ${key} (${node.op}): batch/channel strides or dilations are not supported`);
        const [pt, pb, oh] = axisPadding(node, h, kh, strides[1]!, dilations[1]!);
        const [pl, pr, ow] = axisPadding(node, w, kw, strides[2]!, dilations[2]!);
        const inputs = [x.name, initializer(`${key}/weights`, 'float32', [cos, depthwise ? 1 : cs, kh, kw], weights)];
        let relu = false;
        if (node.op === '_FusedConv2D') {
          const ops = (attrOf(node, 'fused_ops')?.list?.s ?? []).map(decodeString);
          for (const op of ops) if (op !== 'BiasAdd' && op !== 'Relu') throw new Error(`tfGraphToOnnx: node ${key} (_FusedConv2D): unsupported fused op ${op}`);
          if (ops.includes('BiasAdd')) {
            const bias = constOf(ins[2]!, node);
            if (bias.data.length !== co) throw new Error(`tfGraphToOnnx: node ${key}: bias has ${bias.data.length} values for ${co} channels`);
            const padded = new Float32Array(cos);
            padded.set(bias.data);
            inputs.push(initializer(`${key}/bias`, 'float32', [cos], padded));
          }
          relu = ops.includes('Relu');
        }
        const convOut = relu ? unique(`${key}/conv`) : out;
        onnxNodes.push({
          opType: 'Conv', inputs, outputs: [convOut], name: key,
          attributes: [
            attr.ints('kernel_shape', [kh, kw]),
            attr.ints('strides', [strides[1]!, strides[2]!]),
            attr.ints('dilations', [dilations[1]!, dilations[2]!]),
            attr.ints('pads', [pt, pl, pb, pr]),
            attr.int('group', depthwise ? cs : 1),
          ],
        });
        if (relu) onnxNodes.push({ opType: 'Relu', inputs: [convOut], outputs: [out], name: `${key}/relu` });
        value = { name: out, shape: [x.shape[0]!, oh, ow, co], nchw: true, stored: cos };
        break;
      }
      case 'AddV2':
      case 'Add': {
        let a = arg(0);
        let b = arg(1);
        if (a.shape.join() !== b.shape.join()) throw new Error(`tfGraphToOnnx: node ${key} (${node.op}): shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ (broadcasting is not supported)`);
        if (a.nchw !== b.nchw) {
          a = a.shape.length === 4 ? asNchw(a) : a;
          b = b.shape.length === 4 ? asNchw(b) : b;
        }
        if (a.nchw && storedOf(a) !== storedOf(b)) {
          const to = Math.max(storedOf(a), storedOf(b));
          a = restore(a, to);
          b = restore(b, to);
        }
        onnxNodes.push({ opType: 'Add', inputs: [a.name, b.name], outputs: [out], name: key });
        value = { ...a, name: out };
        break;
      }
      case 'Relu': {
        const x = arg(0);
        onnxNodes.push({ opType: 'Relu', inputs: [x.name], outputs: [out], name: key });
        value = { ...x, name: out };
        break;
      }
      case 'MaxPool': {
        const x = asNchw(arg(0));
        const k = ints(node, 'ksize', []);
        const s = ints(node, 'strides', []);
        if (k.length !== 4 || s.length !== 4 || k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) throw new Error(`tfGraphToOnnx: node ${key} (MaxPool): only spatial windows are supported`);
        const [pt, pb, oh] = axisPadding(node, x.shape[1]!, k[1]!, s[1]!, 1);
        const [pl, pr, ow] = axisPadding(node, x.shape[2]!, k[2]!, s[2]!, 1);
        onnxNodes.push({
          opType: 'MaxPool', inputs: [x.name], outputs: [out], name: key,
          attributes: [attr.ints('kernel_shape', [k[1]!, k[2]!]), attr.ints('strides', [s[1]!, s[2]!]), attr.ints('pads', [pt, pl, pb, pr])],
        });
        value = { name: out, shape: [x.shape[0]!, oh, ow, x.shape[3]!], nchw: true, stored: storedOf(x) };
        break;
      }
      case 'Pad': {
        const x = arg(0);
        const p = constOf(ins[1]!, node);
        const rank = x.shape.length;
        if (p.data.length !== 2 * rank) throw new Error(`tfGraphToOnnx: node ${key} (Pad): ${p.data.length / 2} padding pairs for a rank-${rank} tensor`);
        const mode = decodeString(attrOf(node, 'mode')?.s) || 'CONSTANT';
        if (mode !== 'CONSTANT') throw new Error(`tfGraphToOnnx: node ${key} (Pad): unsupported mode ${mode}`);
        // TF pairs per axis (NHWC order) → ONNX begins then ends, in the stored layout.
        const order = x.nchw ? [0, 3, 1, 2] : [...Array(rank).keys()];
        const shape = x.shape.map((d, a) => d + p.data[2 * a]! + p.data[2 * a + 1]!);
        const pads = new BigInt64Array(2 * rank);
        order.forEach((axis, i) => {
          pads[i] = BigInt(p.data[2 * axis]!);
          pads[rank + i] = BigInt(p.data[2 * axis + 1]!);
        });
        // Channels: the stored padding sits after the real ones, so the end pad is what
        // brings the stored count to the new (rounded-up) one.
        let stored: number | undefined;
        if (x.nchw) {
          const before = p.data[6]!;
          stored = Math.max(roundUp(shape[3]!), before + storedOf(x));
          pads[rank + 1] = BigInt(stored - before - storedOf(x));
        }
        onnxNodes.push({ opType: 'Pad', inputs: [x.name, initializer(`${key}/pads`, 'int64', [2 * rank], pads)], outputs: [out], name: key, attributes: [attr.string('mode', 'constant')] });
        value = { name: out, shape, nchw: x.nchw, stored };
        break;
      }
      case 'Reshape': {
        const x = asNhwc(arg(0));
        const shape = Array.from(constOf(ins[1]!, node).data);
        const total = x.shape.reduce((a, b) => a * b, 1);
        const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
        const resolved = shape.map((d) => (d === -1 ? total / known : d));
        if (resolved.reduce((a, b) => a * b, 1) !== total || shape.filter((d) => d === -1).length > 1) throw new Error(`tfGraphToOnnx: node ${key} (Reshape): cannot reshape [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
        onnxNodes.push({ opType: 'Reshape', inputs: [x.name, int64(`${key}/shape`, shape)], outputs: [out], name: key });
        value = { name: out, shape: resolved, nchw: false };
        break;
      }
      default:
        throw new Error(`tfGraphToOnnx: op ${node.op} of ${key} cannot be converted`);
    }
    stack.delete(key);
    values.set(key, value);
    return value;
  };

  const graphOutputs = outputs.map((o) => {
    const v = asNhwc(convert(o, new Set()));
    onnxNodes.push({ opType: 'Identity', inputs: [v.name], outputs: [o], name: `${o}/output` });
    return { name: o, dataType: 'float32' as const, shape: v.shape };
  });

  return encodeOnnxModel({
    graph: {
      name: 'tfjs_graph',
      nodes: onnxNodes,
      initializers,
      inputs: [{ name: input.name, dataType: 'float32', shape: nchwInput ? [inputShape[0]!, inputShape[3]!, inputShape[1]!, inputShape[2]!] : inputShape }],
      outputs: graphOutputs,
    },
    opsetVersion: 17,
    irVersion: 8,
    producerName: 'prnet tfGraphToOnnx',
    producerVersion: options.producerVersion ?? '',
    metadata: options.metadata ?? {},
  });
}
