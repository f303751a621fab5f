import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadDetector } from '../../src/node/inference/detector.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import type { DetectedFace } from '../../src/face/faceDetector.js';

const photos = fileURLToPath(new URL('../../../shared/fixtures/photos/', import.meta.url));
const detector = await loadDetector();
test.after(() => detector.dispose());

/** Pastes `src` into a black canvas of size w×h at (dx, dy). */
function paste(canvas: RgbImage, src: RgbImage, dx: number, dy: number): void {
  for (let y = 0; y < src.height; y++) {
    canvas.data.set(src.data.subarray(y * src.width * 3, (y + 1) * src.width * 3), ((y + dy) * canvas.width + dx) * 3);
  }
}

function blank(width: number, height: number, value = 0): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

/** Nearest-neighbour 2× upscale: an independent way to make a bigger copy. */
function upscale2(src: RgbImage): RgbImage {
  const out = blank(src.width * 2, src.height * 2);
  for (let y = 0; y < out.height; y++) for (let x = 0; x < out.width; x++) {
    const s = ((y >> 1) * src.width + (x >> 1)) * 3, o = (y * out.width + x) * 3;
    out.data[o] = src.data[s]; out.data[o + 1] = src.data[s + 1]; out.data[o + 2] = src.data[s + 2];
  }
  return out;
}

function center(f: DetectedFace): [number, number] {
  return [f.box[0] + f.box[2] / 2, f.box[1] + f.box[3] / 2];
}

test('finds exactly one plausible face in each fixture photo', async () => {
  for (let i = 1; i <= 5; i++) {
    const image = await decodeImage(`${photos}photo${i}.jpg`);
    const faces = await detector.detect(image);
    assert.equal(faces.length, 1, `photo${i}: ${faces.length} faces`);
    const [f] = faces;
    assert.ok(f.score > 0.6 && f.score <= 1, `photo${i}: score ${f.score}`);
    const [x, y, w, h] = f.box;
    // A face box is square-ish, a sizeable part of these portraits, and inside the photo.
    assert.ok(w > 0.15 * Math.min(image.width, image.height) && Math.abs(w / h - 1) < 0.25, `photo${i}: box ${f.box}`);
    assert.ok(x > -0.1 * w && y > -0.1 * h && x + w < image.width + 0.1 * w && y + h < image.height + 0.1 * h, `photo${i}: box ${f.box}`);
    // The six keypoints (eyes, nose, mouth, ears) lie in or near the box; eyes above the mouth.
    assert.equal(f.keypoints?.length, 6);
    for (const [px, py] of f.keypoints!) assert.ok(px > x - 0.3 * w && px < x + 1.3 * w && py > y - 0.3 * h && py < y + 1.3 * h);
    const [rEye, lEye, , mouth] = f.keypoints!;
    assert.ok(mouth[1] > rEye[1] && mouth[1] > lEye[1], `photo${i}: mouth above the eyes`);
  }
});

test('no face in blank or noise images', async () => {
  assert.deepEqual(await detector.detect(blank(320, 240, 128)), []);
  let s = 12345;
  const noise = blank(300, 300);
  for (let i = 0; i < noise.data.length; i++) noise.data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  assert.deepEqual(await detector.detect(noise), []);
});

test('boxes follow the face when the photo is shifted, padded and scaled', async () => {
  const photo = await decodeImage(`${photos}photo4.jpg`);
  const [ref] = await detector.detect(photo);
  // Shift into a larger, non-square canvas: the letterbox and scale change, the box must shift by (dx, dy).
  const canvas = blank(photo.width + 250, photo.height + 90);
  paste(canvas, photo, 170, 60);
  const [moved] = await detector.detect(canvas);
  const tol = 0.06 * ref.box[2];
  assert.ok(Math.abs(center(moved)[0] - center(ref)[0] - 170) < tol, `x ${center(moved)[0]} vs ${center(ref)[0] + 170}`);
  assert.ok(Math.abs(center(moved)[1] - center(ref)[1] - 60) < tol, `y ${center(moved)[1]} vs ${center(ref)[1] + 60}`);
  assert.ok(Math.abs(moved.box[2] - ref.box[2]) < tol);
  // Twice as big: every coordinate doubles.
  const [big] = await detector.detect(upscale2(photo));
  assert.ok(Math.abs(center(big)[0] - 2 * center(ref)[0]) < 2 * tol && Math.abs(center(big)[1] - 2 * center(ref)[1]) < 2 * tol);
  assert.ok(Math.abs(big.box[2] - 2 * ref.box[2]) < 2 * tol);
});

test('every face of a group, best first, and maxFaces', async () => {
  const a = await decodeImage(`${photos}photo4.jpg`); // 450×450
  const b = await decodeImage(`${photos}photo3.jpg`); // 384×384
  const canvas = blank(a.width + b.width + 20, Math.max(a.height, b.height));
  paste(canvas, a, 0, 0);
  paste(canvas, b, a.width + 20, 0);
  const faces = await detector.detect(canvas);
  assert.equal(faces.length, 2);
  assert.ok(faces[0].score >= faces[1].score);
  const xs = faces.map((f) => center(f)[0]).sort((p, q) => p - q);
  assert.ok(xs[0] < a.width && xs[1] > a.width + 20, `centres ${xs}`);
  const limited = await loadDetector({ maxFaces: 1 });
  try {
    const one = await limited.detect(canvas);
    assert.equal(one.length, 1);
    assert.deepEqual(one[0].box, faces[0].box);
  } finally {
    limited.dispose();
  }
});

test('score threshold removes weak detections', async () => {
  const strict = await loadDetector({ minScore: 0.999 });
  try {
    assert.deepEqual(await strict.detect(await decodeImage(`${photos}photo1.jpg`)), []);
  } finally {
    strict.dispose();
  }
});
