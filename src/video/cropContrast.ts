/**
 * How much a face crop varies: the standard deviation of its grey levels. A crop that hardly
 * varies (a black or flat frame, the end of a fade, a covered camera) cannot hold a face,
 * whatever the network makes of it. Isomorphic.
 */

/**
 * The tracker's default floor for {@link cropContrast}, in grey levels (0–255). The tracker
 * crops of the 1,537 helen-afw68 faces, cut from their human 68 points, measure 20.3 at the
 * least, 29.6 at the 1st percentile and 60.1 at the median (`npm run bench -- sceneCut`), so
 * 6 drops no face of that set while a frame faded to 10 % of a typical face's contrast falls below.
 */
export const MIN_CROP_CONTRAST = 6;

/**
 * Standard deviation, in grey levels (0–255, Rec. 601 weights), of crop `index` of an NHWC
 * batch of `size`×`size` RGB crops in [0, 1] (what `cropFaces` makes).
 *
 * ```ts
 * const { input } = cropFaces(image, faces, 128);
 * if (cropContrast(input, 0, 128) < MIN_CROP_CONTRAST) console.log('no face can be there');
 * ```
 */
export function cropContrast(batch: Float32Array, index: number, size: number): number {
  const n = size * size;
  const base = index * n * 3;
  if (base + n * 3 > batch.length) throw new Error(`cropContrast: crop ${index} is beyond a batch of ${batch.length / (n * 3)}`);
  let sum = 0, sumSquares = 0;
  for (let p = base; p < base + n * 3; p += 3) {
    const grey = 0.299 * batch[p]! + 0.587 * batch[p + 1]! + 0.114 * batch[p + 2]!;
    sum += grey;
    sumSquares += grey * grey;
  }
  const mean = sum / n;
  return 255 * Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
}
