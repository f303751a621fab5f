/**
 * The loop every landmark benchmark shares: load images in batches, run a method on each
 * batch, score each image. Isomorphic.
 */
import type { RgbImage } from '../io/rgbImage.js';
import { withDefaults } from '../io/withDefaults.js';

/** One image of a benchmark: its name and a loader for its image and ground truth. */
export interface EvaluationSample<G> {
  name: string;
  /** Loads the ground truth, and the image when `withImage` (a baseline may not need it). */
  load(withImage: boolean): Promise<{ image?: RgbImage; groundTruth: G }>;
}

/** A method's answer for one image that it could not predict (e.g. its detector found no face there). */
export interface PredictionFailure {
  error: string;
}

/** Options of {@link evaluateSamples}. */
export interface EvaluateSamplesOptions {
  /** Images per `predict` call. */
  batchSize: number;
  /** Called after every batch with the number of images done. */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of {@link EvaluateSamplesOptions}. */
export const EVALUATE_SAMPLES_DEFAULTS: EvaluateSamplesOptions = { batchSize: 8 };

/** How a benchmark runs a method and scores it. */
export interface SampleScoring<G, P, R> {
  /** Whether `predict` needs the decoded images. */
  needsImage: boolean;
  /** Predicts a batch: one result (or failure) per item, in order. */
  predict(items: { image?: RgbImage; groundTruth: G }[]): Promise<(P | PredictionFailure)[]>;
  /** The record of an image predicted (may throw: the image then fails with that message). */
  score(name: string, groundTruth: G, prediction: P): R;
  /** The record of an image that failed, with the ground truth when it was loaded. */
  failed(name: string, error: string, groundTruth?: G): R;
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * Runs a method over a benchmark's images in batches and scores every image. Loading
 * (decoding) of the next batch overlaps the current batch's prediction. A failure to
 * load, predict or score an image is recorded as that image's failure and the run goes on.
 *
 * ```ts
 * const records = await evaluateSamples(samples, { needsImage: true, predict, score, failed }, { batchSize: 8 });
 * ```
 */
export async function evaluateSamples<G, P, R>(samples: readonly EvaluationSample<G>[], scoring: SampleScoring<G, P, R>, options: Partial<EvaluateSamplesOptions> = {}): Promise<R[]> {
  const { batchSize, onProgress } = withDefaults(EVALUATE_SAMPLES_DEFAULTS, options);
  if (!(batchSize >= 1)) throw new Error(`batch size must be ≥ 1, got ${batchSize}`);
  type Loaded = { sample: EvaluationSample<G>; value?: { image?: RgbImage; groundTruth: G }; error?: string };
  const loadBatch = (start: number): Promise<Loaded[]> =>
    Promise.all(
      samples.slice(start, start + batchSize).map((sample) =>
        sample.load(scoring.needsImage).then(
          (value) => ({ sample, value }),
          (err: unknown) => ({ sample, error: message(err) }),
        ),
      ),
    );
  const records: R[] = [];
  let pending = samples.length > 0 ? loadBatch(0) : undefined;
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = await pending!;
    // Start decoding the next batch while this one runs through the method.
    pending = start + batchSize < samples.length ? loadBatch(start + batchSize) : undefined;
    const ok = batch.filter((b) => b.value);
    let predictions: (P | PredictionFailure)[] = [];
    let batchError: string | undefined;
    if (ok.length > 0) {
      try {
        predictions = await scoring.predict(ok.map((b) => b.value!));
      } catch (err) {
        batchError = message(err);
      }
    }
    let k = 0;
    for (const b of batch) {
      if (!b.value) {
        records.push(scoring.failed(b.sample.name, b.error!));
        continue;
      }
      const gt = b.value.groundTruth;
      const p = predictions[k++];
      if (batchError || !p) {
        records.push(scoring.failed(b.sample.name, batchError ?? 'no prediction returned', gt));
      } else if (typeof p === 'object' && 'error' in p) {
        records.push(scoring.failed(b.sample.name, (p as PredictionFailure).error, gt));
      } else {
        try {
          records.push(scoring.score(b.sample.name, gt, p));
        } catch (err) {
          records.push(scoring.failed(b.sample.name, message(err), gt));
        }
      }
    }
    onProgress?.(Math.min(start + batchSize, samples.length), samples.length);
  }
  return records;
}
