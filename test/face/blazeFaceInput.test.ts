import test from 'node:test';
import assert from 'node:assert/strict';
import { blazeFaceInput, BLAZEFACE_INPUT_SIZE } from '../../src/face/blazeFaceDetector.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { readFile } from 'node:fs/promises';
import { letterboxSimdAvailable, LETTERBOX_SIMD_MAX_BYTES } from '../../src/face/wasm/letterboxSimd.js';
import { assembleWat, watSources } from '../../scripts/buildWasm.js';

/**
 * The letterbox as first written (and as the tfjs path ran it until the separable version):
 * per output pixel, k×k bilinear samples straight from the image, zero outside it.
 */
function naiveLetterbox(image: RgbImage): Float32Array {
  const n = BLAZEFACE_INPUT_SIZE;
  const scale = Math.max(image.width, image.height) / n;
  const k = Math.min(8, Math.max(1, Math.ceil(scale)));
  const { width: w, height: h, data } = image;
  const out = new Float32Array(n * n * 3);
  for (let oy = 0; oy < n; oy++) for (let ox = 0; ox < n; ox++) {
    const acc = [0, 0, 0];
    for (let sy = 0; sy < k; sy++) for (let sx = 0; sx < k; sx++) {
      const y = (oy + (sy + 0.5) / k) * scale - 0.5;
      const x = (ox + (sx + 0.5) / k) * scale - 0.5;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
        const yy = y0 + dy, xx = x0 + dx;
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const wgt = (dy ? y - y0 : 1 - (y - y0)) * (dx ? x - x0 : 1 - (x - x0));
        for (let c = 0; c < 3; c++) acc[c]! += wgt * data[(yy * w + xx) * 3 + c]!;
      }
    }
    for (let c = 0; c < 3; c++) out[(oy * n + ox) * 3 + c] = acc[c]! / (k * k * 127.5) - 1;
  }
  return out;
}

function randomImage(width: number, height: number, seed: number): RgbImage {
  let s = seed >>> 0;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width, height, data };
}

test('the separable letterbox equals the direct k×k bilinear sum', () => {
  // Up- and downscaling, square and not, k from 1 to 8 (capped) and a sliver; the last is over
  // LETTERBOX_SIMD_MAX_BYTES, so it takes the JavaScript passes, the others WebAssembly SIMD.
  for (const [w, h] of [[450, 450], [100, 60], [256, 256], [257, 200], [640, 480], [300, 1100], [2500, 40], [3, 5], [4200, 4200]] as const) {
    const image = randomImage(w, h, w * 31 + h);
    const { input, scale } = blazeFaceInput(image);
    assert.equal(scale, Math.max(w, h) / BLAZEFACE_INPUT_SIZE);
    const ref = naiveLetterbox(image);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(input[i]! - ref[i]!));
    assert.ok(worst < 2e-6, `${w}×${h}: differs by ${worst}`);
    // The planar layout holds the same values, channel by channel.
    const planar = blazeFaceInput(image, 'nchw').input;
    const n = BLAZEFACE_INPUT_SIZE;
    for (let i = 0; i < n * n; i++) for (let c = 0; c < 3; c++) assert.equal(planar[c * n * n + i], input[3 * i + c], `${w}×${h}: pixel ${i} channel ${c}`);
  }
});

test('WebAssembly SIMD runs here, and letterboxWasm.ts is what letterbox.wat assembles to', async () => {
  assert.ok(letterboxSimdAvailable(), 'Node 20 has WebAssembly SIMD');
  assert.ok(4200 * 4200 * 3 > LETTERBOX_SIMD_MAX_BYTES && 640 * 480 * 3 < LETTERBOX_SIMD_MAX_BYTES);
  for (const wat of await watSources()) {
    const { tsFile, source } = await assembleWat(wat);
    assert.equal(await readFile(tsFile, 'utf8'), source, `${tsFile} is stale: run npm run build:wasm`);
  }
});
