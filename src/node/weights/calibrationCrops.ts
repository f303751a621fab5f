/**
 * Face crops for int8 calibration, made exactly as inference makes them: decode each
 * photo, detect its faces, crop them at the model's input size.
 */
import { decodeImage } from '../inference/decodeImage.js';
import { loadDetector } from '../inference/detector.js';
import { locateFaces } from '../../reconstruct/locateFaces.js';
import { cropFaces } from '../../reconstruct/cropFaces.js';

export interface CalibrationCropsOptions {
  /** Stop after this many crops. */
  maxCrops?: number;
  /** Called for a photo that could not be used (unreadable, no face). */
  onSkip?: (file: string, reason: string) => void;
}

/**
 * Returns up to `maxCrops` face crops (`inputSize² · 3` floats each) from `files`.
 *
 * ```ts
 * const crops = await calibrationCrops(['a.jpg', 'b.jpg'], 256);
 * ```
 */
export async function calibrationCrops(files: readonly string[], inputSize: number, options: CalibrationCropsOptions = {}): Promise<Float32Array[]> {
  const max = options.maxCrops ?? 32;
  const detector = await loadDetector();
  const crops: Float32Array[] = [];
  const n = inputSize * inputSize * 3;
  try {
    for (const file of files) {
      if (crops.length >= max) break;
      try {
        const image = await decodeImage(file);
        const faces = await locateFaces(image, { detector, maxFaces: max - crops.length });
        if (!faces.length) { options.onSkip?.(file, 'no face found'); continue; }
        const { input, count } = cropFaces(image, faces, inputSize);
        for (let i = 0; i < count; i++) crops.push(input.slice(i * n, (i + 1) * n));
      } catch (err) {
        options.onSkip?.(file, (err as Error).message);
      }
    }
  } finally {
    detector.dispose();
  }
  return crops;
}
