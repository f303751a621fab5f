/**
 * Poisson blending speed: a face-sized elliptical region (about 25 % of the image)
 * of a 1-megapixel photo-like image. Run: `npm run bench -- poisson`.
 */
import { performance } from 'node:perf_hooks';
import { poissonBlend } from '../src/render/poissonBlend.js';

const W = 1200, H = 840;
const target = { width: W, height: H, data: new Uint8Array(W * H * 3) };
const source = { width: W, height: H, data: new Uint8Array(W * H * 3) };
for (let i = 0; i < W * H * 3; i++) {
  target.data[i] = (i * 7919) % 251;
  source.data[i] = 128 + 60 * Math.sin(i / 5000);
}
const mask = new Uint8Array(W * H);
let masked = 0;
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
  if (((x - W / 2) / (W * 0.28)) ** 2 + ((y - H / 2) / (H * 0.4)) ** 2 < 1) { mask[y * W + x] = 1; masked++; }
}
const times: number[] = [];
let last = { iterations: 0, relativeResidual: 0 };
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  last = poissonBlend(target, source, mask).stats;
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`poissonBlend ${W}×${H} (${(W * H / 1e6).toFixed(2)} MP), ${masked} masked pixels (${(100 * masked / (W * H)).toFixed(0)} %):` +
  ` median ${times[2]!.toFixed(0)} ms, ${last.iterations} PCG iterations, residual ${last.relativeResidual.toExponential(1)}`);
