import test from 'node:test';
import assert from 'node:assert/strict';
import { oneEuroFilter, ONE_EURO_FILTER_DEFAULTS } from '../../src/video/oneEuroFilter.js';
import { seededRandom } from '../support/random.js';

/** Seeded uniform [0, 1), so the tests are reproducible. */
const random = seededRandom;

/** Normal deviates (Box–Muller). */
function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * The paper's filter written out plainly in float64, one scalar state per value
 * (Casiez et al. 2012, algorithm 1), plus the shared-speed variant.
 */
function reference(minCutoff: number, beta: number, dCutoff: number, speed: 'each' | 'mean') {
  const alpha = (fc: number, dt: number) => {
    const tau = 1 / (2 * Math.PI * fc);
    return 1 / (1 + tau / dt);
  };
  let xPrev: number[] | undefined;
  let dxPrev: number[] = [];
  let tPrev = 0;
  return (x: number[], t: number, scale: number): number[] => {
    if (!xPrev) {
      xPrev = x.slice();
      dxPrev = x.map(() => 0);
      tPrev = t;
      return x.slice();
    }
    const dt = t - tPrev;
    tPrev = t;
    const aD = alpha(dCutoff, dt);
    const dx = x.map((v, i) => aD * ((v - xPrev![i]) / dt) + (1 - aD) * dxPrev[i]);
    const meanSpeed = dx.reduce((s, v) => s + Math.abs(v), 0) / dx.length;
    const out = x.map((v, i) => {
      const fc = minCutoff + beta * (speed === 'mean' ? meanSpeed : Math.abs(dx[i])) / scale;
      const a = alpha(fc, dt);
      return a * v + (1 - a) * xPrev![i];
    });
    xPrev = out;
    dxPrev = dx;
    return out;
  };
}

/** Root mean square of frame-to-frame differences over frames `from`… of a series of vectors. */
function frameMotion(series: ArrayLike<number>[], from = 1): number {
  let sum = 0, n = 0;
  for (let f = Math.max(1, from); f < series.length; f++) {
    for (let i = 0; i < series[f].length; i++) {
      sum += (series[f][i] - series[f - 1][i]) ** 2;
      n++;
    }
  }
  return Math.sqrt(sum / n);
}

const FPS = 30;

test('a constant signal passes unchanged, bit for bit', () => {
  for (const speed of ['each', 'mean'] as const) {
    const f = oneEuroFilter({ speed });
    const values = Float32Array.from({ length: 136 }, (_, i) => 100 + i * 1.37);
    for (let k = 0; k < 50; k++) {
      const out = f.filter(values, k / FPS, 150);
      assert.deepEqual(out, values, `${speed}, frame ${k}`);
      assert.notEqual(out, values, 'returns a new array');
    }
  }
});

test('matches a float64 reference implementation on a noisy moving signal', () => {
  const normal = gaussian(random(7));
  for (const speed of ['each', 'mean'] as const) {
    const options = { minCutoff: 1.3, beta: 7, derivativeCutoff: 1.1, speed };
    const f = oneEuroFilter(options);
    const ref = reference(options.minCutoff, options.beta, options.derivativeCutoff, speed);
    const base = Array.from({ length: 40 }, (_, i) => 50 + 5 * i);
    let worst = 0;
    for (let k = 0; k < 120; k++) {
      const t = k / FPS;
      const x = base.map((b, i) => b + 30 * Math.sin(2 * Math.PI * 0.4 * t + i) + 0.8 * normal());
      const got = f.filter(Float32Array.from(x), t, 120);
      // The reference is fed the same float32-rounded input.
      const want = ref(Array.from(Float32Array.from(x)), t, 120);
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    assert.ok(worst < 2e-3, `${speed}: largest difference to the reference ${worst} px`);
  }
});

test('jitter on a still signal is cut by the factor a first-order low-pass at minCutoff predicts', () => {
  const normal = gaussian(random(11));
  const scale = 150; // face size, px
  const sigma = 0.001 * scale; // 0.1 % of the crop: what bench/video.ts measures on a still face
  const raw: Float32Array[] = [];
  const smoothed: Float32Array[] = [];
  const f = oneEuroFilter(); // the defaults
  const still = Array.from({ length: 136 }, (_, i) => 200 + (i % 17) * 7);
  for (let k = 0; k < 300; k++) {
    const x = Float32Array.from(still, (v) => v + sigma * normal());
    raw.push(x);
    smoothed.push(f.filter(x, k / FPS, scale));
  }
  const cut = frameMotion(raw) / frameMotion(smoothed, 30);
  // A low-pass with factor a scales the frame-to-frame motion of white noise by a / sqrt(2 − a);
  // speed raises the cut-off a little, so demand most of the theoretical cut.
  const tau = 1 / (2 * Math.PI * ONE_EURO_FILTER_DEFAULTS.minCutoff);
  const a = 1 / (1 + tau * FPS);
  const theory = Math.sqrt(2 - a) / a;
  assert.ok(cut >= 5, `jitter cut only ${cut.toFixed(2)}×`);
  assert.ok(cut >= 0.6 * theory && cut <= 1.2 * theory, `jitter cut ${cut.toFixed(2)}× vs ${theory.toFixed(2)}× for a plain low-pass`);
  // The unfiltered paper variant with a huge beta would follow the noise: the test can fail.
  const loose = oneEuroFilter({ minCutoff: 30, beta: 0 });
  const follow = raw.map((x, k) => loose.filter(x, k / FPS, scale));
  assert.ok(frameMotion(raw) / frameMotion(follow, 30) < 2);
});

test('a ramp is followed with the lag its cut-off predicts, and speed shortens the lag', () => {
  const scale = 150;
  const velocity = 0.2 * scale; // px/s: a slow pan, a fifth of the face per second
  const lagOf = (options: Parameters<typeof oneEuroFilter>[0]) => {
    const f = oneEuroFilter(options);
    let last = 0, lastTruth = 0;
    for (let k = 0; k < 120; k++) {
      const t = k / FPS;
      const x = Float32Array.from({ length: 10 }, (_, i) => 100 + i + velocity * t);
      last = f.filter(x, t, scale)[0];
      lastTruth = x[0];
    }
    return (lastTruth - last) / velocity * FPS; // frames behind
  };
  // beta 0: a plain low-pass at minCutoff, steady-state lag (1 − a) / a frames.
  const tau = 1 / (2 * Math.PI * 2);
  const a = 1 / (1 + tau * FPS);
  assert.ok(Math.abs(lagOf({ minCutoff: 2, beta: 0 }) - (1 - a) / a) < 0.01);
  // With speed: the speed is measured against the previous output, which is L frames
  // behind, so it reads v · (1 + L); the cut-off minCutoff + beta · v (1 + L) / scale fixes
  // L = (1 − a) / a. Solve that fixed point.
  let expected = 0;
  for (let k = 0; k < 200; k++) {
    const fc = 2 + 10 * 0.2 * (1 + expected);
    const a2 = 1 / (1 + FPS / (2 * Math.PI * fc));
    expected = (1 - a2) / a2;
  }
  for (const speed of ['each', 'mean'] as const) {
    const lag = lagOf({ minCutoff: 2, beta: 10, speed });
    assert.ok(Math.abs(lag - expected) < 0.02, `${speed}: lag ${lag.toFixed(3)} frames, expected ${expected.toFixed(3)}`);
    assert.ok(lag < (1 - a) / a - 0.2, 'speed shortens the lag');
  }
  const lag = lagOf({});
  assert.ok(lag > 0 && lag < 1, `default lag on a slow pan ${lag.toFixed(2)} frames (goal: under one frame at 30 fps)`);
});

test('reset restarts from the next sample; bad options are refused', () => {
  const f = oneEuroFilter();
  f.filter([0, 0], 0);
  f.filter([10, 10], 1 / FPS);
  f.reset();
  assert.deepEqual(f.filter([5, 6], 2 / FPS), Float32Array.from([5, 6]));
  assert.throws(() => oneEuroFilter({ minCutoff: 0 }), /minCutoff/);
  assert.throws(() => oneEuroFilter({ beta: -1 }), /beta/);
});
