/**
 * The box-pass Gaussian blur: exact variance, and how far it is from a true Gaussian (a
 * naive float64 separable convolution written here), as a kernel and on pictures.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { boxGaussianBlur } from '../../src/geometry/boxGaussianBlur.js';
import { rng } from './reference.js';

const r = rng(5);

/** A true Gaussian blur, separable, truncated at 6σ, edge values repeated: float64. */
function gaussianBlur(data: ArrayLike<number>, width: number, height: number, channels: number, sigma: number): Float64Array {
  const radius = Math.ceil(6 * sigma);
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  const tmp = new Float64Array(data.length), out = new Float64Array(data.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * data[(y * width + clamp(x + j, width)) * channels + c]!;
    tmp[(y * width + x) * channels + c] = acc / s;
  }
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
    let acc = 0;
    for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * tmp[(clamp(y + j, height) * width + x) * channels + c]!;
    out[(y * width + x) * channels + c] = acc / s;
  }
  return out;
}

test('boxGaussianBlur: the kernel sums to 1, is symmetric, and has variance σ² exactly', () => {
  for (const passes of [1, 3, 4]) {
    for (const sigma of [0.3, 0.4, 1.3, 4, 10.24, 20.48]) {
      const n = 301, c = 150;
      const impulse = new Float32Array(n);
      impulse[c] = 1;
      const k = boxGaussianBlur(impulse, n, 1, sigma, { channels: 1, passes });
      let sum = 0, variance = 0;
      for (let i = 0; i < n; i++) { sum += k[i]!; variance += k[i]! * (i - c) ** 2; }
      assert.ok(Math.abs(sum - 1) < 1e-5, `passes ${passes}, σ ${sigma}: sum ${sum}`);
      assert.ok(Math.abs(variance - sigma * sigma) < 1e-4 * sigma * sigma, `passes ${passes}, σ ${sigma}: variance ${variance}`);
      for (let i = 1; i < 100; i++) assert.ok(Math.abs(k[c - i]! - k[c + i]!) < 1e-7, `passes ${passes}, σ ${sigma}: asymmetric at ${i}`);
      // Its reach: nothing beyond ⌈√(3·passes)·σ⌉ + passes.
      const reach = Math.ceil(Math.sqrt(3 * passes) * sigma) + passes;
      for (let i = reach + 1; i < 150; i++) assert.ok(Math.abs(k[c + i]!) < 1e-12, `passes ${passes}, σ ${sigma}: reaches ${i}`);
    }
  }
});

test('boxGaussianBlur with 3 passes: within 6.1 % of the true Gaussian\'s peak, a step\'s blur within 1 % of the step', () => {
  for (const sigma of [1.3, 4, 10.24, 20.48]) {
    const n = 401, c = 200;
    const impulse = new Float32Array(n);
    impulse[c] = 1;
    const k = boxGaussianBlur(impulse, n, 1, sigma, { channels: 1 });
    const g = gaussianBlur(impulse, n, 1, 1, sigma);
    let worst = 0, cdf = 0, gcdf = 0, worstStep = 0;
    for (let i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(k[i]! - g[i]!));
      cdf += k[i]!; gcdf += g[i]!;
      worstStep = Math.max(worstStep, Math.abs(cdf - gcdf));
    }
    // Measured: 5.1–6.0 % of the peak, 0.80–0.99 % of a step.
    assert.ok(worst < 0.061 * g[c]!, `σ ${sigma}: ${(100 * worst / g[c]!).toFixed(2)} % of the peak`);
    assert.ok(worstStep < 0.01, `σ ${sigma}: a step off by ${(100 * worstStep).toFixed(2)} %`);
  }
});

test('boxGaussianBlur on RGB pictures: within 1.5 grey levels of the true Gaussian on noise, 2.5 on an edge (measured 1.33 and 2.36 at σ 5.12), channels apart', () => {
  const width = 120, height = 90, sigma = 5.12;
  const noisy = Float32Array.from({ length: width * height * 3 }, () => Math.floor(r() * 256));
  // A disc of 255 on 0 in red, its complement in green, noise in blue.
  const edges = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const inside = Math.hypot(x - 60, y - 45) < 25 ? 255 : 0;
    edges.set([inside, 255 - inside, noisy[(y * width + x) * 3 + 2]!], (y * width + x) * 3);
  }
  const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };
  const onNoise = worst(boxGaussianBlur(noisy, width, height, sigma), gaussianBlur(noisy, width, height, 3, sigma));
  const onEdges = worst(boxGaussianBlur(edges, width, height, sigma), gaussianBlur(edges, width, height, 3, sigma));
  console.log(`# σ ${sigma}: worst ${onNoise.toFixed(3)} grey levels on noise, ${onEdges.toFixed(3)} on the disc's edge`);
  assert.ok(onNoise < 1.5, `noise: ${onNoise}`);
  assert.ok(onEdges < 2.5, `edge: ${onEdges}`);
  // Each channel on its own: the blur of the red plane alone is the red of the blur.
  const red = Float32Array.from({ length: width * height }, (_, i) => edges[3 * i]!);
  const alone = boxGaussianBlur(red, width, height, sigma, { channels: 1 });
  const together = boxGaussianBlur(edges, width, height, sigma);
  for (let i = 0; i < width * height; i++) assert.equal(alone[i], together[3 * i], `pixel ${i}`);
  // A constant stays constant up to the edges (edge values repeat), σ 0 copies.
  const flat = boxGaussianBlur(new Float32Array(30 * 20 * 3).fill(77), 30, 20, 9);
  assert.ok(flat.every((v) => Math.abs(v - 77) < 1e-3));
  const same = boxGaussianBlur(noisy, width, height, 0);
  assert.deepEqual(same, noisy);
  assert.notEqual(same, noisy);
});

test('boxGaussianBlur refuses what it cannot blur', () => {
  assert.throws(() => boxGaussianBlur(new Float32Array(12), 2, 2, -1), /sigma must be/);
  assert.throws(() => boxGaussianBlur(new Float32Array(12), 2, 2, 1, { passes: 0 }), /passes must be/);
  assert.throws(() => boxGaussianBlur(new Float32Array(11), 2, 2, 1), /needs 12 values/);
  assert.throws(() => boxGaussianBlur(new Float32Array(12), 0, 2, 1), /size must be/);
});
