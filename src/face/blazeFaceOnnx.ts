/**
 * BlazeFace as an ONNX model: `@vladmandic/human`'s tfjs graph (`models/blazeface.json` +
 * `.bin`) converted by {@link tfGraphToOnnx}, prnet's own converter, so ONNX Runtime (Node
 * and browser) runs the detector. Isomorphic: JSON and bytes in, ONNX bytes out; the
 * adapters (`src/node/inference/detector.ts`, `src/web/detector.ts`) open the session and
 * wrap it with {@link blazeFaceOnnxNetwork}.
 */
import { BLAZEFACE_OUTPUTS, type BlazeFaceNetwork } from './blazeFaceDetector.js';
import type { TfGraphModelJson } from './tfGraph.js';
import { tfGraphToOnnx, type TfGraphToOnnxOptions } from './tfGraphToOnnx.js';

/** Name of the converted model's input (the tfjs graph's placeholder): NHWC `[1, 256, 256, 3]` or NCHW `[1, 3, 256, 256]`. */
export const BLAZEFACE_ONNX_INPUT = 'input';

/**
 * Converts the BlazeFace tfjs graph to ONNX bytes: input {@link BLAZEFACE_ONNX_INPUT},
 * outputs {@link BLAZEFACE_OUTPUTS} (NHWC-ordered, exactly as the tfjs graph's). BlazeFace
 * is Apache-2.0 (MediaPipe); the converted model records that in its metadata.
 * `channelMultiple` pads the channels inside the graph (see {@link TfGraphToOnnxOptions}):
 * 16 makes onnxruntime-node's AVX-512 kernels 20 % faster here; leave it at 1 for
 * onnxruntime-web, whose WebAssembly kernels gain nothing from it. `inputLayout` `nchw`
 * takes planar input (`blazeFaceInput(image, 'nchw')`), which saves a Transpose.
 *
 * ```ts
 * const onnx = blazeFaceToOnnx(JSON.parse(jsonText), binBytes); // ≈ 0.6 MB
 * ```
 */
export function blazeFaceToOnnx(modelJson: TfGraphModelJson, weightData: Uint8Array, options: Pick<TfGraphToOnnxOptions, 'channelMultiple' | 'inputLayout'> = {}): Uint8Array {
  return tfGraphToOnnx(modelJson, weightData, {
    ...options,
    outputs: [...BLAZEFACE_OUTPUTS],
    metadata: {
      model: 'BlazeFace (MediaPipe face detection, back-camera 256×256), converted from the tfjs graph model in @vladmandic/human by prnet tfGraphToOnnx',
      license: 'Apache-2.0 (MediaPipe); tfjs packaging MIT (@vladmandic/human)',
    },
  });
}

/** What {@link blazeFaceOnnxNetwork} needs of an ONNX Runtime session (onnxruntime-node and -web both fit). */
export interface BlazeFaceOnnxSession<T> {
  run(feeds: Record<string, T>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}

/**
 * Wraps an ONNX Runtime session of {@link blazeFaceToOnnx}'s model as a
 * {@link BlazeFaceNetwork}; `tensor` makes the runtime's input tensor (runtimes differ);
 * `layout` is the model's `inputLayout`.
 *
 * ```ts
 * const session = await ort.InferenceSession.create(blazeFaceToOnnx(json, bin, { inputLayout: 'nchw' }));
 * const network = blazeFaceOnnxNetwork(session, (data, dims) => new ort.Tensor('float32', data, dims), 'nchw');
 * ```
 */
export function blazeFaceOnnxNetwork<T>(session: BlazeFaceOnnxSession<T>, tensor: (data: Float32Array, dims: number[]) => T, layout: 'nhwc' | 'nchw' = 'nhwc'): BlazeFaceNetwork {
  return {
    layout,
    async run(input) {
      const side = Math.round(Math.sqrt(input.length / 3));
      const out = await session.run({ [BLAZEFACE_ONNX_INPUT]: tensor(input, layout === 'nchw' ? [1, 3, side, side] : [1, side, side, 3]) });
      return BLAZEFACE_OUTPUTS.map((name) => {
        const data = out[name]?.data;
        if (!(data instanceof Float32Array)) throw new Error(`BlazeFace ONNX model: output ${name} is missing or not float32`);
        return data;
      });
    },
    dispose() {
      void session.release();
    },
  };
}
