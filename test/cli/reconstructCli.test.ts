import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { NodeIO } from '@gltf-transform/core';
import { randomOnnxModelFile } from '../support/randomModel.js';
import { SHIPPED_MODEL_PATH } from '../../src/node/inference/prnet.js';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { keypointVertexIndices } from '../../src/uv/keypointVertexIndices.js';
import { parseNpy } from '../../src/io/npy.js';
import { jobOutputNamePattern } from '../../src/service/jobOutputNamePattern.js';
import { OUTPUT_KINDS } from '../../src/io/outputKinds.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const shared = path.resolve(repo, '../shared');
const dataDir = path.join(shared, 'prnet-data/uv-data');
const photos = path.join(shared, 'fixtures/photos');
const aflw = path.join(shared, 'fixtures/aflw2000-sample');

const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-cli-'));
test.after(() => rm(work, { recursive: true, force: true }));
// A model with random weights (the light 128 variant: fast; outputs are garbage but well-formed).
const modelPath = randomOnnxModelFile({ variant: 'resfcn128-light', seed: 7 });

function prnet(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 240_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('reconstruct writes consistent OBJ, PLY, GLB, JSON, texture, depth, overlay and position-map files for each photo', async () => {
  const out = path.join(work, 'good');
  const inputs = [photos, path.join(aflw, 'image00002.jpg'), path.join(aflw, 'image00013.jpg')];
  // Every kind there is, so the job worker's name pattern is checked against every file name.
  const kinds = ['obj', 'ply', 'glb', 'json', 'texture', 'depth', 'overlay', 'posmap', 'pncc', 'stl', 'pts', 'aligned'];
  assert.deepEqual([...kinds].sort(), [...OUTPUT_KINDS].sort());
  const r = await prnet(['reconstruct', ...inputs, '-o', out, '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir, '--outputs', kinds.join(','), '--batch', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /prnet: 7 images, 7 faces, 0 failed/);
  const assets = await loadUvAssets({ dataDir, download: false });
  const kpt = keypointVertexIndices(assets);
  const names = ['photo1', 'photo2', 'photo3', 'photo4', 'photo5', 'image00002', 'image00013'];
  const files = await readdir(out);
  assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary files left');
  assert.equal(files.length, names.length * 13, 'per photo: 9 files of face 0 (OBJ, MTL, PLY, GLB, texture, position map, STL, PTS, aligned) and 4 of the photo (JSON, depth, overlay, PNCC)');
  for (const f of files) assert.ok(names.some((n) => jobOutputNamePattern(n, false).test(f) && !jobOutputNamePattern(n, true).test(f)), `the worker's name pattern knows ${f}`);
  for (const name of names) {
    const src = name.startsWith('photo') ? path.join(photos, `${name}.jpg`) : path.join(aflw, `${name}.jpg`);
    const meta = await sharp(src).metadata();
    // OBJ: 43,867 coloured vertices, 86,907 triangles.
    const obj = await readFile(path.join(out, `${name}_0.obj`), 'utf8');
    const v = obj.split('\n').filter((l) => l.startsWith('v ')).map((l) => l.split(' ').slice(1).map(Number));
    assert.equal(v.length, 43867, name);
    assert.equal(obj.split('\n').filter((l) => l.startsWith('f ')).length, 86907);
    assert.equal(v[0].length, 3, 'v x y z: with --outputs texture the OBJ is textured (vt + MTL), colours come from the PNG');
    assert.equal(obj.split('\n').filter((l) => l.startsWith('vt ')).length, 43867);
    // PLY and GLB: same counts.
    const ply = await readFile(path.join(out, `${name}_0.ply`));
    const header = ply.subarray(0, ply.indexOf('end_header')).toString('latin1');
    assert.match(header, /element vertex 43867\n/);
    assert.match(header, /element face 86907\n/);
    const doc = await new NodeIO().readBinary(new Uint8Array(await readFile(path.join(out, `${name}_0.glb`))));
    const prim = doc.getRoot().listMeshes()[0].listPrimitives()[0];
    assert.equal(prim.getAttribute('POSITION')?.getCount(), 43867);
    assert.equal(prim.getIndices()?.getCount(), 86907 * 3);
    // JSON: the 68 landmarks are the mesh vertices at the keypoints (OBJ is y-up: y' = H − 1 − y).
    const json = JSON.parse(await readFile(path.join(out, `${name}.json`), 'utf8'));
    assert.equal(json.image.width, meta.width);
    assert.equal(json.faces.length, 1);
    const lm: number[][] = json.faces[0].landmarks;
    assert.equal(lm.length, 68);
    for (let k = 0; k < 68; k++) {
      const p = v[kpt[k]];
      assert.ok(Math.abs(lm[k][0] - p[0]) < 0.01 && Math.abs(lm[k][1] - (meta.height! - 1 - p[1])) < 0.01 && Math.abs(lm[k][2] - p[2]) < 0.01, `${name} landmark ${k}`);
    }
    // Position map (official demo's _posmap.npy): float32 256×256×3 in image pixels; the
    // mesh vertices are its texels at the face indices, so the landmarks are too.
    const posmap = parseNpy(await readFile(path.join(out, `${name}_0_posmap.npy`)));
    assert.deepEqual([posmap.dtype, posmap.shape], ['float32', [256, 256, 3]]);
    const pm = posmap.data as Float32Array;
    for (let k = 0; k < 68; k++) {
      const t = assets.faceIndices[kpt[k]!]!;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(pm[t * 3 + c]! - lm[k]![c]!) < 0.01, `${name} posmap at landmark ${k}`);
    }
    assert.ok(Number.isFinite(json.faces[0].pose.yaw));
    // Detector box [x, y, w, h] inside the photo, give or take.
    const [bx, by, bw, bh] = json.faces[0].box;
    assert.ok(bw > 0 && bh > 0 && bx > -0.2 * meta.width! && bx + bw < 1.2 * meta.width! && by > -0.2 * meta.height!);
    // Pictures: overlay and depth photo-sized, texture 256².
    for (const [file, w, h] of [[`${name}_overlay.png`, meta.width, meta.height], [`${name}_depth.png`, meta.width, meta.height], [`${name}_pncc.png`, meta.width, meta.height], [`${name}_0_texture.png`, 256, 256]] as const) {
      const m = await sharp(path.join(out, file)).metadata();
      assert.deepEqual([m.width, m.height], [w, h], file);
    }
    // PNCC covers where the depth picture does: the same mesh, the same z-buffer.
    const pncc = await sharp(path.join(out, `${name}_pncc.png`)).raw().toBuffer({ resolveWithObject: true });
    const depthPic = await sharp(path.join(out, `${name}_depth.png`)).raw().toBuffer({ resolveWithObject: true });
    assert.equal(pncc.info.channels, 3);
    let face = 0, mismatch = 0;
    for (let p = 0; p < meta.width! * meta.height!; p++) {
      const lit = pncc.data[p * 3]! + pncc.data[p * 3 + 1]! + pncc.data[p * 3 + 2]! > 0;
      const deep = depthPic.data[p * depthPic.info.channels]! > 0;
      if (deep) face++;
      if (lit !== deep) mismatch++;
    }
    assert.ok(mismatch <= Math.max(1, face * 0.001), `${name}: ${face} face pixels, ${mismatch} differ`);
  }
});

test('bad inputs: one error line each, the good image still done, exit code 1', async () => {
  const dir = path.join(work, 'bad-in');
  const out = path.join(work, 'bad-out');
  await rm(dir, { recursive: true, force: true });
  await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
  const good = path.join(dir, 'good.jpg');
  await copyFile(path.join(photos, 'photo2.jpg'), good);
  const jpeg = await readFile(path.join(photos, 'photo1.jpg'));
  const truncated = path.join(dir, 'truncated.jpg');
  await writeFile(truncated, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  const corrupt = path.join(dir, 'corrupt.jpg');
  const garbage = Buffer.from(jpeg);
  for (let i = 200; i < garbage.length; i += 7) garbage[i] = (i * 31) & 255;
  await writeFile(corrupt, garbage);
  const empty = path.join(dir, 'empty.png');
  await writeFile(empty, '');
  const text = path.join(dir, 'notes.txt');
  await writeFile(text, 'not an image\n');
  const blank = path.join(dir, 'blank.png');
  await sharp({ create: { width: 200, height: 150, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(blank);
  const missing = path.join(dir, 'missing.jpg');
  const big = path.join(dir, 'big.jpg'); // 450×450 = 202,500 pixels, over --max-pixels
  await copyFile(path.join(photos, 'photo4.jpg'), big);
  const r = await prnet(['reconstruct', truncated, corrupt, empty, text, missing, blank, big, good, '-o', out, '--model', modelPath, '--data-dir', dataDir, '--outputs', 'obj,json', '--max-pixels', '100000']);
  assert.equal(r.code, 1, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => /^prnet: .*: /.test(l) && !/^prnet: \[/.test(l));
  for (const f of [truncated, corrupt, empty, text, missing, blank, big]) {
    const lines = errors.filter((l) => l.startsWith(`prnet: ${f}: `));
    assert.equal(lines.length, 1, `one line for ${path.basename(f)}:\n${r.stderr}`);
  }
  assert.match(errors.find((l) => l.startsWith(`prnet: ${blank}: `))!, /no face/);
  assert.match(errors.find((l) => l.startsWith(`prnet: ${missing}: `))!, /no such file/);
  assert.match(errors.find((l) => l.startsWith(`prnet: ${big}: `))!, /over the limit/);
  assert.match(errors.find((l) => l.startsWith(`prnet: ${empty}: `))!, /empty/);
  assert.match(r.stderr, /prnet: 8 images, 1 face, 7 failed/);
  const files = (await readdir(out)).sort();
  // The image without a face still gets its JSON record ("faces": [] and the reason).
  assert.deepEqual(files, ['blank.json', 'good.json', 'good_0.obj']);
});

/** `prnet` with these bytes piped into its standard input. */
function prnetPiped(args: string[], input: Uint8Array): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, timeout: 240_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
    child.stdin!.end(input);
  });
}

test('"-" reads the image from standard input: the same faces as from its file, files named stdin*', async () => {
  const photo = path.join(photos, 'photo2.jpg');
  const common = ['--model', modelPath, '--data-dir', dataDir, '--outputs', 'json,obj'];
  const fromFile = path.join(work, 'stdin-file');
  const fromPipe = path.join(work, 'stdin-pipe');
  assert.equal((await prnet(['reconstruct', photo, '-o', fromFile, ...common])).code, 0);
  const r = await prnetPiped(['reconstruct', '-', '-o', fromPipe, ...common], await readFile(photo));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(fromPipe)).sort(), ['stdin.json', 'stdin_0.obj']);
  const a = JSON.parse(await readFile(path.join(fromFile, 'photo2.json'), 'utf8'));
  const b = JSON.parse(await readFile(path.join(fromPipe, 'stdin.json'), 'utf8'));
  assert.equal(b.image.file, '-');
  assert.ok(b.faces.length > 0);
  assert.deepEqual(b.faces, a.faces);
  assert.equal(await readFile(path.join(fromPipe, 'stdin_0.obj'), 'utf8'), await readFile(path.join(fromFile, 'photo2_0.obj'), 'utf8'));
  // Beside files, in argument order; nothing piped in, or no image: one line, exit 1, the rest done.
  const mixed = path.join(work, 'stdin-mixed');
  const empty = await prnetPiped(['reconstruct', photo, '-', '-o', mixed, ...common], new Uint8Array(0));
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /^prnet: -: standard input is empty/m);
  assert.deepEqual((await readdir(mixed)).sort(), ['photo2.json', 'photo2_0.obj']);
  const text = await prnetPiped(['reconstruct', '-', '-o', mixed, ...common], Buffer.from('not an image\n'));
  assert.equal(text.code, 1);
  assert.match(text.stderr, /^prnet: -: cannot decode image: not an image/m); // not "cannot decode image <13 bytes>: …"
});

test('-o - writes each image\'s JSON record as one line on standard output, the same records as the files, and no files', async () => {
  const inputs = [path.join(photos, 'photo2.jpg'), path.join(photos, 'photo4.jpg')];
  const common = ['--model', modelPath, '--data-dir', dataDir];
  const filesOut = path.join(work, 'stdout-files');
  assert.equal((await prnet(['reconstruct', ...inputs, '-o', filesOut, '--outputs', 'json', ...common])).code, 0);
  const r = await prnet(['reconstruct', ...inputs, '-o', '-', ...common]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  assert.equal(lines.length, 2);
  for (const [i, line] of lines.entries()) {
    assert.ok(!line.includes('\n') && line.startsWith('{'), 'one compact line per image');
    const base = path.basename(inputs[i]!, '.jpg');
    assert.deepEqual(JSON.parse(line), JSON.parse(await readFile(path.join(filesOut, `${base}.json`), 'utf8')));
  }
  assert.ok(!existsSync(path.join(repo, '-')), 'no folder named -');
  // Standard input to standard output.
  const piped = await new Promise<{ code: number; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'reconstruct', '-', '-o', '-', ...common], { cwd: repo }, (err, stdout) => resolve({ code: err ? 1 : 0, stdout }));
    void readFile(inputs[0]!).then((b) => child.stdin!.end(b));
  });
  assert.equal(piped.code, 0);
  assert.deepEqual(JSON.parse(piped.stdout).faces, JSON.parse(lines[0]!).faces);
  // `| head -1`: the reader closes the pipe; no more images start, one line says so, exit 0.
  const { prnetProcess } = await import('../support/prnetProcess.js');
  const q = prnetProcess(['reconstruct', aflw, '-o', '-', ...common]);
  q.child.stdout.on('data', () => q.child.stdout.destroy());
  const closed = await q.exited;
  assert.equal(closed.code, 0, q.stderr());
  assert.match(q.stderr(), /^prnet: standard output closed: stopping$/m);
  assert.match(q.stderr(), /interrupted: \d+ of 31 images done/);
  assert.doesNotMatch(q.stderr(), /EPIPE|Error|\n\s+at /);
  // Other outputs are files: refused with -o -.
  const u = await prnet(['reconstruct', inputs[0]!, '-o', '-', '--outputs', 'json,obj', ...common]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /-o - writes the JSON records only .*--outputs obj needs an output folder/);
});

test('-o - keeps the inputs\' order: an image without a face, done before the network has run on the one before it, still comes after it; a failed image has no line', async () => {
  const common = ['--model', modelPath, '--data-dir', dataDir];
  const blank = path.join(work, 'order-blank.png');
  await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: 90, g: 120, b: 150 } } }).png().toFile(blank);
  const broken = path.join(work, 'order-broken.jpg');
  await writeFile(broken, (await readFile(path.join(photos, 'photo1.jpg'))).subarray(0, 200));
  const inputs = [path.join(photos, 'photo2.jpg'), path.join(photos, 'photo4.jpg'), blank, broken, path.join(photos, 'photo3.jpg'), blank.replace('blank', 'blank2')];
  await copyFile(blank, inputs[5]!);
  const r = await prnet(['reconstruct', ...inputs, '-o', '-', ...common]);
  assert.equal(r.code, 1, r.stderr);
  const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { image: { file: string }; faces: unknown[]; reason?: string });
  assert.deepEqual(records.map((x) => path.basename(x.image.file)), ['photo2.jpg', 'photo4.jpg', 'order-blank.png', 'photo3.jpg', 'order-blank2.png']);
  assert.deepEqual(records.map((x) => x.faces.length), [1, 1, 0, 1, 0]);
  assert.equal(records[2]!.reason, 'no face found');
  assert.match(r.stderr, /order-broken\.jpg: cannot decode image/);
});

test('--outputs stl: a closed relief of each face to 3D-print, --print-width millimetres wide; a bad width is a usage error', async () => {
  const out = path.join(work, 'stl');
  const r = await prnet(['reconstruct', path.join(photos, 'photo3.jpg'), '-o', out, '--outputs', 'stl', '--print-width', '60', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readdir(out), ['photo3_0.stl']);
  const { weldStl, assertClosedSurface } = await import('../print/closedSurface.js');
  const solid = weldStl(new Uint8Array(await readFile(path.join(out, 'photo3_0.stl'))));
  assertClosedSurface(solid.vertices, solid.triangles);
  const axis = (k: number) => solid.vertices.filter((_, i) => i % 3 === k);
  const [xs, ys, zs] = [axis(0), axis(1), axis(2)];
  assert.ok(Math.abs(Math.max(...xs) - Math.min(...xs) - 60) <= 1, `${Math.max(...xs) - Math.min(...xs)} mm wide`);
  assert.ok(Math.max(...ys) - Math.min(...ys) > 50 && Math.min(...zs) === 0 && Math.max(...zs) > 15, 'a face-sized plaque standing on z = 0');
  const bad = await prnet(['reconstruct', path.join(photos, 'photo3.jpg'), '-o', out, '--outputs', 'stl', '--print-width', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--print-width must be a positive number, got "0"/);
});

test('--outputs pts: each face\'s 68 landmarks as an iBUG .pts file, 1-based as 300-W writes them, the JSON\'s x and y', async () => {
  const out = path.join(work, 'pts');
  const r = await prnet(['reconstruct', path.join(photos, 'photo3.jpg'), '-o', out, '--outputs', 'pts,json', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['photo3.json', 'photo3_0.pts']);
  const text = await readFile(path.join(out, 'photo3_0.pts'), 'utf8');
  // Read as the 300-W tools do: two header lines, braces, one "x y" line per point (3 decimals
  // here, 2 in the JSON).
  const lines = text.trim().split('\n');
  assert.deepEqual([lines[0], lines[1]!.replace(/\s+/g, ' '), lines[2], lines.at(-1)], ['version: 1', 'n_points: 68', '{', '}']);
  const points = lines.slice(3, -1).map((l) => l.split(' ').map(Number));
  const doc = JSON.parse(await readFile(path.join(out, 'photo3.json'), 'utf8')) as { faces: { landmarks: number[][] }[] };
  assert.equal(points.length, 68);
  points.forEach(([x, y], k) => {
    const [lx, ly] = doc.faces[0]!.landmarks[k]!;
    assert.ok(Math.abs(x! - (lx! + 1)) <= 0.006 && Math.abs(y! - (ly! + 1)) <= 0.006, `landmark ${k}: ${x}, ${y} in the .pts, ${lx}, ${ly} in the JSON`);
  });
});

test('--outputs aligned: the aligned face picture (ArcFace 112 by default, --align ffhq --align-size), as the library aligns the JSON\'s landmarks', async () => {
  const { alignFace } = await import('../../src/face/alignFace.js');
  const { decodeImage } = await import('../../src/node/inference/decodeImage.js');
  const photo = path.join(photos, 'photo4.jpg');
  const image = await decodeImage(photo);
  for (const [args, size, template] of [[[], 112, 'arcface'], [['--align', 'ffhq', '--align-size', '200'], 200, 'ffhq']] as const) {
    const out = path.join(work, `aligned-${template}`);
    const r = await prnet(['reconstruct', photo, '-o', out, '--outputs', 'aligned,json', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir, ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['photo4.json', 'photo4_0_aligned.png']);
    const { data, info } = await sharp(path.join(out, 'photo4_0_aligned.png')).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [size, size, 3]);
    // The JSON's landmarks carry 2 decimals, so the library's picture from them differs by rounding only.
    const doc = JSON.parse(await readFile(path.join(out, 'photo4.json'), 'utf8')) as { faces: { landmarks: number[][] }[] };
    const want = alignFace(image, doc.faces[0]!.landmarks.flat(), { template, size });
    let diff = 0;
    for (let i = 0; i < data.length; i++) diff += Math.abs(data[i]! - want.image.data[i]!);
    assert.ok(diff / data.length < 0.5, `${template}: mean difference ${(diff / data.length).toFixed(3)} grey levels`);
  }
  // --fov: the perspective pose's camera. The same face, seen through a narrower lens, is farther away by the ratio of the focal lengths.
  const narrow = path.join(work, 'fov40');
  const r40 = await prnet(['reconstruct', photo, '-o', narrow, '--outputs', 'json', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir, '--fov', '40']);
  assert.equal(r40.code, 0, r40.stderr);
  type Camera = { faces: { camera: { matrix: number[]; fovY: number } }[] };
  const [wide, tele] = [JSON.parse(await readFile(path.join(work, 'aligned-arcface', 'photo4.json'), 'utf8')) as Camera, JSON.parse(await readFile(path.join(narrow, 'photo4.json'), 'utf8')) as Camera];
  assert.deepEqual([wide.faces[0]!.camera.fovY, tele.faces[0]!.camera.fovY], [63, 40]);
  const zRatio = tele.faces[0]!.camera.matrix[14]! / wide.faces[0]!.camera.matrix[14]!;
  const focalRatio = Math.tan((31.5 * Math.PI) / 180) / Math.tan((20 * Math.PI) / 180);
  assert.ok(Math.abs(zRatio / focalRatio - 1) < 0.02, `depth ratio ${zRatio} against ${focalRatio}`);
  assert.equal((await prnet(['reconstruct', photo, '-o', narrow, '--fov', '180'])).code, 2);
  // A photo whose EXIF records its lens (a 26 mm-equivalent phone camera): that camera, unless --fov names one.
  const phone = path.join(work, 'phone.jpg');
  await sharp(photo).withExif({ IFD2: { FocalLengthIn35mmFilm: '26' } }).jpeg().toFile(phone);
  const exifOut = path.join(work, 'exif');
  assert.equal((await prnet(['reconstruct', phone, '-o', exifOut, '--outputs', 'json', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir])).code, 0);
  const { fovFromFocalLength35mm } = await import('../../src/geometry/fovFromFocalLength35mm.js');
  const fromExif = (JSON.parse(await readFile(path.join(exifOut, 'phone.json'), 'utf8')) as Camera).faces[0]!.camera.fovY;
  assert.ok(Math.abs(fromExif - fovFromFocalLength35mm(26, 450, 450)) < 0.01, `${fromExif}°`);
  assert.equal((await prnet(['reconstruct', phone, '-o', exifOut, '--outputs', 'json', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir, '--fov', '40'])).code, 0);
  assert.equal((JSON.parse(await readFile(path.join(exifOut, 'phone.json'), 'utf8')) as Camera).faces[0]!.camera.fovY, 40);
  // --camera-space: the GLB in the perspective camera's space, metres, y up, in front of the camera (−z), a face's size.
  const space = path.join(work, 'camera-space');
  const rc = await prnet(['reconstruct', phone, '-o', space, '--outputs', 'glb,json', '--camera-space', '--model', SHIPPED_MODEL_PATH, '--data-dir', dataDir]);
  assert.equal(rc.code, 0, rc.stderr);
  const glbDoc = await new NodeIO().readBinary(new Uint8Array(await readFile(path.join(space, 'phone_0.glb'))));
  const pos = glbDoc.getRoot().listMeshes()[0]!.listPrimitives()[0]!.getAttribute('POSITION')!;
  const [lo, hi] = [pos.getMin([0, 0, 0]), pos.getMax([0, 0, 0])];
  assert.ok(hi[2]! < 0 && hi[0]! - lo[0]! > 0.1 && hi[0]! - lo[0]! < 0.25, `bounds ${lo.map((v) => v.toFixed(3))} … ${hi.map((v) => v.toFixed(3))}`);
  // Its eye centres (the mesh's vertices at the eye landmarks) meet midway at the JSON camera matrix's translation, the face frame's origin.
  const cam = (JSON.parse(await readFile(path.join(space, 'phone.json'), 'utf8')) as Camera).faces[0]!.camera.matrix;
  const xyz = pos.getArray()!;
  const kptv = keypointVertexIndices(await loadUvAssets({ dataDir, download: false }));
  const midEyes = [0, 1, 2].map((a) => { let sum = 0; for (let k = 36; k < 48; k++) sum += xyz[3 * kptv[k]! + a]!; return sum / 12; });
  assert.ok(Math.hypot(midEyes[0]! - cam[12]!, midEyes[1]! - cam[13]!, midEyes[2]! - cam[14]!) < 0.01, `mid-eyes ${midEyes} vs origin ${cam.slice(12, 15)}`);
  assert.equal((await prnet(['reconstruct', phone, '-o', space, '--camera-space', '--front'])).code, 2);
  const bad = await prnet(['reconstruct', photo, '-o', path.join(work, 'aligned-bad'), '--outputs', 'aligned', '--align', 'dlib']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Allowed choices are arcface, ffhq/);
  const big = await prnet(['reconstruct', photo, '-o', path.join(work, 'aligned-bad'), '--outputs', 'aligned', '--align-size', '5000']);
  assert.equal(big.code, 2);
  assert.match(big.stderr, /--align-size must be an integer from 8 to 4096, got "5000"/);
});

test('user box and landmarks skip detection; usage errors exit with 2', async () => {
  const out = path.join(work, 'box');
  const img = path.join(aflw, 'image00004.jpg');
  const r = await prnet(['reconstruct', img, '-o', out, '--model', modelPath, '--data-dir', dataDir, '--outputs', 'json', '--box', '100,120,200,210']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(await readFile(path.join(out, 'image00004.json'), 'utf8'));
  assert.deepEqual(json.faces[0].box, [100, 120, 200, 210], 'the JSON box is --box\'s [x, y, w, h]');
  assert.equal(json.faces[0].score, 1);
  const lmFile = path.join(work, 'lm.txt');
  await writeFile(lmFile, '150 160\n250 170\n200 300\n');
  const r2 = await prnet(['reconstruct', img, '-o', out, '--model', modelPath, '--data-dir', dataDir, '--outputs', 'json', '--landmarks', lmFile]);
  assert.equal(r2.code, 0, r2.stderr);
  const json2 = JSON.parse(await readFile(path.join(out, 'image00004.json'), 'utf8'));
  assert.deepEqual(json2.faces[0].box, [150, 160, 100, 140]);
  for (const bad of [['--box', '1,2,3'], ['--outputs', 'obj,fbx'], ['--max-faces', '0'], ['--landmarks', path.join(work, 'nope.txt')]]) {
    const u = await prnet(['reconstruct', img, '-o', out, '--model', modelPath, ...bad]);
    assert.equal(u.code, 2, `${bad.join(' ')}: ${u.stderr}`);
  }
  // No --model, nothing at $PRNET_HOME/models and no shipped model: a clear setup error, exit 2.
  if (!existsSync(SHIPPED_MODEL_PATH)) {
    const env: NodeJS.ProcessEnv = { ...process.env, PRNET_HOME: path.join(work, 'empty-home') };
    delete env.PRNET_MODEL;
    const noModel = await prnet(['reconstruct', img, '-o', out, '--data-dir', dataDir], env);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /prnet: no model found .*empty-home.*prnet weights download/);
  }
});

test('a known face through the real ONNX path and the CLI: JSON landmarks and pose are exact', async () => {
  const { constantFaceModel } = await import('../support/randomModel.js');
  const { syntheticFace } = await import('../support/syntheticFace.js');
  const assets = await loadUvAssets({ dataDir, download: false });
  // The canonical face turned 25° in the 256-crop frame; the model always returns it.
  const face = syntheticFace(assets, { scale: 0.9, tx: 128, ty: 130, tz: 80, yaw: 25 });
  const model = path.join(work, 'constant.onnx');
  await writeFile(model, constantFaceModel(face.positionMap, 256));
  const out = path.join(work, 'known');
  const box = [100, 120, 200, 210];
  const r = await prnet(['reconstruct', path.join(aflw, 'image00004.jpg'), '-o', out, '--model', model, '--data-dir', dataDir, '--outputs', 'json', '--box', box.join(','), '--map-smoothing', '0']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(await readFile(path.join(out, 'image00004.json'), 'utf8'));
  // Official crop of a box, written out: side 1.6 × mean side, scale 255 / side.
  const size = 1.6 * (box[2] + box[3]) / 2;
  const s = 255 / size, x0 = box[0] + box[2] / 2 - size / 2, y0 = box[1] + box[3] / 2 - size / 2;
  const kpt = keypointVertexIndices(assets);
  for (let k = 0; k < 68; k++) {
    const v = kpt[k];
    const want = [face.vertices[3 * v] / s + x0, face.vertices[3 * v + 1] / s + y0, face.vertices[3 * v + 2] / s];
    const got: number[] = json.faces[0].landmarks[k];
    assert.ok(got.every((g, c) => Math.abs(g - want[c]) < 0.011), `landmark ${k}: ${got} vs ${want}`);
  }
  assert.ok(Math.abs(Math.abs(json.faces[0].pose.yaw) - 25) < 0.1, `yaw ${json.faces[0].pose.yaw}`);
  assert.ok(Math.abs(json.faces[0].pose.pitch) < 0.1 && Math.abs(json.faces[0].pose.roll) < 0.1);
  // The default smooths the map (σ = 1 texel): the landmarks move, by about a texel at most (this crop: 1.28 px a texel).
  const smoothedOut = path.join(work, 'known-smoothed');
  const sm = await prnet(['reconstruct', path.join(aflw, 'image00004.jpg'), '-o', smoothedOut, '--model', model, '--data-dir', dataDir, '--outputs', 'json', '--box', box.join(',')]);
  assert.equal(sm.code, 0, sm.stderr);
  const moved = (JSON.parse(await readFile(path.join(smoothedOut, 'image00004.json'), 'utf8')).faces[0].landmarks as number[][]).map((p, k) => Math.hypot(p[0]! - json.faces[0].landmarks[k][0], p[1]! - json.faces[0].landmarks[k][1]));
  assert.ok(Math.max(...moved) > 1e-3 && Math.max(...moved) < 1.5, `smoothing moved the landmarks by up to ${Math.max(...moved)} px`);

  // --flip-average: the mirrored crop gets the same (now wrong-way) face, so the result is
  // the mean of the face and its mirror image — a frontal face, the landmarks midway.
  const { mirrorPositionMap } = await import('../../src/uv/mirrorPositionMap.js');
  const mirrored = mirrorPositionMap(face.positionMap);
  const flipOut = path.join(work, 'known-flip');
  const f = await prnet(['reconstruct', path.join(aflw, 'image00004.jpg'), '-o', flipOut, '--model', model, '--data-dir', dataDir, '--outputs', 'json', '--box', box.join(','), '--map-smoothing', '0', '--flip-average']);
  assert.equal(f.code, 0, f.stderr);
  const flipJson = JSON.parse(await readFile(path.join(flipOut, 'image00004.json'), 'utf8'));
  const p = assets.keypointIndices;
  for (let k = 0; k < 68; k++) {
    const i = 3 * p[k];
    const mean = [0, 1, 2].map((c) => 0.5 * (face.positionMap[i + c] + mirrored[i + c]));
    const want = [mean[0] / s + x0, mean[1] / s + y0, mean[2] / s];
    const got: number[] = flipJson.faces[0].landmarks[k];
    assert.ok(got.every((g, c) => Math.abs(g - want[c]) < 0.011), `flip-averaged landmark ${k}: ${got} vs ${want}`);
  }
  assert.ok(Math.abs(flipJson.faces[0].pose.yaw) < 1, `flip-averaged yaw ${flipJson.faces[0].pose.yaw}`);
});
