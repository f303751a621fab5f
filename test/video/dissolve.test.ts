import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { frameSignature, type FrameSignature } from '../../src/video/frameSignature.js';
import { dissolveHistoryLength, dissolveSpan } from '../../src/video/dissolve.js';

const photos = fileURLToPath(new URL('../../../shared/fixtures/photos/', import.meta.url));
const a = await decodeImage(`${photos}photo4.jpg`); // 450 × 450
const b = await decodeImage(`${photos}photo5.jpg`);

/** A 300² window of a photo at (x, y), light × gain. */
function window(src: RgbImage, x: number, y: number, gain = 1): RgbImage {
  const W = 300, data = new Uint8Array(W * W * 3);
  for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) {
    const sx = Math.min(src.width - 1, c + x), sy = Math.min(src.height - 1, r + y);
    for (let k = 0; k < 3; k++) data[(r * W + c) * 3 + k] = Math.min(255, Math.round(src.data[(sy * src.width + sx) * 3 + k]! * gain));
  }
  return { width: W, height: W, data };
}
const mix = (p: RgbImage, q: RgbImage, t: number): RgbImage => ({ ...p, data: p.data.map((v, i) => Math.round((1 - t) * v + t * q.data[i]!)) });

/** The first frame (counted from 0) at which dissolveSpan fires, the history restarting after each firing; -1 for none. */
function firstFiring(frames: RgbImage[]): number {
  const history: FrameSignature[] = [];
  for (const [k, f] of frames.entries()) {
    history.push(frameSignature(f));
    if (history.length > dissolveHistoryLength()) history.shift();
    if (dissolveSpan(history) > 0) return k;
  }
  return -1;
}

test('dissolveSpan fires within a dissolve between two shots, and not before it', () => {
  const p = window(a, 60, 60), q = window(b, 60, 60);
  for (const span of [6, 12, 24]) {
    const frames = [p, p, p, ...Array.from({ length: span }, (_, k) => mix(p, q, (k + 1) / span)), q, q];
    const at = firstFiring(frames);
    assert.ok(at >= 3 && at <= 3 + span, `a ${span}-frame dissolve: fired at frame ${at}`);
  }
  // A fade to black is a dissolve too.
  const black: RgbImage = { ...p, data: new Uint8Array(p.data.length) };
  assert.ok(firstFiring([p, p, ...Array.from({ length: 12 }, (_, k) => mix(p, black, (k + 1) / 12))]) > 0);
});

test('dissolveSpan does not fire on one shot: a pan, a change of light, shake; nor on too short a history', () => {
  const pan = Array.from({ length: 34 }, (_, k) => window(a, 10 + 4 * k, 40 + k));
  assert.equal(firstFiring(pan), -1, 'a pan of 4 px a frame');
  const light = Array.from({ length: 34 }, (_, k) => window(a, 60, 60, 0.6 + (0.8 * k) / 33));
  assert.equal(firstFiring(light), -1, 'light from 60 % to 140 %');
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const shake = Array.from({ length: 34 }, () => window(a, 60 + Math.round(rnd() * 24 - 12), 60 + Math.round(rnd() * 24 - 12)));
  assert.equal(firstFiring(shake), -1, 'shake of ±12 px');
  // The same change as a dissolve, but only two frames: that is a cut's business, not a dissolve's.
  assert.equal(dissolveSpan([frameSignature(window(a, 60, 60)), frameSignature(window(b, 60, 60))]), 0);
});

test('a middle frame that is no mix of the ends (another picture) stops a firing that the ends alone would allow', () => {
  const p = window(a, 60, 60), q = window(b, 60, 60);
  const frames = [p, ...Array.from({ length: 7 }, (_, k) => mix(p, q, (k + 1) / 8)), q].map(frameSignature);
  assert.equal(dissolveSpan(frames, { spans: [8] }), 8);
  const odd = [...frames];
  odd[4] = frameSignature(window(a, 140, 0)); // the first photo elsewhere
  assert.equal(dissolveSpan(odd, { spans: [8] }), 0);
  // Going back (α falls) is no dissolve either.
  const back = [...frames];
  [back[2], back[6]] = [back[6]!, back[2]!];
  assert.equal(dissolveSpan(back, { spans: [8] }), 0);
});
