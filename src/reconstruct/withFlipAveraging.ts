import { mirrorPositionMap } from '../uv/mirrorPositionMap.js';
import type { PositionMapModel } from '../model/session.js';

/**
 * Test-time flip augmentation: a model that runs each crop and its mirror image (one
 * network call of twice the batch) and returns the mean of the crop's map and the
 * mirrored map of the mirror image ({@link mirrorPositionMap}). It costs twice the
 * network time; the two predictions' errors are partly independent, so their mean is
 * closer to the face (measured in `prnet eval --flip-average`, see the README).
 *
 * ```ts
 * const model = withFlipAveraging(await loadOnnxModel('models/default.onnx'));
 * const maps = await model.predict(crops, 4);
 * ```
 */
export function withFlipAveraging(model: PositionMapModel): PositionMapModel {
  const S = model.inputSize, M = model.outputSize;
  const inPer = S * S * 3, outPer = M * M * 3;
  return {
    inputSize: S,
    outputSize: M,
    metadata: model.metadata,
    async predict(input, batch) {
      if (input.length !== batch * inPer) throw new Error(`network input holds ${input.length / inPer} crops, expected ${batch}`);
      const both = new Float32Array(2 * batch * inPer);
      both.set(input);
      for (let b = 0; b < batch; b++) {
        const src = b * inPer, dst = (batch + b) * inPer;
        for (let y = 0; y < S; y++) {
          for (let x = 0; x < S; x++) {
            const i = src + (y * S + x) * 3, o = dst + (y * S + S - 1 - x) * 3;
            both[o] = input[i]!; both[o + 1] = input[i + 1]!; both[o + 2] = input[i + 2]!;
          }
        }
      }
      const maps = await model.predict(both, 2 * batch);
      const out = new Float32Array(batch * outPer);
      const mirrored = new Float32Array(outPer);
      for (let b = 0; b < batch; b++) {
        mirrorPositionMap(maps.subarray((batch + b) * outPer, (batch + b + 1) * outPer), M, mirrored);
        const a = maps.subarray(b * outPer, (b + 1) * outPer), o = out.subarray(b * outPer, (b + 1) * outPer);
        for (let k = 0; k < outPer; k++) o[k] = 0.5 * (a[k]! + mirrored[k]!);
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}
