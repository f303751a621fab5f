/**
 * Trained weights as a portable pair: a little-endian float32 blob plus a JSON
 * manifest listing each TF variable's name, shape and offset — what the checkpoint
 * converter (`convertCheckpoint`) consumes as `Map<name, Float32Array>`.
 */
import type { NetworkSpec } from '../model/resfcn.js';
import { networkVariables } from '../model/resfcn.js';
import { fromFloat16Bits, toFloat16Bits } from '../model/float16.js';

/** The manifest of {@link exportWeights}. */
export interface WeightsManifest {
  format: 'prnet-weights-1';
  variant: string;
  inputSize: number;
  baseChannels: number;
  /** Element type of the blob (absent: float32). float16 halves the size for warm starts. */
  dtype?: 'float32' | 'float16';
  /** In blob order; `offset` in elements. */
  variables: Array<{ name: string; shape: number[]; offset: number }>;
}

/**
 * Packs TF-named weights (every variable of `spec`, in layer order).
 *
 * ```ts
 * const { manifest, data } = exportWeights(spec, net.exportWeights());
 * ```
 */
export function exportWeights(spec: NetworkSpec, weights: ReadonlyMap<string, Float32Array>, options: { dtype?: 'float32' | 'float16' } = {}): { manifest: WeightsManifest; data: Uint8Array } {
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
