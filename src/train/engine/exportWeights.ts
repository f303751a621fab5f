/**
 * Trained weights as a portable pair: a little-endian float32 blob plus a JSON
 * manifest listing each TF variable's name, shape and offset — what the checkpoint
 * converter (`convertCheckpoint`) consumes as `Map<name, Float32Array>`.
 */
import type { NetworkSpec } from '../../model/resfcn.js';
import { networkVariables } from '../../model/resfcn.js';
import { fromFloat16Bits, toFloat16Bits } from '../../model/float16.js';

/** The manifest of {@link exportWeights}. */
export interface WeightsManifest {
  format: 'prnet-weights-1';
  variant: string;
  inputSize: number;
  baseChannels: number;
  /**
   * Element type of the blob (absent: float32). float16 halves the size for warm starts;
   * int8 quarters it: conv kernels of at least {@link INT8_MIN_ELEMENTS} values as int8 with one
   * float32 scale per output channel (the last axis), everything else float32.
   */
  dtype?: 'float32' | 'float16' | 'int8';
  /**
   * In blob order. `offset`: in elements for float32/float16; in bytes for int8, where
   * `int8: true` marks a quantised tensor (its channel scales, float32, follow its values at
   * the next 4-byte boundary).
   */
  variables: Array<{ name: string; shape: number[]; offset: number; int8?: boolean }>;
}

/** Tensors at least this large are quantised by int8 weights (kernels; batch-norm vectors stay float32). */
export const INT8_MIN_ELEMENTS = 1024;

/**
 * Packs TF-named weights (every variable of `spec`, in layer order).
 *
 * ```ts
 * const { manifest, data } = exportWeights(spec, net.exportWeights());
 * ```
 */
export function exportWeights(spec: NetworkSpec, weights: ReadonlyMap<string, Float32Array>, options: { dtype?: 'float32' | 'float16' | 'int8' } = {}): { manifest: WeightsManifest; data: Uint8Array } {
  const vars = networkVariables(spec);
  const total = vars.reduce((n, v) => n + v.shape.reduce((a, b) => a * b, 1), 0);
  const out = new Float32Array(total);
  const manifest: WeightsManifest = { format: 'prnet-weights-1', variant: spec.variant, inputSize: spec.inputSize, baseChannels: spec.baseChannels, variables: [] };
  let offset = 0;
  for (const v of vars) {
    const w = weights.get(v.name);
    const n = v.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) throw new Error(`weights: ${v.name} ${w ? `has ${w.length} values, expected ${n}` : 'is missing'}`);
    out.set(w, offset);
    manifest.variables.push({ name: v.name, shape: v.shape, offset });
    offset += n;
  }
  if (options.dtype === 'int8') return exportInt8(manifest, out);
  if (options.dtype === 'float16') {
    manifest.dtype = 'float16';
    const half = toFloat16Bits(out);
    const bytes = new Uint8Array(total * 2);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < total; i++) dv.setUint16(2 * i, half[i]!, true);
    return { manifest, data: bytes };
  }
  const data = new Uint8Array(out.buffer);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    const dv = new DataView(out.buffer);
    for (let i = 0; i < total; i++) dv.setFloat32(4 * i, out[i]!, true);
  }
  return { manifest, data };
}

/** Unpacks {@link exportWeights}'s pair back into a TF-named map. */
export function importWeights(manifest: WeightsManifest, data: Uint8Array): Map<string, Float32Array> {
  if (manifest.format !== 'prnet-weights-1') throw new Error(`unknown weights format ${String(manifest.format)}`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const half = manifest.dtype === 'float16';
  if (manifest.dtype === 'int8') return importInt8(manifest, data);
  if (manifest.dtype !== undefined && manifest.dtype !== 'float32' && !half) throw new Error(`unknown weights dtype ${String(manifest.dtype)}`);
  const size = half ? 2 : 4;
  const out = new Map<string, Float32Array>();
  for (const v of manifest.variables) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    if (size * (v.offset + n) > data.byteLength) throw new Error(`weights data too short for ${v.name}`);
    let w: Float32Array;
    if (half) {
      const bits = new Uint16Array(n);
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(2 * (v.offset + i), true);
      w = fromFloat16Bits(bits);
    } else {
      w = new Float32Array(n);
      for (let i = 0; i < n; i++) w[i] = dv.getFloat32(4 * (v.offset + i), true);
    }
    out.set(v.name, w);
  }
  return out;
}

/** int8 packing: per output channel (last axis) symmetric scales for large tensors, float32 for the rest. */
function exportInt8(manifest: WeightsManifest, values: Float32Array): { manifest: WeightsManifest; data: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const align4 = () => { const pad = (4 - (bytes % 4)) % 4; if (pad) { chunks.push(new Uint8Array(pad)); bytes += pad; } };
  manifest.dtype = 'int8';
  for (const v of manifest.variables) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const w = values.subarray(v.offset, v.offset + n);
    const channels = v.shape[v.shape.length - 1] ?? 1;
    if (n >= INT8_MIN_ELEMENTS && n % channels === 0) {
      const scales = new Float32Array(channels);
      for (let i = 0; i < n; i++) scales[i % channels] = Math.max(scales[i % channels]!, Math.abs(w[i]!));
      for (let c = 0; c < channels; c++) scales[c] = scales[c]! / 127 || 1;
      const q = new Int8Array(n);
      for (let i = 0; i < n; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i]! / scales[i % channels]!)));
      v.offset = bytes; v.int8 = true;
      chunks.push(new Uint8Array(q.buffer)); bytes += n;
      align4();
      chunks.push(littleEndianFloats(scales)); bytes += channels * 4;
    } else {
      align4();
      v.offset = bytes;
      chunks.push(littleEndianFloats(Float32Array.from(w))); bytes += n * 4;
    }
  }
  const data = new Uint8Array(bytes);
  let o = 0;
  for (const c of chunks) { data.set(c, o); o += c.length; }
  return { manifest, data };
}

function importInt8(manifest: WeightsManifest, data: Uint8Array): Map<string, Float32Array> {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Map<string, Float32Array>();
  for (const v of manifest.variables) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    if (v.int8) {
      const channels = v.shape[v.shape.length - 1] ?? 1;
      const scaleAt = v.offset + n + ((4 - ((v.offset + n) % 4)) % 4);
      if (scaleAt + channels * 4 > data.byteLength) throw new Error(`weights data too short for ${v.name}`);
      for (let i = 0; i < n; i++) w[i] = dv.getInt8(v.offset + i) * dv.getFloat32(scaleAt + 4 * (i % channels), true);
    } else {
      if (v.offset + n * 4 > data.byteLength) throw new Error(`weights data too short for ${v.name}`);
      for (let i = 0; i < n; i++) w[i] = dv.getFloat32(v.offset + 4 * i, true);
    }
    out.set(v.name, w);
  }
  return out;
}

function littleEndianFloats(f: Float32Array): Uint8Array {
  const b = new Uint8Array(f.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < f.length; i++) dv.setFloat32(4 * i, f[i]!, true);
  return b;
}
