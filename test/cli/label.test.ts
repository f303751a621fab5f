import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npyToFloat64, readNpy } from '../../src/io/npy.js';
import { encodeNpy } from '../../src/io/encodeNpy.js';
import { readLabelSet } from '../../src/node/train/labels/labelSetFiles.js';
import { loadAflw21TrainingData } from '../../src/node/train/trainingData.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = path.resolve(root, '../shared');
const aflw = path.join(shared, 'datasets/aflw21');
const prnet = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), ...args], { encoding: 'utf8', cwd: root });

/** The first n AFLW-21 faces in a temporary folder; face `corrupt` gets a broken JPEG. */
function smallAflw(n: number, corrupt: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prnet-aflw-'));
  mkdirSync(path.join(dir, 'images'));
  const names = readFileSync(path.join(aflw, 'images.txt'), 'utf8').split('\n').filter(Boolean).slice(0, n);
  names.forEach((name, i) => {
    if (i === corrupt) writeFileSync(path.join(dir, 'images', name), Buffer.from('not a jpeg at all'));
    else copyFileSync(path.join(aflw, 'images', name), path.join(dir, 'images', name));
  });
  writeFileSync(path.join(dir, 'images.txt'), names.join('\n') + '\n');
  const slice = (file: string, per: number, shape: number[]) => {
    const all = npyToFloat64(readNpy(new Uint8Array(readFileSync(path.join(aflw, file)))));
    writeFileSync(path.join(dir, file), encodeNpy(Float32Array.from(all.subarray(0, n * per)), shape));
  };
  slice('pts21.npy', 42, [n, 2, 21]);
  slice('roi_box.npy', 4, [n, 4]);
  slice('yaw.npy', 1, [n]);
  return dir;
}

test('prnet label aflw21 labels real faces, reports an unreadable image in one line and leaves it out, and training reads the set in the same frame', async () => {
  const data = smallAflw(40, 7);
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'prnet-labels-')), 'set');
  const r = prnet('label', 'aflw21', '--data', data, '--teacher', path.join(shared, '3ddfa/mb05_120x120.onnx'), '--bfm', path.join(shared, '3ddfa'),
    '-o', out, '--correspondence-faces', '30', '--uv-data', path.join(shared, 'prnet-data/uv-data'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /labelled 40 faces in \d+ s: 3\d kept, \d+ left out \(1 unreadable/);
  // No terminal: the fitting pass reports progress in plain lines too.
  assert.match(r.stderr, /^prnet: fitted 40\/40 faces$/m);
  const skipLines = r.stderr.split('\n').filter((l) => l.includes('skipped'));
  assert.equal(skipLines.length, 1, r.stderr);
  assert.match(skipLines[0]!, /skipped image\d+\.jpg: /);
  assert.ok(!existsSync(path.join(out, '.work')), 'work files are removed');

  const set = await readLabelSet(out);
  assert.equal(set.info.count, 40);
  assert.equal(set.info.dataset, 'aflw21');
  assert.equal(set.info.correspondence.uv.length, 21);
  assert.equal(set.quality[7 * 4 + 3], 1, 'the corrupt face is flagged');
  // The teacher's crop of each face is stored: for AFLW-21, the data set's own 3DDFA box.
  const roi = npyToFloat64(readNpy(new Uint8Array(readFileSync(path.join(out, 'roi_box.npy')))));
  const want = npyToFloat64(readNpy(new Uint8Array(readFileSync(path.join(data, 'roi_box.npy')))));
  for (const i of [0, 1, 20]) for (let c = 0; c < 4; c++) assert.ok(Math.abs(roi[i * 4 + c]! - want[i * 4 + c]!) < 1e-3);
  assert.match(readFileSync(path.join(out, 'rejected.tsv'), 'utf8'), new RegExp(`^7\\t${set.info.images[7]}\\t`, 'm'));
  // Kept labels fit their human points (21 AFLW points, 450 frame) closely: median fit error under 5 % of the face.
  const errs = Array.from({ length: 40 }, (_, i) => set.quality[i * 4]!).filter((e, i) => !set.quality[i * 4 + 3] && Number.isFinite(e)).sort((a, b) => a - b);
  assert.ok(errs.length >= 35 && errs[errs.length >> 1]! < 0.05, `median fit error ${errs[errs.length >> 1]}`);

  // Training: the same faces, the same frame. The label's 68 landmarks are the training targets' landmarks.
  const train = await loadAflw21TrainingData({ dataDir: data, uvDataDir: path.join(shared, 'prnet-data/uv-data'), inputSize: 256, valCount: 5, cacheDir: null, labels: out });
  assert.equal(train.trainCount + train.valCount + train.excludedImages.length, 40);
  assert.ok(Array.from(train.excludedImages).includes(7));
  for (const image of [0, 3, 12]) {
    const lm = train.fittedLandmarks(image);
    for (let j = 0; j < 68; j++) {
      assert.ok(Math.abs(lm[j * 2]! - set.landmarks[image * 204 + j * 3]!) < 0.01, `image ${image} landmark ${j} x`);
      assert.ok(Math.abs(lm[j * 2 + 1]! - set.landmarks[image * 204 + j * 3 + 1]!) < 0.01, `image ${image} landmark ${j} y`);
    }
  }
  // Validation against the labels themselves: the targets score 0 against themselves, the human points a few %.
  const batch = await train.valBatch([0, 1, 2]);
  const m = train.valMetrics!(batch.targets, batch.targets, [0, 1, 2]);
  assert.ok(m['label68_2d']!.sum < 1e-9 && m['label68_2d']!.count === 3);
  assert.ok(m['mouth_gap']!.sum < 1e-9 && m['mouth_gap']!.count === 3);
  // Another face's map as the prediction: its mouth is open by another amount.
  const per = batch.targets.length / 3;
  const swapped = new Float32Array(batch.targets.length);
  for (const [to, from] of [[0, 1], [1, 2], [2, 0]] as const) swapped.set(batch.targets.subarray(from * per, (from + 1) * per), to * per);
  const wrong = train.valMetrics!(swapped, batch.targets, [0, 1, 2])['mouth_gap']!;
  assert.ok(wrong.sum > 1e-4 && wrong.sum / 3 < 0.2, `mouth gap error of other faces' maps ${wrong.sum / 3}`);
  // --helen-repeat needs a helen-afw68 set to repeat: one line, before any training.
  const t = prnet('train', '--data', data, '--labels', out, '--helen-repeat', '3', '--out', path.join(path.dirname(out), 'run'), '--variant', 'resfcn128-light', '--max-steps', '1');
  assert.equal(t.status, 1, t.stderr);
  assert.match(t.stderr, /--helen-repeat: no helen-afw68 label set among --labels to repeat/);
  assert.ok(!t.stderr.includes('    at '), 'no stack trace');
  const human = train.valLandmarkError(batch.targets, [0, 1, 2]);
  assert.ok(human.nme > 0.003 && human.nme < 0.08, `targets vs human points ${human.nme}`);
});

test('prnet label refuses a missing teacher and a data folder without its files, in one line each', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'prnet-labels-'));
  const a = prnet('label', 'aflw21', '--data', aflw, '--teacher', '/nonexistent/mb1.onnx', '--bfm', path.join(shared, '3ddfa'), '-o', out);
  assert.notEqual(a.status, 0);
  assert.match(a.stderr, /cannot read the 3DDFA_V2 model \(ENOENT\)/);
  const b = prnet('label', 'aflw21', '--data', out, '--teacher', path.join(shared, '3ddfa/mb05_120x120.onnx'), '--bfm', path.join(shared, '3ddfa'), '-o', out);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /cannot read .*images\.txt/);
  assert.ok(!b.stderr.includes('    at '), 'no stack trace');
});
