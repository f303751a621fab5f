import { tddfaImagePose } from '../face/tddfa/tddfaImagePose.js';
import { tddfaInput, TDDFA_INPUT_SIZE, type TddfaInputOptions } from '../face/tddfa/tddfaInput.js';
import { tddfaParameters, TDDFA_PARAMETER_COUNT, type TddfaParameters } from '../face/tddfa/tddfaParameters.js';
import { tddfaProject } from '../face/tddfa/tddfaProject.js';
import { tddfaRoiFromLandmarks, type TddfaRoiBox } from '../face/tddfa/tddfaRoiBox.js';
import type { BfmPieces } from '../uv/bfmPieces.js';
import type { LandmarkHint, LandmarkPrediction, LandmarkPredictor } from './evaluateAflw2000.js';
import type { RgbImage } from '../io/rgbImage.js';

/** A 3DDFA_V2 network: raw outputs (`n × 62`) of NCHW 120×120 inputs. */
export interface TddfaRegressor {
  predict(input: Float32Array, n: number): Promise<Float32Array>;
}

/** What the 3DDFA predictors need of the BFM pieces. */
export type TddfaBfm = Pick<BfmPieces, 'paramMean' | 'paramStd' | 'landmarkMean' | 'landmarkShapeBasis' | 'landmarkExpressionBasis'>;

/**
 * Runs a 3DDFA_V2 network on benchmark items, each cropped as 3DDFA crops from the
 * ground-truth 68 points (the counterpart of PRNet's landmark crop): the parameters and
 * the crop box of each item.
 */
export async function tddfaOnItems(
  network: TddfaRegressor, bfm: TddfaBfm, items: { image?: RgbImage; groundTruth: LandmarkHint }[], resample: TddfaInputOptions['resample'] = 'bilinear',
): Promise<{ params: TddfaParameters; roi: TddfaRoiBox }[]> {
  return tddfaOnCrops(network, bfm, items.map((it) => {
    if (!it.image) throw new Error('a 3DDFA predictor needs the images');
    return { image: it.image, roi: tddfaRoiFromLandmarks(it.groundTruth.landmarks, 3) };
  }), resample);
}

/**
 * Runs a 3DDFA_V2 network on given crop boxes (in one network call): the parameters and the
 * crop box of each.
 *
 * ```ts
 * const [{ params, roi }] = await tddfaOnCrops(network, bfm, [{ image, roi: tddfaRoiFromBox(box) }]);
 * ```
 */
export async function tddfaOnCrops(
  network: TddfaRegressor, bfm: Pick<TddfaBfm, 'paramMean' | 'paramStd'>, crops: { image: RgbImage; roi: TddfaRoiBox }[], resample: TddfaInputOptions['resample'] = 'bilinear',
): Promise<{ params: TddfaParameters; roi: TddfaRoiBox }[]> {
  const per = 3 * TDDFA_INPUT_SIZE * TDDFA_INPUT_SIZE;
  const input = new Float32Array(per * crops.length);
  crops.forEach(({ image, roi }, i) => tddfaInput(image, roi, { out: input, offset: i * per, resample }));
  const raw = await network.predict(input, crops.length);
  return crops.map(({ roi }, i) => ({ params: tddfaParameters(raw.subarray(i * TDDFA_PARAMETER_COUNT, (i + 1) * TDDFA_PARAMETER_COUNT), bfm.paramMean, bfm.paramStd), roi }));
}

/**
 * A 3DDFA_V2 model (e.g. the teacher) as a {@link LandmarkPredictor}: its 68 landmarks in
 * image pixels (`similar_transform`) and the rotation of its camera.
 *
 * ```ts
 * const predictor = tddfaPredictor(await loadTddfaTeacher('mb1_120x120.onnx'), await loadBfmPieces(dir));
 * ```
 */
export function tddfaPredictor(network: TddfaRegressor, bfm: TddfaBfm, name = '3DDFA_V2 model'): LandmarkPredictor {
  const model = { mean: bfm.landmarkMean, shapeBasis: bfm.landmarkShapeBasis, expressionBasis: bfm.landmarkExpressionBasis };
  return {
    name,
    needsImage: true,
    async predict(items): Promise<LandmarkPrediction[]> {
      return (await tddfaOnItems(network, bfm, items)).map(({ params, roi }) => ({
        landmarks: tddfaProject(params, model, roi),
        rotation: tddfaImagePose(params, roi).rotation,
      }));
    },
  };
}
