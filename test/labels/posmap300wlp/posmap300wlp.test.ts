import test from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { readFile, rm } from 'node:fs/promises';
import { parseMat } from '../../../src/io/mat.js';
import { angleToMatrix3ddfa } from '../../../src/labels/posmap300wlp/angleToMatrix3ddfa.js';
import { encodeNpy } from '../../../src/io/encodeNpy.js';
import { morphableModel } from '../../../src/labels/posmap300wlp/morphableModel.js';
import { parameters300wlp } from '../../../src/labels/posmap300wlp/parameters300wlp.js';
import { posmap300wlp } from '../../../src/labels/posmap300wlp/posmap300wlp.js';
import { parseNpy } from '../../../src/io/npy.js';
import { loadMorphableModel } from '../../../src/node/train/morphableModel.js';
import { decodeImage } from '../../../src/node/inference/decodeImage.js';
import { seededRandom } from '../../support/random.js';
import { makeFixtureModel, SAMPLE_PARAMS, writeFixture } from './fixture.js';
import { encodeMat } from './matWriter.js';
import { referencePosmap } from './reference.js';

const fixtureModel = makeFixtureModel();
const files = writeFixture(fixtureModel);
const SIZE = 256;
test.after(async () => rm((await files).dir, { recursive: true, force: true }));

async function sample(s: number) {
  const f = await files;
  const model = await loadMorphableModel(f.bfm, f.uv);
  const stem = `${f.lp}/AFW/AFW_${100 + s}_1_0`;
  const photo = await decodeImage(`${stem}.jpg`);
  const params = parameters300wlp(parseMat(await readFile(`${stem}.mat`), { inflate: inflateSync }), model.shapeCount, model.expressionCount);
  return { model, photo, params };
}

test('angleToMatrix3ddfa is Rx·Ry·Rz with 3DDFA signs', () => {
  const rng = seededRandom(1);
  for (let t = 0; t < 5; t++) {
    const [a, b, c] = [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1];
    const R = angleToMatrix3ddfa(a, b, c);
    const Rx = [1, 0, 0, 0, Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a)];
    const Ry = [Math.cos(b), 0, -Math.sin(b), 0, 1, 0, Math.sin(b), 0, Math.cos(b)];
    const Rz = [Math.cos(c), Math.sin(c), 0, -Math.sin(c), Math.cos(c), 0, 0, 0, 1];
    const m = (p: number[], q: number[]) => [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => p[i * 3]! * q[j]! + p[i * 3 + 1]! * q[3 + j]! + p[i * 3 + 2]! * q[6 + j]!));
    const ref = m(m(Rx, Ry), Rz);
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(R[k]! - ref[k]!) < 1e-12, `R[${k}]`);
  }
});

test('the loaded model follows face3d: mean = shapeMU + expMU, full_triangles = tri ; tri_mouth, 0-based, process_uv', async () => {
  const { model } = await sample(0);
  const fm = fixtureModel;
  assert.equal(model.vertexCount, fm.n);
  assert.equal(model.shapeCount, 3);
  assert.equal(model.expressionCount, 2);
  for (let r = 0; r < 3 * fm.n; r += 37) assert.equal(model.mean[r], fm.shapeMU[r]! + fm.expMU[r]!);
  assert.deepEqual(Array.from(model.triangles), fm.triangles.flat());
  assert.deepEqual(Array.from(model.keypointIndices), fm.kptInd);
  for (let i = 0; i < fm.n; i += 13) {
    assert.equal(model.uvCoords[i * 3], Math.fround(fm.uv[2 * i]! * 255));
    assert.equal(model.uvCoords[i * 3 + 1], Math.fround(256 - fm.uv[2 * i + 1]! * 255 - 1));
  }
});

test('the position map equals a naive float64 port of face3d (no jitter)', async () => {
  for (const s of [0, 1]) {
    const { model, photo, params } = await sample(s);
    const out = posmap300wlp(photo, params, model, { size: SIZE });
    const ref = referencePosmap(fixtureModel, SAMPLE_PARAMS[s]!, photo.height, SIZE, null);
    let both = 0, mismatch = 0, maxDiff = 0, empty = 0;
    for (let p = 0; p < SIZE * SIZE; p++) {
      const r = ref.map[p];
      const mine = [out.positionMap[p * 3]!, out.positionMap[p * 3 + 1]!, out.positionMap[p * 3 + 2]!];
      const covered = mine.some((v) => v !== 0);
      if (!r) {
        if (covered) mismatch++;
        else empty++;
        continue;
      }
      if (!covered) { mismatch++; continue; }
      both++;
      for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(mine[c]! - r[c]!));
    }
    // A pixel exactly on an outer edge may go either way (fill rules differ only there).
    assert.ok(mismatch <= 3, `sample ${s}: ${mismatch} pixels covered by only one of the two`);
    assert.ok(both > 0.8 * SIZE * SIZE, `sample ${s}: only ${both} covered pixels`);
    assert.ok(empty >= 2 * SIZE * 10, `sample ${s}: the uncovered outer columns must stay 0 (${empty} empty)`);
    assert.ok(maxDiff < 1e-4, `sample ${s}: max difference ${maxDiff} px`); // float32 storage
    // Vertex positions: same crop frame.
    for (let i = 0; i < fixtureModel.n; i += 7) for (let c = 0; c < 3; c++) assert.ok(Math.abs(out.position[i * 3 + c]! - ref.position[i]![c]!) < 1e-6);
  }
});

test('keypoint pixels hold the transformed keypoints; the crop centres the keypoint box at 1.5×; z min is 0', async () => {
  const { model, photo, params } = await sample(0);
  const out = posmap300wlp(photo, params, model, { size: SIZE });
  const ref = referencePosmap(fixtureModel, SAMPLE_PARAMS[0]!, photo.height, SIZE, null);
  fixtureModel.kptInd.forEach((k) => {
    const u = Math.round(model.uvCoords[k * 3]!), v = Math.round(model.uvCoords[k * 3 + 1]!);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(out.positionMap[(v * SIZE + u) * 3 + c]! - ref.position[k]![c]!) < 1e-2, `keypoint vertex ${k}`);
  });
  // Box of the int-cast keypoints → crop centre, side int(1.5 · mean side).
  const kx = fixtureModel.kptInd.map((k) => Math.trunc(ref.image[k]![0]!)), ky = fixtureModel.kptInd.map((k) => Math.trunc(ref.image[k]![1]!));
  const cx = (Math.min(...kx) + Math.max(...kx)) / 2, cy = (Math.min(...ky) + Math.max(...ky)) / 2;
  const T = out.transform;
  assert.ok(Math.abs(T[0]! * cx + T[1]! * cy + T[2]! - 127.5) < 1e-9);
  assert.ok(Math.abs(T[3]! * cx + T[4]! * cy + T[5]! - 127.5) < 1e-9);
  const old = (Math.max(...kx) - Math.min(...kx) + Math.max(...ky) - Math.min(...ky)) / 2;
  assert.equal(out.square.size, Math.trunc(1.5 * old));
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(T[k]! - ref.tform[k]!) < 1e-9, `transform[${k}]`);
  let zmin = Infinity;
  for (let i = 2; i < out.position.length; i += 3) zmin = Math.min(zmin, out.position[i]!);
  assert.equal(zmin, 0);
  // Inside the border the map interpolates, so z stays ≥ 0.
  for (let y = 2; y < SIZE - 2; y++) for (let x = 2; x < SIZE - 2; x++) assert.ok(out.positionMap[(y * SIZE + x) * 3 + 2]! >= -1e-4);
});

test('jitter: three draws shift the centre by ±0.1 old size and scale the side by 0.9…1.1', async () => {
  const { model, photo, params } = await sample(1);
  const draws = [0.2, 0.85, 0.1];
  let k = 0;
  const out = posmap300wlp(photo, params, model, { size: SIZE, rng: () => draws[k++]! });
  assert.equal(k, 3);
  const ref = referencePosmap(fixtureModel, SAMPLE_PARAMS[1]!, photo.height, SIZE, draws);
  assert.ok(Math.abs(out.square.center[0] - ref.center[0]) < 1e-9 && Math.abs(out.square.center[1] - ref.center[1]) < 1e-9);
  assert.ok(Math.abs(out.square.size - ref.size) < 1e-9);
  const none = referencePosmap(fixtureModel, SAMPLE_PARAMS[1]!, photo.height, SIZE, null);
  assert.notEqual(ref.size, none.size);
  for (let p = 0; p < SIZE * SIZE; p += 97) {
    const r = ref.map[p];
    if (!r || (p % SIZE) < 2 || (p % SIZE) > SIZE - 3) continue;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(out.positionMap[p * 3 + c]! - r[c]!) < 2e-3);
  }
});

test('the crop is a bilinear warp of the photo', async () => {
  const { model, photo, params } = await sample(2);
  const out = posmap300wlp(photo, params, model, { size: SIZE });
  const T = out.transform; // x' = a (x − x0): invert by hand
  const a = T[0]!, tx = T[2]!, ty = T[5]!;
  let worst = 0;
  for (let y = 0; y < SIZE; y += 3) for (let x = 0; x < SIZE; x += 3) {
    const sx = (x - tx) / a, sy = (y - ty) / a;
    const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (const [dx, dy, w] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]] as const) {
        const xx = x0 + dx, yy = y0 + dy;
        if (xx >= 0 && yy >= 0 && xx < photo.width && yy < photo.height) v += w * photo.data[(yy * photo.width + xx) * 3 + c]!;
      }
      worst = Math.max(worst, Math.abs(out.crop.data[(y * SIZE + x) * 3 + c]! - v));
    }
  }
  assert.ok(worst <= 0.5 + 1e-6, `crop differs by ${worst}`);
  assert.equal(out.crop.width, SIZE);
});

test('bad model files and parameter files are clear errors naming the field', async () => {
  const fm = fixtureModel;
  const uv = parseMat(encodeMat({ UV: { shape: [fm.n, 2], data: fm.uv } }));
  const withFields = (f: Record<string, unknown>) => parseMat(encodeMat({ model: { struct: f as never } }));
  const { expPC: _drop, ...noExp } = fm.fields;
  assert.throws(() => morphableModel(withFields(noExp), uv), /model\.expPC is missing/);
  const badPC = { ...fm.fields, shapePC: { shape: [3 * fm.n - 3, 3], data: new Float64Array(3 * (3 * fm.n - 3)) } };
  assert.throws(() => morphableModel(withFields(badPC), uv), /model\.shapePC is .*expected 972×k/);
  const badTri = { ...fm.fields, tri: { shape: [3, 1], data: [1, 2, fm.n + 1] } };
  assert.throws(() => morphableModel(withFields(badTri), uv), /model\.tri holds 325/);
  const uvShort = parseMat(encodeMat({ UV: { shape: [fm.n - 1, 2], data: fm.uv.subarray(0, 2 * fm.n - 2) } }));
  assert.throws(() => morphableModel(withFields(fm.fields), uvShort, { uvName: 'my_uv.mat' }), /my_uv\.mat: UV is 323×2, expected 324×2/);
  assert.throws(() => morphableModel(parseMat(encodeMat({ other: { shape: [1, 1], data: [1] } })), uv), /variable 'model' is missing/);
  const params = parseMat(encodeMat({ Pose_Para: { shape: [1, 7], data: [0, 0, 0, 1, 2, 3, 1] }, Shape_Para: { shape: [199, 1], data: new Float64Array(199) }, Exp_Para: { shape: [2, 1], data: [0, 0] } }));
  assert.throws(() => parameters300wlp(params, 3, 2, 'x.mat'), /x\.mat: 'Shape_Para' is 199×1, expected 3 values/);
});

test('encodeNpy round-trips through parseNpy', () => {
  const data = new Float32Array(4 * 5 * 3).map((_, i) => Math.sin(i) * 100);
  const npy = parseNpy(encodeNpy(data, [4, 5, 3]));
  assert.equal(npy.dtype, 'float32');
  assert.deepEqual(npy.shape, [4, 5, 3]);
  assert.deepEqual(Array.from(npy.data as Float32Array), Array.from(data));
  assert.throws(() => encodeNpy(data, [4, 5]), /does not hold 60 values/);
});
