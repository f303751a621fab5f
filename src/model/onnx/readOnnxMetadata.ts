/**
 * Reads `metadata_props` from ONNX bytes without decoding the (large) graph, so a
 * model's variant and I/O convention are known before a runtime loads it.
 */
// Hand-written for the same reason as protobufWriter.ts: a schema package would decode the
// whole graph to read a few strings.

const textDecoder = new TextDecoder();

interface Field { field: number; wire: number; value: number; start: number; end: number }

function* fields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (p >= end) throw new Error('not an ONNX model: truncated protobuf varint');
      const byte = b[p++]!;
      result += (byte & 0x7f) * mul;
      if (!(byte & 0x80)) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('not an ONNX model: bad protobuf varint');
    }
  };
  while (p < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { field, wire, value: varint(), start: p, end: p };
    else if (wire === 1) { p += 8; yield { field, wire, value: 0, start: p - 8, end: p }; }
    else if (wire === 5) { p += 4; yield { field, wire, value: 0, start: p - 4, end: p }; }
    else if (wire === 2) {
      const len = varint();
      if (p + len > end) throw new Error('not an ONNX model: length-delimited field runs past the end');
      yield { field, wire, value: len, start: p, end: p + len };
      p += len;
    } else throw new Error(`not an ONNX model: unsupported protobuf wire type ${wire}`);
  }
  if (p !== end) throw new Error('not an ONNX model: truncated protobuf field');
}

/**
 * Returns the model's `metadata_props` as a plain object.
 *
 * ```ts
 * const meta = readOnnxMetadata(bytes); // { 'prnet.variant': 'resfcn256', … }
 * ```
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let sawGraph = false;
  for (const f of fields(bytes, 0, bytes.length)) {
    if (f.field === 7 && f.wire === 2) sawGraph = true;
    if (f.field !== 14 || f.wire !== 2) continue;
    let key = '';
    let value = '';
    for (const g of fields(bytes, f.start, f.end)) {
      if (g.wire !== 2) continue;
      const s = textDecoder.decode(bytes.subarray(g.start, g.end));
      if (g.field === 1) key = s;
      else if (g.field === 2) value = s;
    }
    out[key] = value;
  }
  if (!sawGraph) throw new Error('not an ONNX model: no graph found');
  return out;
}
