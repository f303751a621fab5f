import test from 'node:test';
import assert from 'node:assert/strict';
import { cropFaces } from '../../src/reconstruct/cropFaces.js';
import { cropTransform } from '../../src/face/cropTransform.js';
import { cropFromBox } from '../../src/face/cropFromBox.js';
import { warpImage } from '../../src/face/warpImage.js';
import type { LocatedFace } from '../../src/reconstruct/locateFaces.js';

const image = { width: 300, height: 200, data: Uint8Array.from({ length: 300 * 200 * 3 }, (_, i) => (i * 2654435761) >>> 24) };
const faces: LocatedFace[] = [[40, 30, 100, 120], [150, 20, 140, 170]].map((b) => {
  const box = b as [number, number, number, number];
  return { box, score: 1, crop: cropFromBox(box) };
});

test('cropFaces: one 256 crop frame per face; the input is that crop at 256, or the same square at another input size', () => {
  for (const inputSize of [256, 128]) {
    const { input, count, transforms } = cropFaces(image, faces, inputSize);
    assert.equal(count, 2);
    const per = inputSize * inputSize * 3;
    faces.forEach((f, i) => {
      assert.deepEqual(transforms[i], cropTransform(f.crop.center, f.crop.size, 256), 'the position map frame');
      const want = warpImage(image, inputSize === 256 ? transforms[i]! : cropTransform(f.crop.center, f.crop.size, inputSize), inputSize);
      assert.deepEqual(input.subarray(i * per, (i + 1) * per), want);
    });
  }
});
