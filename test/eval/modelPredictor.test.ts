import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseMat } from '../../src/io/mat.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import type { PositionMapModel } from '../../src/model/session.js';
import { aflw2000GroundTruth, type Aflw2000GroundTruth } from '../../src/eval/aflw2000GroundTruth.js';
import { modelPredictor } from '../../src/eval/modelPredictor.js';
import { meanFacePredictor } from '../../src/eval/meanFaceBaseline.js';
import { evaluateAflw2000, type Aflw2000Sample } from '../../src/eval/evaluateAflw2000.js';
import { rotationToAflwPose } from '../../src/eval/aflwPose.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { hornSimilarity } from '../geometry/reference.js';
import { syntheticFace } from '../support/syntheticFace.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const fixtures = shared + 'fixtures/aflw2000-sample/';
const names = ['image00002', 'image00004', 'image00006', 'image00008', 'image00010'];

test('modelPredictor: crop → fake model → restore → landmarks and pose, checked against independent crop math', async () => {
  const assets = await loadUvAssets({ dataDir: shared + 'prnet-data/uv-data/' });
  const data = new Map<string, { gt: Aflw2000GroundTruth; image: RgbImage }>();
  for (const n of names) {
    const gt = aflw2000GroundTruth(parseMat(new Uint8Array(readFileSync(`${fixtures}${n}.mat`)), { inflate: (d) => inflateSync(d) }), n);
    const { data: px, info } = await sharp(`${fixtures}${n}.jpg`).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    data.set(n, { gt, image: { width: info.width, height: info.height, data: new Uint8Array(px) } });
  }
  // Independent crop: GT box centre, side = mean side × 1.6; crop pixel = (p − corner) · (res − 1)/side.
  const crop = (gt: Aflw2000GroundTruth) => {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let k = 0; k < 68; k++) {
      x0 = Math.min(x0, gt.landmarks[3 * k]!); x1 = Math.max(x1, gt.landmarks[3 * k]!);
      y0 = Math.min(y0, gt.landmarks[3 * k + 1]!); y1 = Math.max(y1, gt.landmarks[3 * k + 1]!);
    }
    const size = ((x1 - x0 + y1 - y0) / 2) * 1.6;
    return { left: (x0 + x1) / 2 - size / 2, top: (y0 + y1) / 2 - size / 2, size };
  };
  const canon = assets.canonicalVertices;
  const nv = canon.length / 3;
  const mean68: number[] = [];
  // landmark k's vertex: its UV pixel's position in faceIndices
  const where = new Map<number, number>();
  assets.faceIndices.forEach((p, i) => where.set(p, i));
  for (const kp of assets.keypointIndices) {
    const v = where.get(kp)!;
    mean68.push(canon[3 * v]!, canon[3 * v + 1]!, canon[3 * v + 2]!);
  }
  const queue = [...names];
  const inputSize = 128;
  let calls = 0;
  const fake: PositionMapModel = {
    inputSize,
    outputSize: 256,
    metadata: {},
    async predict(input, n) {
      calls++;
      assert.equal(input.length, n * inputSize * inputSize * 3);
      const out = new Float32Array(n * 256 * 256 * 3);
      for (let b = 0; b < n; b++) {
        const { gt, image } = data.get(queue.shift()!)!;
        const c = crop(gt);
        // the input crop: one pixel checked against naive bilinear sampling of the photo
        const [ox, oy] = [37, 90];
        const sx = c.left + (ox * c.size) / (inputSize - 1);
        const sy = c.top + (oy * c.size) / (inputSize - 1);
        const fx = Math.floor(sx), fy = Math.floor(sy);
        const px = (x: number, y: number) => (x < 0 || y < 0 || x >= image.width || y >= image.height ? 0 : image.data[(y * image.width + x) * 3]! / 255);
        const want = (1 - (sy - fy)) * ((1 - (sx - fx)) * px(fx, fy) + (sx - fx) * px(fx + 1, fy)) + (sy - fy) * ((1 - (sx - fx)) * px(fx, fy + 1) + (sx - fx) * px(fx + 1, fy + 1));
        const got = input[b * inputSize * inputSize * 3 + (oy * inputSize + ox) * 3]!;
        assert.ok(Math.abs(got - want) < 1e-5, `input pixel ${got} vs ${want}`);
        // the "prediction": the mean face fitted to the GT, in 256-crop coordinates
        const { s, R, t } = hornSimilarity(mean68, gt.landmarks);
        const k = 255 / c.size;
        for (let v = 0; v < nv; v++) {
          const p = [0, 1, 2].map((r) => s * (R[3 * r]! * canon[3 * v]! + R[3 * r + 1]! * canon[3 * v + 1]! + R[3 * r + 2]! * canon[3 * v + 2]!) + t[r]!);
          const o = b * 256 * 256 * 3 + assets.faceIndices[v]! * 3;
          out[o] = (p[0]! - c.left) * k;
          out[o + 1] = (p[1]! - c.top) * k;
          out[o + 2] = p[2]! * k;
        }
      }
      return out;
    },
    async dispose() {},
  };
  const samples: Aflw2000Sample[] = names.map((name) => ({
    name,
    load: async (withImage) => ({ groundTruth: data.get(name)!.gt, ...(withImage ? { image: data.get(name)!.image } : {}) }),
  }));
  const viaModel = await evaluateAflw2000(samples, modelPredictor(fake, assets, 'model', { mapSmoothing: 0 }), { batchSize: 2 });
  assert.equal(calls, 3);
  const baseline = await evaluateAflw2000(samples, meanFacePredictor(assets));
  viaModel.forEach((rec, i) => {
    assert.equal(rec.status, 'ok', rec.error);
    const base = baseline[i]!;
    // float32 position maps: agreement to ~1e-5 of the NME
    assert.ok(Math.abs(rec.nme2d! - base.nme2d!) < 2e-6, `${rec.name} 2D ${rec.nme2d} vs ${base.nme2d}`);
    assert.ok(Math.abs(rec.nme3d! - base.nme3d!) < 2e-6, `${rec.name} 3D ${rec.nme3d} vs ${base.nme3d}`);
    const horn = rotationToAflwPose(hornSimilarity(mean68, data.get(rec.name)!.gt.landmarks).R);
    assert.ok(Math.abs(rec.predictedPose!.yaw - horn.yaw) < 1e-3, `${rec.name} yaw ${rec.predictedPose!.yaw} vs ${horn.yaw}`);
    assert.ok(Math.abs(rec.predictedPose!.pitch - horn.pitch) < 1e-3);
    assert.ok(Math.abs(rec.predictedPose!.roll - horn.roll) < 1e-3);
  });
});

test('modelPredictor: a face whose map holds NaN fails alone, saying the model is broken; its batch-mate is scored', async () => {
  const assets = await loadUvAssets({ dataDir: shared + 'prnet-data/uv-data/' });
  const { positionMap } = syntheticFace(assets, { scale: 0.85, tx: 128, ty: 135, tz: 120 });
  const broken: PositionMapModel = {
    inputSize: 128,
    outputSize: 256,
    metadata: {},
    async predict(_input, n) {
      const out = new Float32Array(n * positionMap.length);
      for (let b = 0; b < n; b++) out.set(positionMap, b * positionMap.length);
      out[positionMap.length + 1000] = NaN; // the second crop: one texel
      return out;
    },
    async dispose() {},
  };
  const samples: Aflw2000Sample[] = names.slice(0, 2).map((name) => ({
    name,
    load: async () => {
      const gt = aflw2000GroundTruth(parseMat(new Uint8Array(readFileSync(`${fixtures}${name}.mat`)), { inflate: (d) => inflateSync(d) }), name);
      return { groundTruth: gt, image: { width: 450, height: 450, data: new Uint8Array(450 * 450 * 3) } };
    },
  }));
  const [first, second] = await evaluateAflw2000(samples, modelPredictor(broken, assets), { batchSize: 2 });
  assert.equal(first!.status, 'ok', first!.error);
  assert.equal(second!.status, 'failed');
  assert.match(second!.error!, /the network returned non-finite values \(NaN or ±∞\) for this face: the model is broken/);
});
