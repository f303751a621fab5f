/**
 * The one small interface every inference runtime implements (onnxruntime-node in
 * Node, onnxruntime-web in the browser, a training framework during training).
 * The pipeline depends on this interface only.
 */

/**
 * I/O convention of every prnet model (recorded in the ONNX metadata too):
 * - input `image`: float32 NHWC `[n, inputSize, inputSize, 3]`, RGB in [0, 1];
 * - output `position_map`: float32 NHWC `[n, 256, 256, 3]`, x and y in pixels of the
 *   256×256 crop, z in the same units (the official PRNet convention).
 */
export const MODEL_INPUT_NAME = 'image';
export const MODEL_OUTPUT_NAME = 'position_map';

/** A loaded position-map regression model, ready to serve many calls. */
export interface PositionMapModel {
  /** Side of the square input crop the model expects (256 official, 128 light). */
  readonly inputSize: number;
  /** Side of the position map it returns (always 256). */
  readonly outputSize: number;
  /** Metadata stored with the model (variant, source checkpoint sha256, convention…). */
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * Runs the network on `batch` crops packed NHWC in `input`
   * (`batch · inputSize² · 3` floats) and returns `batch · 256² · 3` floats.
   */
  predict(input: Float32Array, batch: number): Promise<Float32Array>;
  /** Frees the runtime's resources. */
  dispose(): Promise<void>;
}
