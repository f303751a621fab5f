/**
 * A small in-memory description of an ONNX model and its encoder to the ONNX
 * protobuf format (onnx.proto3 field numbers). Only what prnet's graphs need.
 */
import { ProtobufWriter } from './protobufWriter.js';

/** ONNX `TensorProto.DataType` codes of the element types we write. */
export const ONNX_DATA_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 } as const;
export type OnnxDataType = keyof typeof ONNX_DATA_TYPE;

/** A constant tensor (initializer or attribute value). */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  dims: number[];
  /** float32: Float32Array; float16: Uint16Array of half bits; int64: BigInt64Array; … */
  data: Float32Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;
}

/** A node attribute; the variant decides the ONNX attribute type. */
export type OnnxAttribute =
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'ints'; value: number[] }
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'floats'; value: number[] }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: OnnxAttribute[];
}

/** A graph input or output: element type and shape (a string is a symbolic dim; no shape = unknown). */
export interface OnnxValueInfo {
  name: string;
  dataType: OnnxDataType;
  shape?: Array<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  graph: OnnxGraph;
  /** Default-domain opset. */
  opsetVersion: number;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** Stored as `metadata_props`; readable with {@link readOnnxMetadata}. */
  metadata: Record<string, string>;
}

/** Attribute constructors, so call sites read like the ONNX operator docs. */
export const attr = {
  int: (name: string, value: number): OnnxAttribute => ({ name, type: 'int', value }),
  ints: (name: string, value: number[]): OnnxAttribute => ({ name, type: 'ints', value }),
  float: (name: string, value: number): OnnxAttribute => ({ name, type: 'float', value }),
  string: (name: string, value: string): OnnxAttribute => ({ name, type: 'string', value }),
  tensor: (name: string, value: OnnxTensor): OnnxAttribute => ({ name, type: 'tensor', value }),
};

function encodeTensor(t: OnnxTensor): ProtobufWriter {
  const w = new ProtobufWriter();
  w.packedInts(1, t.dims);
  w.int(2, ONNX_DATA_TYPE[t.dataType]);
  w.string(8, t.name);
  // raw_data is little-endian; typed arrays on every supported platform are too.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function encodeAttribute(a: OnnxAttribute): ProtobufWriter {
  const w = new ProtobufWriter();
  w.string(1, a.name);
  switch (a.type) {
    case 'float': w.float(2, a.value); break;
    case 'int': w.int(3, a.value); break;
    case 'string': w.string(4, a.value); break;
    case 'tensor': w.message(5, encodeTensor(a.value)); break;
    case 'floats': w.packedFloats(7, a.value); break;
    case 'ints': w.packedInts(8, a.value); break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.type]);
  return w;
}

function encodeNode(n: OnnxNode): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, encodeAttribute(a));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function encodeValueInfo(v: OnnxValueInfo): ProtobufWriter {
  const tensorType = new ProtobufWriter().int(1, ONNX_DATA_TYPE[v.dataType]);
  if (v.shape) {
    const shape = new ProtobufWriter();
    for (const d of v.shape) {
      const dim = new ProtobufWriter();
      if (typeof d === 'number') dim.int(1, d);
      else dim.string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
  const type = new ProtobufWriter().message(1, tensorType);
  return new ProtobufWriter().string(1, v.name).message(2, type);
}

/**
 * Encodes a model as ONNX protobuf bytes, ready for any ONNX runtime.
 *
 * ```ts
 * const bytes = encodeOnnxModel({ graph, opsetVersion: 17, irVersion: 8,
 *   producerName: 'prnet', producerVersion: '0.1.0', metadata: { variant: 'resfcn256' } });
 * ```
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const g = new ProtobufWriter();
  for (const n of model.graph.nodes) g.message(1, encodeNode(n));
  g.string(2, model.graph.name);
  for (const t of model.graph.initializers) g.message(5, encodeTensor(t));
  for (const v of model.graph.inputs) g.message(11, encodeValueInfo(v));
  for (const v of model.graph.outputs) g.message(12, encodeValueInfo(v));

  const m = new ProtobufWriter();
  m.int(1, model.irVersion);
  m.string(2, model.producerName);
  m.string(3, model.producerVersion);
  if (model.docString) m.string(6, model.docString);
  m.message(7, g);
  m.message(8, new ProtobufWriter().string(1, '').int(2, model.opsetVersion));
  for (const [key, value] of Object.entries(model.metadata)) {
    m.message(14, new ProtobufWriter().string(1, key).string(2, value));
  }
  return m.finish();
}
