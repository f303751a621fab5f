import test from 'node:test';
import assert from 'node:assert/strict';
import { frameRecord } from '../../src/video/frameRecord.js';
import type { TrackedFace, TrackedFrame } from '../../src/video/faceTracker.js';

function face(id: number, withPose: boolean): TrackedFace {
  const landmarks = Float32Array.from({ length: 204 }, (_, i) => 10 + i + 0.123456);
  return {
    id, detected: id === 0, box: [1.23456, 2.34567, 100.5, 120.25], score: 1, crop: { center: [50, 60], size: 160 }, cropTransform: new Float64Array(6),
    positionMap: new Float32Array(0), vertices: new Float32Array(0), landmarks,
    pose: withPose ? { cameraMatrix: Float64Array.from({ length: 12 }, (_, i) => i / 7), rotation: new Float64Array(9), yaw: 12.3456, pitch: -4.5678, roll: 0.001, scale: 1, translation: new Float64Array(3) } : undefined,
  };
}

test('frameRecord: frame, time, and per face id, detected, box, 68 [x, y, z] landmarks and pose, rounded', () => {
  const tracked: TrackedFrame = { time: 1 / 3, detected: true, faces: [face(0, true), face(3, false)] };
  const r = frameRecord(10, tracked);
  assert.equal(r.frame, 10);
  assert.equal(r.time, 0.333333);
  assert.equal(r.faces.length, 2);
  const [a, b] = r.faces;
  assert.equal(a.id, 0);
  assert.equal(a.detected, true);
  assert.deepEqual(a.box, [1.23, 2.35, 100.5, 120.25]);
  assert.equal(a.landmarks.length, 68);
  assert.deepEqual(a.landmarks[0], [10.12, 11.12, 12.12]);
  assert.deepEqual(a.landmarks[67], [211.12, 212.12, 213.12]);
  assert.deepEqual(a.pose && { yaw: a.pose.yaw, pitch: a.pose.pitch, roll: a.pose.roll }, { yaw: 12.35, pitch: -4.57, roll: 0 });
  assert.equal(a.pose?.cameraMatrix.length, 12);
  assert.equal(a.pose?.cameraMatrix[1], 0.14286);
  assert.equal(b.id, 3);
  assert.equal(b.pose, undefined);
  // One line of JSON, and it survives the round trip.
  const line = JSON.stringify(r);
  assert.ok(!line.includes('\n'));
  assert.deepEqual(JSON.parse(line), r);
});
