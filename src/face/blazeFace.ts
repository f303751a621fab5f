/**
 * BlazeFace on tfjs-core (whichever backend the caller registered; the WebAssembly one in
 * Node and the browser), run by the small graph executor {@link tfGraph}. The preprocessing
 * and decoding are {@link blazeFaceDetector}'s, shared with the ONNX Runtime path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceDetector } from './faceDetector.js';
import { BLAZEFACE_INPUT_SIZE, BLAZEFACE_OUTPUTS, blazeFaceDetector, type BlazeFaceNetwork, type BlazeFaceOptions } from './blazeFaceDetector.js';
import { tfGraph, type TfGraphModelJson } from './tfGraph.js';

export { BLAZEFACE_INPUT_SIZE, BLAZEFACE_DEFAULTS, type BlazeFaceOptions } from './blazeFaceDetector.js';

/** The BlazeFace graph as a {@link BlazeFaceNetwork} on tfjs-core. */
export function blazeFaceTfjsNetwork(modelJson: TfGraphModelJson, weightData: Uint8Array): BlazeFaceNetwork {
  const graph = tfGraph(modelJson, weightData);
  const outputs = [...BLAZEFACE_OUTPUTS];
  return {
    async run(input) {
      const x = tf.tensor4d(input, [1, BLAZEFACE_INPUT_SIZE, BLAZEFACE_INPUT_SIZE, 3]);
      const results = graph.execute(x, outputs);
      x.dispose();
      const arrays = await Promise.all(results.map((t) => t.data() as Promise<Float32Array>));
      for (const t of results) t.dispose();
      return arrays;
    },
    dispose() {
      graph.dispose();
    },
  };
}

/**
 * Creates a BlazeFace {@link FaceDetector} on tfjs from the tfjs graph model files. Register a
 * tfjs backend first (`src/node/inference/detector.ts` does, with WebAssembly in Node).
 *
 * ```ts
 * const detector = blazeFace(modelJson, weightBytes, { maxFaces: 5 });
 * const faces = await detector.detect(image); // [{ box: [x, y, w, h], score, keypoints }]
 * ```
 */
export function blazeFace(modelJson: TfGraphModelJson, weightData: Uint8Array, options: Partial<BlazeFaceOptions> = {}): FaceDetector {
  return blazeFaceDetector(blazeFaceTfjsNetwork(modelJson, weightData), options);
}
