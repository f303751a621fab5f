/**
 * A minimal executor for TensorFlow.js graph models (`model.json` + weights), on
 * `@tensorflow/tfjs-core` alone. It supports exactly the ops of the BlazeFace graph that
 * `@vladmandic/human` ships, so the project needs neither `@tensorflow/tfjs-converter`
 * nor Human's fetch-based loader (which cannot read local files in Node 20).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of a tfjs `model.json` this executor reads. */
export interface TfGraphModelJson {
  modelTopology: { node: TfGraphNode[] };
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: unknown }> }>;
}

/** One node of a tfjs graph (a TensorFlow `NodeDef` as JSON). */
export interface TfGraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; i?: string; list?: { i?: string[]; s?: string[] } }>;
}

/** A loaded graph: run it on one input tensor, get the named outputs. */
export interface TfGraph {
  /** Runs the graph; returns the requested node outputs (caller disposes them). */
  execute(input: tf.Tensor, outputs: string[]): tf.Tensor[];
  /** Frees the weights. */
  dispose(): void;
}

const SUPPORTED = new Set(['Placeholder', 'Const', 'Identity', '_FusedConv2D', 'DepthwiseConv2dNative', 'AddV2', 'Relu', 'MaxPool', 'Pad', 'Reshape']);

function decodeString(b64: string | undefined): string {
  return b64 === undefined ? '' : atob(b64);
}

function ints(node: TfGraphNode, key: string): number[] {
  return (node.attr?.[key]?.list?.i ?? []).map(Number);
}

function padding(node: TfGraphNode): 'same' | 'valid' {
  const p = decodeString(node.attr?.padding?.s);
  if (p === 'SAME') return 'same';
  if (p === 'VALID') return 'valid';
  throw new Error(`tfGraph: node ${node.name}: unsupported padding '${p}'`);
}

/**
 * Loads a tfjs graph model from its JSON and its concatenated weight bytes (the `.bin`
 * files of `weightsManifest`, in order). Float32 and int32 unquantized weights only.
 *
 * ```ts
 * const graph = tfGraph(JSON.parse(jsonText), binBytes);
 * const [scores] = graph.execute(input, ['Identity']);
 * ```
 */
export function tfGraph(model: TfGraphModelJson, weightData: Uint8Array): TfGraph {
  const nodes = new Map<string, TfGraphNode>();
  for (const node of model.modelTopology.node) {
    if (!SUPPORTED.has(node.op)) throw new Error(`tfGraph: unsupported op ${node.op} (node ${node.name})`);
    nodes.set(node.name, node);
  }
  // Weights are stored back to back in manifest order.
  const consts = new Map<string, tf.Tensor>();
  const bytes = weightData.byteOffset % 4 === 0 ? weightData : weightData.slice();
  let offset = 0;
  for (const group of model.weightsManifest) {
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`tfGraph: quantized weight ${w.name} is not supported`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      const end = offset + count * 4;
      if (end > bytes.byteLength) throw new Error(`tfGraph: weight data too short for ${w.name}`);
      const buf = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end);
      if (w.dtype === 'float32') consts.set(w.name, tf.tensor(new Float32Array(buf), w.shape, 'float32'));
      else if (w.dtype === 'int32') consts.set(w.name, tf.tensor(new Int32Array(buf), w.shape, 'int32'));
      else throw new Error(`tfGraph: unsupported dtype ${w.dtype} for ${w.name}`);
      offset = end;
    }
  }
  // Small int constants (shapes, paddings) are needed as plain numbers.
  const constValues = new Map<string, number[]>();
  for (const [name, t] of consts) if (t.dtype === 'int32') constValues.set(name, Array.from(t.dataSync()));

  function evaluate(name: string, cache: Map<string, tf.Tensor>): tf.Tensor {
    const key = name.split(':')[0];
    const hit = cache.get(key);
    if (hit) return hit;
    const node = nodes.get(key);
    if (!node) throw new Error(`tfGraph: unknown node ${key}`);
    const inputs = node.input ?? [];
    const arg = (i: number): tf.Tensor => evaluate(inputs[i], cache);
    let out: tf.Tensor;
    switch (node.op) {
      case 'Const': {
        const c = consts.get(key);
        if (!c) throw new Error(`tfGraph: no weights for constant ${key}`);
        out = c;
        break;
      }
      case 'Identity':
        out = arg(0);
        break;
      case '_FusedConv2D': {
        const ops = (node.attr?.fused_ops?.list?.s ?? []).map(decodeString);
        const strides = ints(node, 'strides');
        out = tf.fused.conv2d({
          x: arg(0) as tf.Tensor4D,
          filter: arg(1) as tf.Tensor4D,
          strides: [strides[1], strides[2]],
          pad: padding(node),
          bias: ops.includes('BiasAdd') ? arg(2) : undefined,
          activation: ops.includes('Relu') ? 'relu' : 'linear',
        });
        break;
      }
      case 'DepthwiseConv2dNative': {
        const strides = ints(node, 'strides');
        out = tf.depthwiseConv2d(arg(0) as tf.Tensor4D, arg(1) as tf.Tensor4D, [strides[1], strides[2]], padding(node));
        break;
      }
      case 'AddV2':
        out = tf.add(arg(0), arg(1));
        break;
      case 'Relu':
        out = tf.relu(arg(0));
        break;
      case 'MaxPool': {
        const k = ints(node, 'ksize');
        const s = ints(node, 'strides');
        out = tf.maxPool(arg(0) as tf.Tensor4D, [k[1], k[2]], [s[1], s[2]], padding(node));
        break;
      }
      case 'Pad': {
        const p = constValues.get(inputs[1].split(':')[0]);
        if (!p) throw new Error(`tfGraph: node ${key}: paddings must be a constant`);
        const pairs: Array<[number, number]> = [];
        for (let i = 0; i < p.length; i += 2) pairs.push([p[i], p[i + 1]]);
        out = tf.pad(arg(0), pairs);
        break;
      }
      case 'Reshape': {
        const shape = constValues.get(inputs[1].split(':')[0]);
        if (!shape) throw new Error(`tfGraph: node ${key}: shape must be a constant`);
        out = tf.reshape(arg(0), shape);
        break;
      }
      default:
        throw new Error(`tfGraph: op ${node.op} of ${key} has no input`);
    }
    cache.set(key, out);
    return out;
  }

  const placeholder = model.modelTopology.node.find((n) => n.op === 'Placeholder');
  if (!placeholder) throw new Error('tfGraph: the graph has no input placeholder');
  return {
    execute(input, outputs) {
      // tidy frees every intermediate; the returned outputs survive it.
      return tf.tidy(() => {
        const cache = new Map<string, tf.Tensor>([[placeholder.name, input]]);
        return outputs.map((o) => tf.clone(evaluate(o, cache)));
      });
    },
    dispose() {
      for (const t of consts.values()) t.dispose();
      consts.clear();
    },
  };
}
