/**
 * A small summary of a video frame for telling shots apart ({@link sceneCut}): a 16×16
 * grey thumbnail, which follows where things are, and per-channel colour histograms,
 * which ignore where they are and so survive camera motion. Isomorphic.
 */
import type { RgbImage } from '../io/rgbImage.js';

/** Cells per side of the thumbnail. */
export const SIGNATURE_GRID = 16;

/** Bins per colour channel of the histograms. */
export const SIGNATURE_BINS = 16;

/** Pixels sampled at most (a stride over larger frames keeps the cost near a millisecond). */
const MAX_SAMPLES = 65_536;

/** What {@link frameSignature} returns. */
export interface FrameSignature {
  /** Mean grey level (0–255, Rec. 601 weights) of each cell, row by row. */
  thumbnail: Float32Array;
  /** Red, green and blue histograms, each summing to 1. */
  histogram: Float32Array;
}

/**
 * Summarises a frame for {@link sceneCut}.
 *
 * ```ts
 * const a = frameSignature(previous), b = frameSignature(frame);
 * if (sceneCut(a, b)) console.log('new shot');
 * ```
 */
export function frameSignature(image: RgbImage): FrameSignature {
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length < width * height * 3) throw new Error(`frameSignature: need a ${width}×${height} RGB image`);
  const stride = Math.max(1, Math.floor(Math.sqrt((width * height) / MAX_SAMPLES)));
  const n = SIGNATURE_GRID;
  const thumbnail = new Float32Array(n * n);
  const counts = new Float32Array(n * n);
  const histogram = new Float32Array(3 * SIGNATURE_BINS);
  const shift = 8 - Math.log2(SIGNATURE_BINS);
  const cellOfColumn = new Int32Array(width);
  for (let x = 0; x < width; x++) cellOfColumn[x] = Math.floor((x * n) / width);
  let samples = 0;
  for (let y = 0; y < height; y += stride) {
    const row = Math.floor((y * n) / height) * n;
    for (let x = 0; x < width; x += stride) {
      const i = (y * width + x) * 3;
      const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
      const cell = row + cellOfColumn[x]!;
      thumbnail[cell] += 0.299 * r + 0.587 * g + 0.114 * b;
      counts[cell]++;
      histogram[r >> shift]++;
      histogram[SIGNATURE_BINS + (g >> shift)]++;
      histogram[2 * SIGNATURE_BINS + (b >> shift)]++;
      samples++;
    }
  }
  // A frame smaller than the grid leaves cells unsampled: they take the mean grey.
  let mean = 0;
  for (let k = 0; k < n * n; k++) mean += thumbnail[k]!;
  mean /= samples;
  for (let k = 0; k < n * n; k++) thumbnail[k] = counts[k]! > 0 ? thumbnail[k]! / counts[k]! : mean;
  for (let k = 0; k < histogram.length; k++) histogram[k]! /= samples;
  return { thumbnail, histogram };
}
