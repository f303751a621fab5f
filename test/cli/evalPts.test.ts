import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../../src/io/npy.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { modelPredictor } from '../../src/eval/modelPredictor.js';
import { SHIPPED_MODEL_PATH } from '../../src/node/inference/prnet.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = path.resolve(root, '../shared');
const helen = path.join(shared, 'datasets/helen-afw68');
const uv = path.join(shared, 'prnet-data/uv-data');
const prnet = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), ...args], { encoding: 'utf8', cwd: root });

const work = mkdtempSync(path.join(os.tmpdir(), 'prnet-evalpts-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** The first `n` helen-afw68 faces: names and 68 points (x, y pairs, 0-based pixels). */
function helenFaces(n: number): { name: string; xy: Float64Array }[] {
  const names = readFileSync(path.join(helen, 'images.txt'), 'utf8').trim().split('\n').slice(0, n);
  const pts = parseNpy(new Uint8Array(readFileSync(path.join(helen, 'pts68.npy')))).data as Float32Array;
  return names.map((file, i) => {
    const xy = new Float64Array(136);
    for (let k = 0; k < 68; k++) { xy[2 * k] = pts[i * 136 + k]!; xy[2 * k + 1] = pts[i * 136 + 68 + k]!; }
    return { name: file.replace(/\.jpg$/, ''), xy };
  });
}

/** A .pts file written here by hand (300-W's layout, 1-based), not by the encoder under test. */
const ptsText = (xy: Float64Array) => `version: 1\nn_points:  68\n{\n${Array.from({ length: 68 }, (_, k) => `${xy[2 * k]! + 1} ${xy[2 * k + 1]! + 1}`).join('\n')}\n}\n`;

test('prnet eval pts: 300-W-style folders scored as an independent computation scores them; bad files fail alone (exit 1); --crop detector finds every face', async () => {
  const faces = helenFaces(6);
  const dir = path.join(work, 'set');
  faces.forEach((f, i) => {
    const sub = path.join(dir, i % 2 ? 'helen/testset' : 'afw');
    mkdirSync(sub, { recursive: true });
    copyFileSync(path.join(helen, 'images', `${f.name}.jpg`), path.join(sub, `${f.name}.jpg`));
    writeFileSync(path.join(sub, `${f.name}.pts`), ptsText(f.xy));
  });
  writeFileSync(path.join(dir, 'afw/damaged.pts'), 'version: 1\nn_points: 68\n{\n1 2\n}\n');
  copyFileSync(path.join(helen, 'images', `${faces[0]!.name}.jpg`), path.join(dir, 'afw/unannotated.jpg'));
  writeFileSync(path.join(dir, 'helen/orphan.pts'), ptsText(faces[0]!.xy));

  const csv = path.join(work, 'pts.csv'), report = path.join(work, 'pts.json'), plot = path.join(work, 'ced.svg');
  const r = prnet('eval', 'pts', dir, '--model', SHIPPED_MODEL_PATH, '--data-dir', uv, '--csv', csv, '--report', report, '--plot', plot);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /8 images, 6 evaluated, 2 failed/);
  // The parts of the tree apart, as 300-W's are read (its common and challenging subsets).
  assert.match(r.stdout, /^ {4}afw \(n=3\)\s+[\d.]+ %\s+[\d.]+ %$/m);
  assert.match(r.stdout, /^ {4}helen\/testset \(n=3\)\s+[\d.]+ %\s+[\d.]+ %$/m);
  assert.match(r.stderr, /afw\/damaged failed: .*damaged\.pts: line 5: n_points says 68, the file has 1/);
  assert.match(r.stderr, /helen\/orphan failed: helen\/orphan: no image beside helen\/orphan\.pts/);
  assert.match(readFileSync(plot, 'utf8'), /^<svg[\s\S]*NME, inner 51/);

  // The same crops through the library, scored by hand against the points as the .npy holds them.
  const model = await loadOnnxModel(SHIPPED_MODEL_PATH);
  const predictor = modelPredictor(model, await loadUvAssets({ dataDir: uv }));
  const rows = new Map(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).map((c) => [c[0]!.split('/').pop()!, c]));
  for (const f of faces) {
    const landmarks = new Float64Array(204);
    for (let k = 0; k < 68; k++) { landmarks[3 * k] = f.xy[2 * k]!; landmarks[3 * k + 1] = f.xy[2 * k + 1]!; }
    const [p] = await predictor.predict([{ image: await decodeImage(path.join(helen, 'images', `${f.name}.jpg`)), groundTruth: { landmarks } }]);
    const pred = (p as { landmarks: ArrayLike<number> }).landmarks;
    const d = Math.hypot(f.xy[72]! - f.xy[90]!, f.xy[73]! - f.xy[91]!);
    let all = 0, inner = 0;
    for (let k = 0; k < 68; k++) {
      const e = Math.hypot(pred[3 * k]! - f.xy[2 * k]!, pred[3 * k + 1]! - f.xy[2 * k + 1]!) / d;
      all += e / 68;
      if (k >= 17) inner += e / 51;
    }
    const row = rows.get(f.name)!;
    assert.equal(row[1], 'ok');
    assert.ok(Math.abs(Number(row[2]) - 100 * all) < 1e-3 && Math.abs(Number(row[3]) - 100 * inner) < 1e-3, `${f.name}: CSV ${row[2]} / ${row[3]} %, by hand ${(100 * all).toFixed(4)} / ${(100 * inner).toFixed(4)} %`);
  }
  await model.dispose();
  const doc = JSON.parse(readFileSync(report, 'utf8')) as { summary: { evaluated: number; inner: { nme: number } }; protocol: { normalization: string }; folders: { folder: string; summary: { evaluated: number } }[] };
  assert.deepEqual(doc.folders.map((f) => [f.folder, f.summary.evaluated]), [['afw', 3], ['helen', 0], ['helen/testset', 3]]);
  assert.equal(doc.protocol.normalization, 'interocular');
  // Measured 7.9 % inter-ocular on helen's first 40 (about 4.4 % of the box): a model, not noise.
  assert.ok(doc.summary.inner.nme > 0.02 && doc.summary.inner.nme < 0.15, `inner NME ${doc.summary.inner.nme}`);

  const det = prnet('eval', 'pts', dir, '--model', SHIPPED_MODEL_PATH, '--data-dir', uv, '--crop', 'detector', '--normalize', 'box');
  assert.equal(det.status, 1, det.stderr);
  assert.match(det.stdout, /6 evaluated, 2 failed — model default\.onnx \+ detector crops/);
  assert.match(det.stdout, /NME normalised by √\(w·h\)/);
});

test('prnet eval pts: usage errors exit 2 with one line (no annotations, bad normalisation, a baseline)', () => {
  const photos = path.join(shared, 'fixtures/photos');
  const none = prnet('eval', 'pts', photos);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /image\(s\) but no \.pts annotation files/);
  const bad = prnet('eval', 'pts', photos, '--normalize', 'ears');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--normalize.*'ears' is invalid|Allowed choices are interocular, interpupil, box/);
  const empty = mkdtempSync(path.join(work, 'empty-'));
  const nothing = prnet('eval', 'pts', empty);
  assert.equal(nothing.status, 2);
  assert.match(nothing.stderr, /no \.pts annotation files .* in /);
  writeFileSync(path.join(empty, 'a.pts'), ptsText(helenFaces(1)[0]!.xy));
  const baseline = prnet('eval', 'pts', empty, '--baseline', 'mean-face');
  assert.equal(baseline.status, 2);
});

test('prnet eval: the folders of --report, --csv and --plot are made or refused before the run, not found bad after it', () => {
  const aflw = path.join(shared, 'fixtures/aflw2000-sample');
  const report = path.join(work, 'new', 'deeper', 'report.json');
  const made = prnet('eval', 'aflw2000', aflw, '--limit', '1', '--baseline', 'mean-face', '--report', report);
  assert.equal(made.status, 0, made.stderr);
  assert.ok(JSON.parse(readFileSync(report, 'utf8')).summary);
  const file = path.join(work, 'a-file');
  writeFileSync(file, 'not a folder\n');
  const refused = prnet('eval', 'aflw2000', aflw, '--limit', '1', '--baseline', 'mean-face', '--csv', path.join(file, 'r.csv'));
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /^prnet: .*a-file: exists and is not a folder\n$/);
  assert.equal(refused.stdout, '', 'no evaluation ran');
  // A setup error (here a model that is no ONNX file) leaves no report folder behind.
  const junk = path.join(work, 'junk.onnx');
  writeFileSync(junk, 'not a model\n');
  const unmade = path.join(work, 'never', 'made');
  const badModel = prnet('eval', 'aflw2000', aflw, '--limit', '1', '--model', junk, '--report', path.join(unmade, 'report.json'));
  assert.equal(badModel.status, 2, badModel.stderr);
  assert.match(badModel.stderr, /junk\.onnx: not an ONNX model/);
  assert.ok(!existsSync(path.join(work, 'never')), 'no folder created');
});
