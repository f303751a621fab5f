/**
 * The perspective head pose: a metric face put in front of a three.js camera, photographed
 * through it (three.js's own projection), then read back from the orthographic pose of the
 * picture; and on a real photo, the canonical face placed by the matrix lands on the
 * face's landmarks.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as THREE from 'three';
import { perspectivePose, PERSPECTIVE_POSE_DEFAULTS } from '../../src/geometry/perspectivePose.js';
import { projectPerspective } from '../../src/geometry/projectPerspective.js';
import { cameraSpaceVertices } from '../../src/geometry/cameraSpaceVertices.js';
import { estimatePose } from '../../src/geometry/estimatePose.js';
import { canonicalEyeCentres } from '../../src/uv/canonicalEyeCentres.js';
import { keypointVertexIndices } from '../../src/uv/keypointVertexIndices.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { PRNet } from '../../src/node/inference/prnet.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { rng } from './reference.js';

const r = rng(51);
const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const shippedModel = fileURLToPath(new URL('../../models/default.onnx', import.meta.url));
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo4.jpg', import.meta.url));
const assets = await loadUvAssets({ dataDir, download: false });
const eyes = canonicalEyeCentres(assets);

/** The canonical face's points in the face frame of `perspectivePose`: metres, origin mid-eyes, y up. */
function faceFrame(canonical: ArrayLike<number>, metresPerUnit: number): THREE.Vector3[] {
  const o = [(eyes[0]! + eyes[3]!) / 2, (eyes[1]! + eyes[4]!) / 2, (eyes[2]! + eyes[5]!) / 2];
  const out: THREE.Vector3[] = [];
  for (let i = 0; i < canonical.length; i += 3) out.push(new THREE.Vector3((canonical[i]! - o[0]!) * metresPerUnit, -(canonical[i + 1]! - o[1]!) * metresPerUnit, (canonical[i + 2]! - o[2]!) * metresPerUnit));
  return out;
}

/** three.js's projection of a face-frame point to pixels (centres at integer coordinates). */
function project(p: THREE.Vector3, matrix: THREE.Matrix4, camera: THREE.PerspectiveCamera, w: number, h: number): [number, number] {
  const v = p.clone().applyMatrix4(matrix).project(camera);
  return [((v.x + 1) / 2) * w - 0.5, ((1 - v.y) / 2) * h - 0.5];
}

test('canonicalEyeCentres: the picture\'s left eye first, level, about 76 canonical units apart', () => {
  assert.ok(eyes[0]! < eyes[3]!, 'left eye on the left');
  assert.ok(Math.abs(eyes[1]! - eyes[4]!) < 1, 'level');
  const d = Math.hypot(eyes[3]! - eyes[0]!, eyes[4]! - eyes[1]!, eyes[5]! - eyes[2]!);
  assert.ok(d > 60 && d < 90, `${d}`);
  assert.equal(canonicalEyeCentres(assets), eyes, 'computed once per asset set');
});

test('perspectivePose: a face photographed through three.js\'s camera is placed back where it was (rotation, distance, direction)', () => {
  const w = 640, h = 480;
  const kpt = keypointVertexIndices(assets);
  for (let t = 0; t < 12; t++) {
    const fovY = 40 + r() * 40;
    const camera = new THREE.PerspectiveCamera(fovY, w / h, 0.01, 1000);
    camera.updateProjectionMatrix();
    const metresPerUnit = 0.063 / Math.hypot(eyes[3]! - eyes[0]!, eyes[4]! - eyes[1]!, eyes[5]! - eyes[2]!);
    // A random head turn (within ±40° yaw, ±25° pitch and roll), far enough that perspective is nearly orthographic.
    const rot = new THREE.Matrix4().makeRotationFromEuler(new THREE.Euler((r() - 0.5) * 0.9, (r() - 0.5) * 1.4, (r() - 0.5) * 0.9));
    const depth = 20 + r() * 20;
    const tan = Math.tan((fovY * Math.PI) / 360) * depth;
    const truth = rot.clone().setPosition((r() - 0.5) * tan * (w / h), (r() - 0.5) * tan, -depth);
    // The "reconstruction", as a network sees a face off the picture's centre: every canonical
    // vertex at its projected pixel, its depth measured along the ray to the face (the
    // direction the camera sees it from), in pixels at the face's magnification.
    const points = faceFrame(assets.canonicalVertices, metresPerUnit);
    const f = h / 2 / Math.tan((fovY * Math.PI) / 360);
    const origin = new THREE.Vector3().setFromMatrixPosition(truth);
    const distance = origin.length();
    const ray = origin.clone().normalize();
    const cos = -ray.z;
    const vertices = new Float64Array(points.length * 3);
    points.forEach((p, i) => {
      const [u, v] = project(p, truth, camera, w, h);
      const along = p.clone().applyMatrix4(truth).dot(ray);
      vertices.set([u, v, (distance - along) * (f / (distance * cos ** 1.5))], 3 * i);
    });
    const cam = perspectivePose(estimatePose(vertices, assets.canonicalVertices), w, h, eyes, { fovY });
    const got = new THREE.Matrix4().fromArray(cam.matrix);
    const [gp, tp] = [new THREE.Vector3().setFromMatrixPosition(got), new THREE.Vector3().setFromMatrixPosition(truth)];
    assert.ok(gp.distanceTo(tp) / depth < 0.005, `position ${gp.toArray()} vs ${tp.toArray()} (fov ${fovY.toFixed(1)}°)`);
    const angle = new THREE.Quaternion().setFromRotationMatrix(got).angleTo(new THREE.Quaternion().setFromRotationMatrix(truth));
    // Without turning the rotation by the ray's, faces off the centre came out up to 10° off.
    assert.ok(angle < 0.015, `rotation off by ${((angle * 180) / Math.PI).toFixed(2)}°`);
    // The landmarks reproject onto their pixels.
    for (const k of [kpt[30]!, kpt[36]!, kpt[48]!]) {
      const [u, v] = project(points[k]!, got, camera, w, h);
      assert.ok(Math.hypot(u - vertices[3 * k]!, v - vertices[3 * k + 1]!) < 0.5, `vertex ${k}`);
    }
  }
});

test('projectPerspective is three.js\'s projection to pixels; behind the camera is NaN', () => {
  const w = 333, h = 251;
  for (let t = 0; t < 10; t++) {
    const fovY = 30 + r() * 60;
    const camera = new THREE.PerspectiveCamera(fovY, w / h, 0.01, 1000);
    camera.updateProjectionMatrix();
    const m = new THREE.Matrix4().makeRotationFromEuler(new THREE.Euler(r() - 0.5, r() - 0.5, r() - 0.5)).setPosition(r() - 0.5, r() - 0.5, -2 - r());
    const pts = Array.from({ length: 30 }, () => (r() - 0.5) * 0.3);
    const got = projectPerspective(pts, { matrix: m.toArray(), fovY }, w, h);
    for (let i = 0; i < 10; i++) {
      const [u, v] = project(new THREE.Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]), m, camera, w, h);
      assert.ok(Math.abs(got[2 * i]! - u) < 1e-6 && Math.abs(got[2 * i + 1]! - v) < 1e-6, `point ${i}`);
    }
  }
  const behind = projectPerspective([0, 0, 0], { matrix: new THREE.Matrix4().setPosition(0, 0, 1).toArray(), fovY: 60 }, 10, 10);
  assert.ok(Number.isNaN(behind[0]) && Number.isNaN(behind[1]));
});

test('perspectivePose on a real photo: the canonical face placed by face.camera lands on the face\'s landmarks; refusals', async () => {
  const prn = await PRNet.load({ model: shippedModel, dataDir, download: false, threads: 1 });
  try {
    const image = await decodeImage(photo);
    const [face] = (await prn.reconstruct(image)).faces;
    assert.ok(face?.camera && face.pose);
    assert.equal(face.camera.fovY, PERSPECTIVE_POSE_DEFAULTS.fovY);
    const camera = new THREE.PerspectiveCamera(face.camera.fovY, image.width / image.height, 0.01, 100);
    camera.updateProjectionMatrix();
    const matrix = new THREE.Matrix4().fromArray(face.camera.matrix);
    const kpt = keypointVertexIndices(assets);
    const points = faceFrame([...kpt].flatMap((k) => [assets.canonicalVertices[3 * k]!, assets.canonicalVertices[3 * k + 1]!, assets.canonicalVertices[3 * k + 2]!]), face.camera.metresPerUnit);
    const eyeGap = Math.hypot(face.landmarks[3 * 45]! - face.landmarks[3 * 36]!, face.landmarks[3 * 45 + 1]! - face.landmarks[3 * 36 + 1]!);
    let err = 0;
    points.forEach((p, i) => {
      const [u, v] = project(p, matrix, camera, image.width, image.height);
      err += Math.hypot(u - face.landmarks[3 * i]!, v - face.landmarks[3 * i + 1]!) / 68;
    });
    // The canonical face is not this face's shape: it lands within a tenth of the eye-corner distance on average.
    assert.ok(err < 0.1 * eyeGap, `mean reprojection error ${err.toFixed(1)} px (eye corners ${eyeGap.toFixed(0)} px apart)`);
    // In front of the camera, at a plausible distance for a 450-pixel portrait at 63°.
    const z = face.camera.matrix[14]!;
    assert.ok(z < -0.1 && z > -3, `${z} m`);
    // The face's own mesh in camera space: seen through the camera, it covers its own pixels
    // (up to perspective against the orthographic fit), and it is a head's size.
    const inCamera = cameraSpaceVertices(face.vertices, face.pose, face.camera, eyes);
    const identity = new THREE.Matrix4().toArray();
    const seen = projectPerspective(Float64Array.from(inCamera, (v, i) => (i % 3 === 1 ? -v : v)), { matrix: identity, fovY: face.camera.fovY }, image.width, image.height);
    let off = 0, minX = Infinity, maxX = -Infinity;
    for (let i = 0; i < inCamera.length / 3; i++) {
      off += Math.hypot(seen[2 * i]! - face.vertices[3 * i]!, seen[2 * i + 1]! - face.vertices[3 * i + 1]!) / (inCamera.length / 3);
      minX = Math.min(minX, inCamera[3 * i]!); maxX = Math.max(maxX, inCamera[3 * i]!);
    }
    // 6.4 px here: at 0.3 m the face's relief changes its magnification, which the orthographic fit cannot show.
    assert.ok(off < 0.1 * eyeGap, `camera-space vertices land ${off.toFixed(2)} px from their pixels on average`);
    assert.ok(maxX - minX > 0.1 && maxX - minX < 0.25, `a face ${(maxX - minX).toFixed(3)} m wide`);
  } finally {
    await prn.dispose();
  }
  const pose = estimatePose(assets.canonicalVertices, assets.canonicalVertices);
  assert.throws(() => perspectivePose(pose, 100, 100, eyes, { fovY: 180 }), /fovY must be between 0 and 180/);
  assert.throws(() => perspectivePose(pose, 0, 100, eyes), /must have a size/);
  assert.throws(() => perspectivePose(pose, 100, 100, [0, 0, 0]), /two points/);
});
