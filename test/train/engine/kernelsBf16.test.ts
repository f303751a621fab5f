/**
 * The bf16 mode of the native convolution kernels (setPrecision(1): operands rounded to
 * bfloat16 once per packed panel, products summed in fp32) against a float64 reference
 * computed on the same operands rounded to bf16 (round to nearest even). The native
 * result must match that reference to fp32 accumulation accuracy, which a kernel that
 * truncates instead of rounding, or packs the wrong pairs, does not; and its error
 * against the exact fp32 operands must be what bf16 rounding predicts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadNativeConv } from '../../../src/node/train/trainBackend.js';
import { randomFloats, seededRandom } from '../../support/random.js';

const native = loadNativeConv();
const skip = !native || typeof native.setPrecision !== 'function' ? 'native addon not built (or built without bf16 kernels)'
  : !native.bf16Supported ? 'CPU without AVX512_BF16' : false;

const U = 2 ** -24; // fp32 unit roundoff

/** fp32 values rounded to bf16 as VCVTNE2PS2BF16 does (nearest even; denormals to zero), or truncated. */
function toBf16(a: Float32Array, mode: 'rne' | 'truncate' = 'rne'): Float32Array {
  const out = Float32Array.from(a);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < u.length; i++) {
    let v = u[i]!;
    if ((v & 0x7f800000) === 0) v &= 0x80000000;
    else if (mode === 'rne' && (v & 0x7f800000) !== 0x7f800000) v = (v + 0x7fff + ((v >>> 16) & 1)) >>> 0;
    u[i] = (v & 0xffff0000) >>> 0;
  }
  return out;
}

interface Geom { n: number; h: number; w: number; ci: number; oh: number; ow: number; co: number; k: number; s: number; padT: number; padL: number }

function geom(n: number, side: number, ci: number, co: number, k: number, s: number): Geom {
  const oh = Math.ceil(side / s);
  const pad = Math.max((oh - 1) * s + k - side, 0);
  return { n, h: side, w: side, ci, oh, ow: oh, co, k, s, padT: Math.floor(pad / 2), padL: Math.floor(pad / 2) };
}
const geomArray = (g: Geom) => [g.n, g.h, g.w, g.ci, g.oh, g.ow, g.co, g.k, g.k, g.s, g.s, g.padT, g.padL];

/** Float64 sums and Σ|products| of the three convolutions over the given operands. */
function reference(g: Geom, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const { n, h, w: W, ci, oh, ow, co, k, s, padT, padL } = g;
  const y = new Float64Array(n * oh * ow * co), yAbs = new Float64Array(y.length);
  const dx = new Float64Array(n * h * W * ci), dxAbs = new Float64Array(dx.length);
  const dw = new Float64Array(k * k * ci * co), dwAbs = new Float64Array(dw.length);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const yo = ((b * oh + oy) * ow + ox) * co;
    for (let ky = 0; ky < k; ky++) {
      const iy = oy * s - padT + ky;
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < k; kx++) {
        const ix = ox * s - padL + kx;
        if (ix < 0 || ix >= W) continue;
        const xo = ((b * h + iy) * W + ix) * ci, wo = (ky * k + kx) * ci * co;
        for (let c = 0; c < ci; c++) {
          const xv = x[xo + c]!;
          for (let o = 0; o < co; o++) {
            const wv = w[wo + c * co + o]!, dv = dy[yo + o]!;
            y[yo + o] += xv * wv; yAbs[yo + o] += Math.abs(xv * wv);
            dx[xo + c] += dv * wv; dxAbs[xo + c] += Math.abs(dv * wv);
            dw[wo + c * co + o] += xv * dv; dwAbs[wo + c * co + o] += Math.abs(xv * dv);
          }
        }
      }
    }
  }
  return [[y, yAbs], [dx, dxAbs], [dw, dwAbs]] as const;
}

/** Largest |got − ref| / Σ|products| over the elements (Σ|products| floored at 1e-30). */
function worst(got: Float32Array, ref: Float64Array, abs: Float64Array): number {
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - ref[i]!) / Math.max(abs[i]!, 1e-30));
  return m;
}

// [n, side, ci, co, kernel, stride]: both GEMM tiles (≤ 16 and > 16 columns), odd depths
// (the last bf16 pair padded), depth over one 512-deep panel (4·4·40 = 640), pointwise
// layers, strides 1 and 2, row counts that are not multiples of the tile.
const CASES: Array<[number, number, number, number, number, number]> = [
  [2, 8, 20, 33, 4, 1], [1, 9, 17, 18, 4, 2], [4, 6, 40, 24, 4, 2], [2, 12, 24, 40, 1, 1], [3, 7, 33, 12, 1, 1],
  [2, 11, 3, 5, 3, 1], [2, 10, 16, 12, 4, 2], [1, 13, 7, 47, 3, 2], [2, 16, 64, 16, 4, 2],
];

test('bf16 native convolutions equal a float64 reference on bf16-rounded operands to fp32 accumulation accuracy', { skip }, () => {
  const nat = native!;
  nat.setThreads(2);
  nat.setDirect(0); // the GEMM path for every shape (the direct few-channel kernels stay fp32)
  const rng = seededRandom(1616);
  const names = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];
  const seen = [0, 0, 0], seenExact = [0, 0, 0];
  try {
    for (const [n, side, ci, co, k, s] of CASES) {
      const g = geom(n, side, ci, co, k, s);
      // Magnitudes over a few octaves so the rounding position varies.
      const x = randomFloats(n * side * side * ci, rng, -1, 1).map((v) => v * 2 ** Math.floor(4 * rng() - 2));
      const w = randomFloats(k * k * ci * co, rng, -1, 1);
      const dy = randomFloats(n * g.oh * g.ow * co, rng, -1, 1);
      const out = [new Float32Array(n * g.oh * g.ow * co), new Float32Array(n * side * side * ci), new Float32Array(k * k * ci * co)] as const;
      assert.equal(nat.setPrecision!(1), 1);
      nat.conv2d(x, w, out[0], geomArray(g));
      nat.conv2dBackpropInput(dy, w, out[1], geomArray(g));
      nat.conv2dBackpropFilter(x, dy, out[2], geomArray(g));
      const rounded = reference(g, toBf16(x), toBf16(w), toBf16(dy));
      const truncated = reference(g, toBf16(x, 'truncate'), toBf16(w, 'truncate'), toBf16(dy, 'truncate'));
      const exact = reference(g, x, w, dy);
      // Terms per output: the depth of the sum (+ a few for panel, pair and thread partial sums).
      const depth = [k * k * ci, k * k * co, n * g.oh * g.ow];
      for (let i = 0; i < 3; i++) {
        const tag = `${names[i]} n${n} ${side}² ${ci}→${co} k${k} s${s}`;
        const [ref, abs] = rounded[i]!;
        // fp32 accumulation of `depth` exact products: |error| ≤ (depth + 3)·u·Σ|products|.
        const bound = (depth[i]! + 3) * U;
        const e = worst(out[i]!, ref, abs);
        assert.ok(e <= bound, `${tag}: |bf16 kernel − float64(bf16 operands)| = ${e.toExponential(2)}·Σ|p| > ${bound.toExponential(2)}`);
        seen[i] = Math.max(seen[i]!, e);
        // The rounding matters: truncating the operands gives a reference the kernel misses.
        const et = worst(out[i]!, truncated[i]![0], truncated[i]![1]);
        assert.ok(et > 10 * bound, `${tag}: truncation reference within ${et.toExponential(2)} — the test cannot tell rounding modes apart`);
        // Against the exact operands: each product is off by at most (1 + 2⁻⁹)² − 1 relative.
        const predicted = (2 ** -9 * 2 + 2 ** -18) + bound;
        const ex = worst(out[i]!, exact[i]![0], exact[i]![1]);
        assert.ok(ex <= predicted, `${tag}: error vs exact operands ${ex.toExponential(2)}·Σ|p| > bf16 prediction ${predicted.toExponential(2)}`);
        assert.ok(ex > bound, `${tag}: error vs exact operands ${ex.toExponential(2)} within fp32 accuracy — the operands were not rounded to bf16`);
        seenExact[i] = Math.max(seenExact[i]!, ex);
      }
    }
  } finally {
    nat.setPrecision!(0);
    nat.setDirect(1);
  }
  console.log(`bf16 kernels: worst |got − float64(bf16 operands)| / Σ|p|: ${seen.map((v) => v.toExponential(2)).join(', ')}; `
    + `vs exact operands: ${seenExact.map((v) => v.toExponential(2)).join(', ')} (Conv2D, BackpropInput, BackpropFilter)`);
});

test('bf16 mode leaves the direct few-channel kernels in fp32, and setPrecision(0) restores the fp32 results bit for bit', { skip }, () => {
  const nat = native!;
  nat.setThreads(2);
  const rng = seededRandom(77);
  // First: a direct-kernel shape (≤ 16 lanes, depth ≤ 16); second: a GEMM shape.
  for (const [n, side, ci, co, k, s] of [[2, 20, 16, 16, 4, 1], [2, 8, 20, 33, 4, 2]] as const) {
    const g = geom(n, side, ci, co, k, s);
    const x = randomFloats(n * side * side * ci, rng, -1, 1), w = randomFloats(k * k * ci * co, rng, -1, 1);
    const run = (mode: number) => {
      assert.equal(nat.setPrecision!(mode), mode);
      const y = new Float32Array(n * g.oh * g.ow * co);
      nat.conv2d(x, w, y, geomArray(g));
      return y;
    };
    const before = run(0), bf = run(1), after = run(0);
    assert.deepEqual(after, before);
    const direct = ci <= 16 && co <= 16 && k > 1;
    if (direct) assert.deepEqual(bf, before, 'direct kernels stay fp32');
    else assert.notDeepEqual(bf, before, 'GEMM path rounds to bf16');
  }
});

test('setPrecision reports fp32 for unknown modes', { skip: !native || typeof native.setPrecision !== 'function' ? 'no setPrecision' : false }, () => {
  assert.equal(native!.setPrecision!(7), 0);
  assert.equal(native!.setPrecision!(0), 0);
});
