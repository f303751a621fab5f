import test from 'node:test';
import assert from 'node:assert/strict';
import { overlayFrame } from '../../src/video/overlayFrame.js';
import { drawLandmarks } from '../../src/render/drawLandmarks.js';
import type { RgbImage } from '../../src/io/rgbImage.js';

test('overlayFrame draws each face on a copy: the landmarks as drawLandmarks does, the pose box in green', () => {
  const image: RgbImage = { width: 200, height: 160, data: new Uint8Array(200 * 160 * 3).fill(40) };
  const landmarks = Float32Array.from({ length: 204 }, (_, i) => (i % 3 === 0 ? 60 + (i / 3) % 17 * 5 : i % 3 === 1 ? 50 + Math.floor(i / 51) * 15 : 0));
  const bare = overlayFrame(image, [{ landmarks }]);
  assert.deepEqual(bare, drawLandmarks(image, landmarks));
  assert.ok(image.data.every((v) => v === 40), 'the input is not touched');
  // An identity-like camera: canonical units → pixels at scale 0.3.
  const cameraMatrix = Float64Array.from([0.3, 0, 0, 0, 0, 0.3, 0, 0, 0, 0, 0.3, 0]);
  const posed = overlayFrame(image, [{ landmarks, pose: { cameraMatrix, rotation: new Float64Array(9), yaw: 0, pitch: 0, roll: 0, scale: 0.3, translation: new Float64Array(3) } }]);
  let green = 0;
  for (let i = 0; i < posed.data.length; i += 3) if (posed.data[i] === 0 && posed.data[i + 1] === 255 && posed.data[i + 2] === 0) green++;
  assert.ok(green > 100, `${green} green pixels`);
  assert.equal(overlayFrame(image, []).data.length, image.data.length);
});
