import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseNpy } from '../../../src/io/npy.js';
import { POSITION_MAP_SCALE } from '../../../src/model/resfcn.js';
import { loadMorphableModel } from '../../../src/node/train/morphableModel.js';
import { generatePosmapDataset, listPosmapSources, loadPosmapTrainingData, type PosmapDatasetIndex } from '../../../src/node/train/posmapDataset.js';
import { createTrainRandom } from '../../../src/train/loop/trainRandom.js';
import { seededRandom } from '../../support/random.js';
import { makeFixtureModel, writeFixture } from '../../labels/posmap300wlp/fixture.js';
import { encodeMat } from '../../labels/posmap300wlp/matWriter.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (async () => {
  const f = await writeFixture(makeFixtureModel());
  // A folder with three good samples and three bad ones.
  const bad = path.join(f.dir, 'bad');
  await cp(f.lp, bad, { recursive: true });
  const afw = path.join(bad, 'AFW');
  const rng = seededRandom(3);
  await writeFile(path.join(afw, 'AFW_900_1_0.jpg'), Uint8Array.from({ length: 500 }, () => Math.floor(rng() * 256)));
  await copyFile(path.join(afw, 'AFW_100_1_0.mat'), path.join(afw, 'AFW_900_1_0.mat'));
  await copyFile(path.join(afw, 'AFW_100_1_0.jpg'), path.join(afw, 'AFW_901_1_0.jpg'));
  await copyFile(path.join(afw, 'AFW_100_1_0.jpg'), path.join(afw, 'AFW_902_1_0.jpg'));
  await writeFile(path.join(afw, 'AFW_902_1_0.mat'), encodeMat({
    Pose_Para: { shape: [1, 7], data: [0, 0, 0, 150, 150, 0, 1e-3] }, Shape_Para: { shape: [199, 1], data: new Float64Array(199) }, Exp_Para: { shape: [29, 1], data: new Float64Array(29) },
  }));
  const out = path.join(f.dir, 'out');
  const model = await loadMorphableModel(f.bfm, f.uv);
  const lines: string[] = [];
  const result = await generatePosmapDataset(await listPosmapSources([bad]), model, {
    outDir: out, seed: 4, onSample: (s, e) => { if (e) lines.push(`${s}: ${e}`); },
  });
  return { ...f, bad, out, result, lines, model };
})();

test.after(async () => rm((await fixture).dir, { recursive: true, force: true }));

test('a folder run writes crops, maps and index.json; bad samples are reported and skipped', async () => {
  const { out, result, lines, model, bad } = await fixture;
  assert.equal(result.written, 3);
  assert.equal(result.skipped.length, 3);
  assert.match(lines.find((l) => l.includes('AFW_900'))!, /AFW_900_1_0\.jpg/);
  assert.match(lines.find((l) => l.includes('AFW_901'))!, /AFW_901_1_0\.mat: file not found/);
  assert.match(lines.find((l) => l.includes('AFW_902'))!, /AFW_902_1_0\.mat: 'Shape_Para' is 199×1, expected 3 values/);
  const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as PosmapDatasetIndex;
  assert.deepEqual(index.samples.map((s) => s.name), ['AFW_AFW_100_1_0', 'AFW_AFW_101_1_0', 'AFW_AFW_102_1_0']);
  assert.equal(index.keypointUv.length, 68);
  const k = model.keypointIndices[5]!;
  assert.deepEqual(index.keypointUv[5], [Math.round(model.uvCoords[k * 3]!), Math.round(model.uvCoords[k * 3 + 1]!)]);
  const s0 = index.samples[0]!;
  const npy = parseNpy(new Uint8Array(await readFile(path.join(out, s0.positionMap))));
  assert.deepEqual(npy.shape, [256, 256, 3]);
  const meta = await sharp(path.join(out, s0.image)).metadata();
  assert.equal(meta.width, 256);
  assert.equal(meta.height, 256);
  // No temp files left behind.
  assert.deepEqual((await readdir(out)).filter((n) => n.startsWith('.')), []);
  // The jitter of a sample depends on the seed and its name only: a --limit run of the clean
  // folder gives sample 100 the same crop; another seed gives another crop.
  assert.ok(index.generator.jitter);
  const sources = (await listPosmapSources([bad])).slice(0, 1);
  const again = await generatePosmapDataset(sources, model, { outDir: path.join(out, '..', 'again'), seed: 4 });
  assert.equal(again.written, 1);
  const other = await generatePosmapDataset(sources, model, { outDir: path.join(out, '..', 'other'), seed: 5 });
  assert.equal(other.written, 1);
  const crops = async (dir: string) => (JSON.parse(await readFile(path.join(out, '..', dir, 'index.json'), 'utf8')) as PosmapDatasetIndex).samples[0]!.crop;
  assert.deepEqual(await crops('again'), s0.crop);
  assert.notDeepEqual(await crops('other'), s0.crop);
  // A .txt list names samples by their stem.
  const list = path.join(out, '..', 'list.txt');
  await writeFile(list, 'bad/AFW/AFW_101_1_0.jpg\n# comment\n\nbad/AFW/AFW_100_1_0.jpg\n');
  assert.deepEqual((await listPosmapSources([list])).map((q) => q.name), ['AFW_100_1_0', 'AFW_101_1_0']);
  await assert.rejects(listPosmapSources([path.join(out, 'index.json')]), /not a folder, a \.txt list or a \.jpg/);
});

test('the CLI writes the same data set and names skipped files', async () => {
  const { bad, bfm, uv, dir } = await fixture;
  const out = path.join(dir, 'cli-out');
  const r = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'data', '300wlp', bad, '--bfm', bfm, '--uv', uv, '-o', out, '--no-jitter'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote 3 samples .* skipped 3/);
  assert.match(r.stderr, /skipped .*AFW_901_1_0\.jpg: .*file not found/);
  const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as PosmapDatasetIndex;
  assert.equal(index.generator.jitter, false);
  assert.equal(index.samples.length, 3);
  const missing = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), 'data', '300wlp', bad, '--bfm', path.join(dir, 'nope.mat'), '--uv', uv, '-o', out], { encoding: 'utf8' });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /nope\.mat: file not found/);
});

test('TrainingData over the folder: shapes, targets = map / 281.6 (2×2 means at 128), inputs = crop, flip, landmark error', async () => {
  const { out } = await fixture;
  const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as PosmapDatasetIndex;
  const data = await loadPosmapTrainingData({ dir: out, inputSize: 256, valCount: 1, seed: 2 });
  assert.equal(data.trainCount, 2);
  assert.equal(data.valCount, 1);
  const s = index.samples[data.valSamples[0]!]!;
  const map = parseNpy(new Uint8Array(await readFile(path.join(out, s.positionMap)))).data as Float32Array;
  const crop = new Uint8Array(await sharp(path.join(out, s.image)).raw().toBuffer());
  const val = await data.valBatch([0]);
  assert.equal(val.size, 1);
  assert.equal(val.targets.length, 256 * 256 * 3);
  let covered = 0;
  for (let i = 0; i < map.length; i++) {
    assert.ok(Math.abs(val.targets[i]! - map[i]! / POSITION_MAP_SCALE) < 1e-6, `target ${i}`);
    assert.ok(Math.abs(val.inputs[i]! - crop[i]! / 255) < 1e-6, `input ${i}`);
    if (map[i]) covered++;
  }
  assert.ok(covered > 100000);
  // Weight mask: the covered pixels.
  assert.equal(data.weightMask[128 * 256 + 128], 1);
  assert.equal(data.weightMask[128 * 256 + 0], 0);

  // Validation error of the targets themselves is 0; a shifted prediction is not.
  assert.ok(data.valLandmarkError(val.targets, [0]).nme < 1e-6);
  const shifted = val.targets.map((v, i) => (i % 3 === 0 ? v + 5 / POSITION_MAP_SCALE : v));
  assert.ok(data.valLandmarkError(shifted, [0]).nme > 0.01);

  // S = 128: 2×2 means of the 256 target.
  const small = await loadPosmapTrainingData({ dir: out, inputSize: 128, valCount: 1, seed: 2 });
  const v128 = await small.valBatch([0]);
  assert.equal(v128.inputs.length, 128 * 128 * 3);
  for (let y = 0; y < 128; y += 5) for (let x = 0; x < 128; x += 5) for (let c = 0; c < 3; c++) {
    const at = (yy: number, xx: number) => map[(yy * 256 + xx) * 3 + c]! / POSITION_MAP_SCALE;
    const mean = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
    assert.ok(Math.abs(v128.targets[(y * 128 + x) * 3 + c]! - mean) < 1e-6);
  }

  // Pure flip: image mirrored, map columns permuted u → 255 − u with x → 255 − x.
  const flipOnly = await loadPosmapTrainingData({
    dir: out, inputSize: 256, valCount: 0, seed: 2,
    augmentation: { maxAngleDeg: 0, maxShift: 0, scaleRange: [1, 1], colorRange: [1, 1], flipProbability: 1, occlusionProbability: 0 },
  });
  const k = flipOnly.trainSamples.indexOf(data.valSamples[0]!);
  const flipped = await flipOnly.batch([k], createTrainRandom(9), true);
  for (let v = 0; v < 256; v += 3) for (let u = 0; u < 256; u += 3) {
    const p = (v * 256 + u) * 3, q = (v * 256 + 255 - u) * 3;
    assert.ok(Math.abs(flipped.inputs[p]! - crop[q]! / 255) < 1e-6);
    if (!map[q] && !map[q + 1]) continue;
    assert.ok(Math.abs(flipped.targets[p]! - (255 - map[q]!) / POSITION_MAP_SCALE) < 1e-5);
    assert.ok(Math.abs(flipped.targets[p + 1]! - map[q + 1]! / POSITION_MAP_SCALE) < 1e-5);
    assert.ok(Math.abs(flipped.targets[p + 2]! - map[q + 2]! / POSITION_MAP_SCALE) < 1e-5);
  }
  // Same seed, same augmented batch.
  const a1 = await data.batch([0, 1], createTrainRandom(5), true), a2 = await data.batch([0, 1], createTrainRandom(5), true);
  assert.deepEqual(a1.targets, a2.targets);
  assert.deepEqual(a1.inputs, a2.inputs);
  await assert.rejects(loadPosmapTrainingData({ dir: out, inputSize: 256, valCount: 3 }), /valCount must be in \[0, 3\)/);
});
