/**
 * A small seeded random generator whose whole state is one uint32, so a training
 * checkpoint can store it and a resumed run draws exactly the same numbers.
 */

/** A seeded generator: call it for a float in [0, 1); read or set `state` to save or restore it. */
export interface TrainRandom {
  (): number;
  /** The uint32 state; assigning it rewinds the generator to that point. */
  state: number;
}

/**
 * Creates a mulberry32 generator (fast, 2^32 period, good enough for shuffling,
 * augmentation and weight initialisation).
 *
 * ```ts
 * const rng = createTrainRandom(42);
 * const u = rng();            // [0, 1)
 * const saved = rng.state;    // store in a checkpoint
 * rng.state = saved;          // resume
 * ```
 */
export function createTrainRandom(seed: number): TrainRandom {
  const rng = (() => {
    rng.state = (rng.state + 0x6d2b79f5) >>> 0;
    let t = rng.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as TrainRandom;
  rng.state = seed >>> 0;
  return rng;
}

/** Fisher–Yates shuffle of `0 … n−1` driven by `rng` (the epoch's data order). */
export function shuffledIndices(n: number, rng: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
