import test from 'node:test';
import assert from 'node:assert/strict';
import { cropFromBox } from '../../src/face/cropFromBox.js';
import { cropFromLandmarks } from '../../src/face/cropFromLandmarks.js';
import { cropFromDetection, BLAZEFACE_CENTER_SHIFT, BLAZEFACE_CROP_FACTOR } from '../../src/face/cropFromDetection.js';
import { parseLandmarks } from '../../src/face/parseLandmarks.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Official api.py `process` with image_info = [left, right, top, bottom] (no int truncation). */
function officialBox(left: number, right: number, top: number, bottom: number): { center: number[]; size: number } {
  const oldSize = (right - left + bottom - top) / 2;
  return { center: [right - (right - left) / 2, bottom - (bottom - top) / 2], size: oldSize * 1.6 };
}

test('cropFromBox and cropFromLandmarks follow official PRNet process() on random inputs', () => {
  const r = rng(3);
  for (let t = 0; t < 50; t++) {
    const x = r() * 500 - 50, y = r() * 500 - 50, w = 10 + r() * 300, h = 10 + r() * 300;
    const want = officialBox(x, x + w, y, y + h);
    const got = cropFromBox([x, y, w, h]);
    assert.ok(Math.abs(got.center[0] - want.center[0]) < 1e-9 && Math.abs(got.center[1] - want.center[1]) < 1e-9);
    assert.ok(Math.abs(got.size - want.size) < 1e-9);

    const n = 3 + Math.floor(r() * 80);
    const pts = Float64Array.from({ length: 2 * n }, () => r() * 400);
    const xs = pts.filter((_, i) => i % 2 === 0), ys = pts.filter((_, i) => i % 2 === 1);
    const wantL = officialBox(Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys));
    const gotL = cropFromLandmarks(pts);
    assert.ok(Math.abs(gotL.center[0] - wantL.center[0]) < 1e-9 && Math.abs(gotL.center[1] - wantL.center[1]) < 1e-9);
    assert.ok(Math.abs(gotL.size - wantL.size) < 1e-9);
  }
});

test('cropFromDetection applies the calibrated shift and factor', () => {
  const got = cropFromDetection([100, 50, 180, 220]);
  const s = 200;
  assert.deepEqual(got.center, [190, 160 + BLAZEFACE_CENTER_SHIFT * s]);
  assert.ok(Math.abs(got.size - BLAZEFACE_CROP_FACTOR * s) < 1e-9);
  // The calibrated numbers are in a sane range (the detector box is tighter than 1.6× the landmark box).
  assert.ok(BLAZEFACE_CROP_FACTOR > 1.2 && BLAZEFACE_CROP_FACTOR < 1.8 && Math.abs(BLAZEFACE_CENTER_SHIFT) < 0.2);
});

test('bad boxes and landmarks are refused with a clear message', () => {
  assert.throws(() => cropFromBox([0, 0, -5, 10]), /positive width and height/);
  assert.throws(() => cropFromBox([0, NaN, 5, 10]), /positive width and height/);
  assert.throws(() => cropFromLandmarks([1, 2]), /at least 2 points/);
  assert.throws(() => cropFromLandmarks([1, 2, 1, 5, 1, 9]), /no area/);
});

test('parseLandmarks reads x y rows in several layouts', () => {
  assert.deepEqual(Array.from(parseLandmarks('# pts\n1 2\n3.5,4\n\n5 6 7\r\n')), [1, 2, 3.5, 4, 5, 6]);
  assert.throws(() => parseLandmarks('1 2\nfoo bar\n', 'lm.txt'), /lm.txt: line 2 is not an "x y" point/);
  assert.throws(() => parseLandmarks('1 2\n', 'lm.txt'), /lm.txt: needs at least 2 points/);
});
