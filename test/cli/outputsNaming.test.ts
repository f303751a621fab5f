/**
 * Issue 15, points 7–10 for `prnet reconstruct`: one box convention ([x, y, w, h]), the
 * JSON records the model, the source path and images without faces, inputs are
 * de-duplicated and outputs cannot collide, setup errors come first and leave nothing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { outputBases } from '../../src/cli/outputBases.js';
import { SHIPPED_MODEL_PATH } from '../../src/node/inference/prnet.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const photos = path.resolve(repo, '../shared/fixtures/photos');
const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-names-'));
test.after(() => rm(work, { recursive: true, force: true }));

function prnet(args: string[], cwd = work): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(repo, 'src/cli/main.ts'), ...args], { cwd, timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  return out.sort();
}

test('outputBases: stems when distinct, folders and extensions when not', () => {
  assert.deepEqual(outputBases(['a/p.jpg', 'b/q.png']), ['p', 'q']);
  assert.deepEqual(outputBases(['in/a/p.jpg', 'in/b/p.jpg', 'in/b/q.png']), ['a/p', 'b/p', 'b/q']);
  assert.deepEqual(outputBases(['d/p.jpg', 'd/p.png', 'd/q.jpg']), ['p.jpg', 'p.png', 'q']);
  assert.deepEqual(outputBases(['x/p.jpg', 'x/y/p.jpg']), ['p', 'y/p']);
  // Whatever the inputs, no two bases are equal.
  const tricky = ['a/p.jpg', 'a/p.png', 'b/p.jpg', 'a/b/p.jpg', 'p.jpg', 'a/p-2.jpg', 'a/.jpg', 'b/.jpg'];
  assert.equal(new Set(outputBases(tricky)).size, tricky.length);
});

test('same-named inputs, a repeated file and a photo without a face: distinct outputs, source paths, no-face record, model record', async () => {
  const dir = path.join(work, 'names');
  await mkdir(path.join(dir, 'x'), { recursive: true });
  await mkdir(path.join(dir, 'y'), { recursive: true });
  await copyFile(path.join(photos, 'photo1.jpg'), path.join(dir, 'x/photo1.jpg'));
  await copyFile(path.join(photos, 'photo2.jpg'), path.join(dir, 'y/photo1.jpg'));
  await sharp(path.join(photos, 'photo3.jpg')).png().toFile(path.join(dir, 'x/photo1.png'));
  await sharp({ create: { width: 120, height: 100, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toFile(path.join(dir, 'blank.jpg'));
  const r = await prnet(['reconstruct', 'x/photo1.jpg', 'y/photo1.jpg', 'x/photo1.png', './x/photo1.jpg', 'x/../x/photo1.jpg', 'blank.jpg', '-o', 'out', '--outputs', 'json,obj'], dir);
  assert.equal(r.code, 1, r.stderr); // blank.jpg has no face
  assert.match(r.stderr, /prnet: 4 images, 3 faces, 1 failed/);
  assert.match(r.stderr, /2 inputs name files given earlier; each file is processed once/);
  assert.deepEqual(await files(path.join(dir, 'out')), ['blank.json', 'x/photo1.jpg.json', 'x/photo1.jpg_0.obj', 'x/photo1.png.json', 'x/photo1.png_0.obj', 'y/photo1.json', 'y/photo1_0.obj']);
  const sha256 = createHash('sha256').update(await readFile(SHIPPED_MODEL_PATH)).digest('hex');
  const expectSource: Record<string, string> = { 'x/photo1.jpg.json': 'x/photo1.jpg', 'x/photo1.png.json': 'x/photo1.png', 'y/photo1.json': 'y/photo1.jpg', 'blank.json': 'blank.jpg' };
  for (const [json, source] of Object.entries(expectSource)) {
    const doc = JSON.parse(await readFile(path.join(dir, 'out', json), 'utf8'));
    assert.equal(doc.schema, 'prnet-faces/2');
    assert.equal(doc.image.file, source, json);
    assert.deepEqual(doc.model, { name: 'default.onnx', variant: 'resfcn128-light', weights: 'float16', sha256 });
    if (source === 'blank.jpg') {
      assert.deepEqual(doc.faces, []);
      assert.equal(doc.reason, 'no face found');
    } else {
      assert.equal(doc.faces.length, 1);
    }
  }
  // The photos differ, so the same-named outputs hold different faces.
  const a = JSON.parse(await readFile(path.join(dir, 'out/x/photo1.jpg.json'), 'utf8'));
  const b = JSON.parse(await readFile(path.join(dir, 'out/y/photo1.json'), 'utf8'));
  assert.notDeepEqual(a.faces[0].landmarks, b.faces[0].landmarks);
  // The model is named once, in one short line, without accuracy figures (those live in the model card).
  const modelLines = r.stderr.split('\n').filter((l) => l.startsWith('prnet: model '));
  assert.equal(modelLines.length, 1);
  assert.doesNotMatch(modelLines[0]!, /%/);
  assert.ok(modelLines[0]!.length < 200, modelLines[0]);
});

test('--box and the JSON box are the same [x, y, w, h]', async () => {
  const out = path.join(work, 'box');
  const r = await prnet(['reconstruct', path.join(photos, 'photo1.jpg'), '-o', out, '--outputs', 'json', '--box', '40.5,30,150,170']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(await readFile(path.join(out, 'photo1.json'), 'utf8'));
  assert.deepEqual(doc.faces[0].box, [40.5, 30, 150, 170]);
  assert.match(doc.frame, /y down/);
});

test('setup and usage errors: one line, exit 2, before any work, no output folder', async () => {
  const photo = path.join(photos, 'photo1.jpg');
  const cases: Array<[string[], RegExp]> = [
    [['reconstruct', 'nothing-here/*.jpg', photo, '-o', 'o1'], /^prnet: nothing-here\/\*\.jpg: no image matches this pattern$/m],
    [['reconstruct', photo, '-o', 'o2', '--model', 'missing.onnx'], /^prnet: missing\.onnx: cannot read model file \(ENOENT\)$/m],
  ];
  for (const [args, message] of cases) {
    const r = await prnet(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    await assert.rejects(readdir(path.join(work, args[args.indexOf('-o') + 1]!)), { code: 'ENOENT' });
  }
  await writeFile(path.join(work, 'a-file'), 'x');
  const r = await prnet(['reconstruct', photo, '-o', 'a-file']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /a-file: exists and is not a folder/);
});
