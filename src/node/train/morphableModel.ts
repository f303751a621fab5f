import { morphableModel, type MorphableModel } from '../../labels/posmap300wlp/morphableModel.js';
import { readMatFile } from '../files/readMatFile.js';

/**
 * Loads a morphable model from face3d's `BFM.mat` and `BFM_UV.mat` (user-supplied: the
 * Basel Face Model's licence forbids redistribution). Errors name the file and field.
 *
 * ```ts
 * const model = await loadMorphableModel('Data/BFM/Out/BFM.mat', 'Data/BFM/Out/BFM_UV.mat');
 * ```
 */
export async function loadMorphableModel(bfmPath: string, uvPath: string, uvSize = 256): Promise<MorphableModel> {
  const [bfm, uv] = await Promise.all([readMatFile(bfmPath), readMatFile(uvPath)]);
  return morphableModel(bfm, uv, { uvSize, bfmName: bfmPath, uvName: uvPath });
}
