import type { MatFile, MatNumeric, MatStruct, MatValue } from '../../io/mat.js';
import { withDefaults } from '../../io/withDefaults.js';

/**
 * A 3D morphable model as face3d's `MorphabelModel` holds it (Basel Face Model in the
 * 3DDFA layout, `BFM.mat`), plus its UV coordinates (`BFM_UV.mat`) already mapped to
 * pixels of the UV position map.
 */
export interface MorphableModel {
  /** n: number of vertices. */
  vertexCount: number;
  /** `3n`: shapeMU + expMU (face3d's loader folds the expression mean into the mean), x y z per vertex. */
  mean: Float64Array;
  /** Number of shape components (199 in the BFM). */
  shapeCount: number;
  /** `3n × shapeCount`, row-major (row = coordinate of the mean, column = component). */
  shapeBasis: Float64Array;
  /** Number of expression components (29 in the BFM). */
  expressionCount: number;
  /** `3n × expressionCount`, row-major. */
  expressionBasis: Float64Array;
  /** face3d's `full_triangles`: `tri` then `tri_mouth`, 0-based, `m × 3`. */
  triangles: Uint32Array;
  /** The 68 landmark vertices (`kpt_ind`), 0-based. */
  keypointIndices: Uint32Array;
  /** `n × 3` float32: UV pixel coordinates (`process_uv`: u·(W−1), H − v·(H−1) − 1) and z = 0. */
  uvCoords: Float32Array;
  /** Side of the UV map `uvCoords` are in. */
  uvSize: number;
}

/** Options of {@link morphableModel}. */
export interface MorphableModelOptions {
  /** Side of the UV position map (face3d: 256). */
  uvSize: number;
  /** Name of the BFM file in error messages. */
  bfmName: string;
  /** Name of the UV file in error messages. */
  uvName: string;
}

/** Defaults of {@link morphableModel}. */
export const MORPHABLE_MODEL_DEFAULTS: MorphableModelOptions = { uvSize: 256, bfmName: 'BFM.mat', uvName: 'BFM_UV.mat' };

/**
 * Builds the morphable model from decoded `BFM.mat` (struct `model`) and `BFM_UV.mat`
 * (`UV`), exactly as face3d's `load_BFM` + `load_uv_coords` + `process_uv`: mean =
 * shapeMU + expMU, triangles transposed and made 0-based, `full_triangles = [tri; tri_mouth]`.
 * Sizes come from the file (any number of vertices and components); every inconsistency
 * is an error naming the field.
 *
 * ```ts
 * const model = morphableModel(parseMat(bfmBytes, { inflate }), parseMat(uvBytes, { inflate }));
 * ```
 */
export function morphableModel(bfm: MatFile, uv: MatFile, options: Partial<MorphableModelOptions> = {}): MorphableModel {
  const o = withDefaults(MORPHABLE_MODEL_DEFAULTS, options);
  const { bfmName, uvName, uvSize } = o;
  if (!Number.isInteger(uvSize) || uvSize < 2) throw new Error(`UV map size must be an integer ≥ 2, got ${uvSize}`);
  const modelVar = bfm.variables['model'];
  if (!modelVar) throw new Error(`${bfmName}: variable 'model' is missing (expected face3d's BFM.mat with a struct 'model')`);
  if (modelVar.kind !== 'struct' || modelVar.elements.length < 1) throw new Error(`${bfmName}: 'model' is a ${modelVar.kind} array, expected a struct`);
  const fields = (modelVar as MatStruct).elements[0]!;
  const field = (name: string): MatNumeric => numeric(fields[name], `${bfmName}: model.${name}`);

  const shapeMU = field('shapeMU');
  const len = shapeMU.data.length;
  if (len === 0 || len % 3 !== 0 || !isVector(shapeMU)) throw new Error(`${bfmName}: model.shapeMU is ${shapeMU.shape.join('×')}, expected a 3n×1 vector`);
  const n = len / 3;
  const expMU = field('expMU');
  if (expMU.data.length !== len || !isVector(expMU)) throw new Error(`${bfmName}: model.expMU is ${expMU.shape.join('×')}, expected ${len}×1 like shapeMU`);
  const mean = new Float64Array(len);
  for (let i = 0; i < len; i++) mean[i] = Number(shapeMU.data[i]) + Number(expMU.data[i]);

  const basis = (name: string): { basis: Float64Array; count: number } => {
    const b = field(name);
    if (b.shape.length !== 2 || b.shape[0] !== len || b.shape[1]! < 1) throw new Error(`${bfmName}: model.${name} is ${b.shape.join('×')}, expected ${len}×k (3n rows like shapeMU)`);
    return { basis: toFloat64(b.data), count: b.shape[1]! };
  };
  const shape = basis('shapePC');
  const exp = basis('expPC');

  const tri = triangleField(field('tri'), `${bfmName}: model.tri`, n);
  const mouth = triangleField(field('tri_mouth'), `${bfmName}: model.tri_mouth`, n);
  const triangles = new Uint32Array(tri.length + mouth.length);
  triangles.set(tri);
  triangles.set(mouth, tri.length);

  const kpt = field('kpt_ind');
  if (!isVector(kpt) || kpt.data.length !== 68) throw new Error(`${bfmName}: model.kpt_ind is ${kpt.shape.join('×')}, expected 68 indices`);
  const keypointIndices = new Uint32Array(68);
  for (let i = 0; i < 68; i++) keypointIndices[i] = oneBased(Number(kpt.data[i]), n, `${bfmName}: model.kpt_ind`);

  const uvVar = numeric(uv.variables['UV'], `${uvName}: UV`);
  if (uvVar.shape.length !== 2 || uvVar.shape[0] !== n || uvVar.shape[1] !== 2) throw new Error(`${uvName}: UV is ${uvVar.shape.join('×')}, expected ${n}×2 (one u v pair per model vertex)`);
  // face3d's process_uv (float32, as render_colors casts the vertices).
  const uvCoords = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = Number(uvVar.data[i * 2]), v = Number(uvVar.data[i * 2 + 1]);
    if (!Number.isFinite(u) || !Number.isFinite(v)) throw new Error(`${uvName}: UV row ${i + 1} is not finite`);
    uvCoords[i * 3] = u * (uvSize - 1);
    uvCoords[i * 3 + 1] = uvSize - v * (uvSize - 1) - 1;
  }
  return {
    vertexCount: n, mean,
    shapeCount: shape.count, shapeBasis: shape.basis,
    expressionCount: exp.count, expressionBasis: exp.basis,
    triangles, keypointIndices, uvCoords, uvSize,
  };
}

function numeric(v: MatValue | undefined, what: string): MatNumeric {
  if (!v) throw new Error(`${what} is missing`);
  if (v.kind !== 'numeric') throw new Error(`${what} is a ${v.kind} array, expected numeric`);
  if (v.imag) throw new Error(`${what} is complex, expected real`);
  return v;
}

function isVector(v: MatNumeric): boolean {
  return v.shape.filter((d) => d !== 1).length <= 1;
}

function toFloat64(data: MatNumeric['data']): Float64Array {
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

function oneBased(value: number, n: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > n) throw new Error(`${what} holds ${value}, expected 1-based vertex indices in [1, ${n}]`);
  return value - 1;
}

/** A MATLAB 3×m (face3d's layout) or m×3 triangle list → 0-based `m × 3`. */
function triangleField(v: MatNumeric, what: string, n: number): Uint32Array {
  const [r, c] = v.shape as [number, number];
  if (v.shape.length !== 2 || (r !== 3 && c !== 3)) throw new Error(`${what} is ${v.shape.join('×')}, expected 3×m`);
  const transposed = r === 3; // face3d: tri.T
  const m = transposed ? c : r;
  const out = new Uint32Array(m * 3);
  for (let t = 0; t < m; t++) {
    for (let k = 0; k < 3; k++) out[t * 3 + k] = oneBased(Number(v.data[transposed ? k * m + t : t * 3 + k]), n, what);
  }
  return out;
}
