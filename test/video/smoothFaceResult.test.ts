import test from 'node:test';
import assert from 'node:assert/strict';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { faceResult } from '../../src/reconstruct/faceResult.js';
import { cropFromDetection } from '../../src/face/cropFromDetection.js';
import { oneEuroFilter } from '../../src/video/oneEuroFilter.js';
import { smoothFaceResult } from '../../src/video/smoothFaceResult.js';
import { pointsBox } from '../../src/geometry/pointsBounds.js';

const assets = await loadUvAssets({ download: false });
const image: RgbImage = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3).fill(128) };
const crop = cropFromDetection([50, 50, 100, 100]);
const cropTransform = new Float64Array([1, 0, 0, 0, 1, 0]);

/** A position map: the UV grid spread over 100 px at `(dx, dy)`, a bulge in z. */
function positionMap(dx: number, dy: number): Float32Array {
  const n = assets.uvSize;
  const map = new Float32Array(n * n * 3);
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const i = (v * n + u) * 3;
      map[i] = 50 + dx + (100 * u) / n;
      map[i + 1] = 50 + dy + (100 * v) / n;
      map[i + 2] = 30 * Math.sin((Math.PI * u) / n) * Math.sin((Math.PI * v) / n);
    }
  }
  return map;
}

test('smoothFaceResult: the first frame is the network\'s face, later ones are pulled toward the past; landmarks, mesh, pose and box follow the smoothed map', () => {
  const filter = oneEuroFilter();
  const input = (dx: number) => ({ positionMap: positionMap(dx, 0), box: [50, 50, 100, 100] as [number, number, number, number], score: 0.9, crop, cropTransform });
  const first = smoothFaceResult(image, assets, input(0), filter, 0);
  const plain = faceResult(image, assets, input(0), { pose: true, colors: false });
  assert.deepEqual(first.landmarks, plain.landmarks);
  assert.deepEqual(first.vertices, plain.vertices);
  assert.equal(first.colors, undefined);
  assert.ok(first.pose);
  assert.deepEqual(first.box, pointsBox(first.landmarks, 3));
  // A 3 px jump one frame later: the smoothed face moves, but less than the jump.
  const second = smoothFaceResult(image, assets, input(3), filter, 1 / 30, { outputs: { pose: true, colors: true } });
  const moved = second.landmarks[0] - first.landmarks[0];
  assert.ok(moved > 0.01 && moved < 3, `moved ${moved}`);
  assert.ok(Math.abs(second.vertices[0] - first.vertices[0] - moved) < 1e-3, 'the mesh moves with the landmarks');
  assert.ok(second.colors, 'outputs asked for are computed');
  assert.deepEqual(second.box, pointsBox(second.landmarks, 3));
  assert.equal(second.score, 0.9);
  // Each value has its own cut-off, so filtering the face pixels alone gives what filtering
  // the whole map gives there; texels outside the face keep the network's values.
  const whole = oneEuroFilter();
  whole.filter(input(0).positionMap, 0, crop.size);
  const wholeMap = whole.filter(input(3).positionMap, 1 / 30, crop.size);
  const raw = input(3).positionMap;
  const isFace = new Uint8Array(assets.uvSize * assets.uvSize);
  for (const t of assets.faceIndices) isFace[t] = 1;
  let outside = 0;
  for (let t = 0; t < isFace.length; t++) {
    for (let c = 0; c < 3; c++) {
      const got = second.positionMap[3 * t + c];
      if (isFace[t]) assert.equal(got, wholeMap[3 * t + c], `face texel ${t}`);
      else {
        assert.equal(got, raw[3 * t + c], `texel ${t} outside the face`);
        outside++;
      }
    }
  }
  assert.ok(outside > 50_000, `${outside} values outside the face`);
});

test('smoothFaceResult overwrite: the same face as with a copy, written into the caller\'s map, which is otherwise left alone', () => {
  const input = (map: Float32Array) => ({ positionMap: map, box: [50, 50, 100, 100] as [number, number, number, number], score: 0.9, crop, cropTransform });
  const [copying, overwriting] = [oneEuroFilter(), oneEuroFilter()];
  for (let k = 0; k < 3; k++) {
    const kept = positionMap(7 * k, 3 * k);
    const before = kept.slice();
    const a = smoothFaceResult(image, assets, input(kept), copying, k / 30, { outputs: { pose: true, colors: true } });
    assert.deepEqual(kept, before, 'without overwrite the input map is untouched');
    const owned = positionMap(7 * k, 3 * k);
    const b = smoothFaceResult(image, assets, input(owned), overwriting, k / 30, { outputs: { pose: true, colors: true }, overwrite: true });
    assert.equal(b.positionMap, owned, 'the smoothed map is the caller\'s array');
    assert.deepEqual(b.positionMap, a.positionMap);
    assert.deepEqual(b.vertices, a.vertices);
    assert.deepEqual(b.landmarks, a.landmarks);
    assert.deepEqual(b.colors, a.colors);
    assert.deepEqual(b.pose, a.pose);
    if (k > 0) assert.notDeepEqual(owned, before, 'from the second frame the smoothed values differ from the network\'s');
  }
});
