import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { npyToFloat64, npyToInt32, readNpy, type NpyArray } from '../../../io/npy.js';
import type { BfmPieces } from '../../../uv/bfmPieces.js';

/** The files of a 3DDFA_V2 BFM folder and their expected element counts. */
export const BFM_PIECE_FILES = {
  paramMean: ['param_mean_62d.npy', 62],
  paramStd: ['param_std_62d.npy', 62],
  landmarkMean: ['u_base.npy', 204],
  landmarkShapeBasis: ['w_shp_base.npy', 204 * 40],
  landmarkExpressionBasis: ['w_exp_base.npy', 204 * 10],
  uShape: ['u_shp.npy', 53215 * 3],
  uExpression: ['u_exp.npy', 53215 * 3],
  keypoints: ['keypoints_sim.npy', 204],
  triangles: ['tri.npy', 3 * 105840],
  uv: ['bfm_uv.npy', 53215 * 2],
  sampleMean: ['paf_mu.npy', 4096 * 3],
  sampleShapeBasis: ['paf_w_shp.npy', 4096 * 3 * 40],
} as const;

/**
 * Loads the BFM pieces from a 3DDFA_V2 folder (`../shared/3ddfa`): research-use data the
 * user supplies, never shipped. Every missing or mis-shaped file is an error naming it.
 *
 * ```ts
 * const pieces = await loadBfmPieces('../shared/3ddfa');
 * ```
 */
export async function loadBfmPieces(dir: string): Promise<BfmPieces> {
  const read = async (key: keyof typeof BFM_PIECE_FILES): Promise<NpyArray> => {
    const [name, count] = BFM_PIECE_FILES[key];
    const file = path.join(dir, name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (err) {
      throw new Error(`BFM pieces: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the 3DDFA_V2 folder with --bfm`);
    }
    const a = readNpy(bytes, file);
    if (a.data.length !== count) throw new Error(`${file}: expected ${count} values, got ${a.data.length} (shape [${a.shape.join(', ')}])`);
    return a;
  };
  const f64 = async (key: keyof typeof BFM_PIECE_FILES) => npyToFloat64(await read(key));
  const [paramMean, paramStd, landmarkMean, landmarkShapeBasis, landmarkExpressionBasis, uShape, uExpression, uv, sampleMean, sampleShapeBasis] =
    await Promise.all((['paramMean', 'paramStd', 'landmarkMean', 'landmarkShapeBasis', 'landmarkExpressionBasis', 'uShape', 'uExpression', 'uv', 'sampleMean', 'sampleShapeBasis'] as const).map(f64));
  const keypoints = npyToInt32(await read('keypoints'));
  const tri = npyToInt32(await read('triangles'));
  const n = uShape!.length / 3;
  const denseMean = new Float64Array(uShape!.length);
  for (let i = 0; i < denseMean.length; i++) denseMean[i] = uShape![i]! + uExpression![i]!;
  // tri.npy is 3 × m, 1-based.
  const m = tri.length / 3;
  const triangles = new Uint32Array(tri.length);
  for (let t = 0; t < m; t++) for (let k = 0; k < 3; k++) {
    const v = tri[k * m + t]! - 1;
    if (!(v >= 0 && v < n)) throw new Error(`${path.join(dir, 'tri.npy')}: vertex index ${v + 1} outside [1, ${n}]`);
    triangles[t * 3 + k] = v;
  }
  const landmarkVertices = new Uint32Array(68);
  for (let j = 0; j < 68; j++) {
    const v = keypoints[3 * j]!;
    if (v % 3 !== 0 || keypoints[3 * j + 1] !== v + 1 || keypoints[3 * j + 2] !== v + 2) throw new Error(`${path.join(dir, 'keypoints_sim.npy')}: entry ${j} is not an x, y, z index triple`);
    landmarkVertices[j] = v / 3;
  }
  return {
    paramMean: paramMean!, paramStd: paramStd!, landmarkMean: landmarkMean!, landmarkShapeBasis: landmarkShapeBasis!,
    landmarkExpressionBasis: landmarkExpressionBasis!, denseMean, triangles, uv: uv!, landmarkVertices,
    sampleMean: sampleMean!, sampleShapeBasis: sampleShapeBasis!,
  };
}
