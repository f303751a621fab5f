import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { glbIo, decodeGlbFrames } from '../io/glbFrames.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prnetProcess, REPO } from '../support/prnetProcess.js';
import type { FrameRecord } from '../../src/video/frameRecord.js';

const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo4.jpg', import.meta.url));
const hasFfmpeg = !spawnSync('ffmpeg', ['-version']).error && !spawnSync('ffprobe', ['-version']).error;
const skip = hasFfmpeg ? false : 'ffmpeg/ffprobe not installed (apt-get install ffmpeg; .ci/run installs it)';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-video-'));
});
test.after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A clip of `frames` frames at 30 fps: the fixture photo panned 4 px per frame. */
function makeClip(file: string, frames: number): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-vf', "scale=360:360,crop=320:240:x='n*4/(1+n/200)':y=60", '-frames:v', String(frames), '-r', '30', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
  assert.equal(r.status, 0, String(r.stderr));
}

function frameCount(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,r_frame_rate', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [rate, n] = r.stdout.trim().split(',');
  assert.equal(rate, '30/1');
  return Number(n);
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const p = prnetProcess(args, env);
  const { code } = await p.exited;
  return { code, stderr: p.stderr() };
}

const readRecords = async (file: string): Promise<FrameRecord[]> => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as FrameRecord);

test('prnet video: one ndjson line per frame with the face, its id, 68 landmarks and pose; an overlay of as many frames', { skip }, async () => {
  const clip = path.join(dir, 'clip.mp4');
  makeClip(clip, 6);
  const out = path.join(dir, 'out');
  const { code, stderr } = await run(['video', clip, '-o', out, '-q']);
  assert.equal(code, 0, stderr);
  const records = await readRecords(path.join(out, 'faces.ndjson'));
  assert.equal(records.length, 6);
  records.forEach((r, k) => {
    assert.equal(r.frame, k);
    assert.ok(Math.abs(r.time - k / 30) < 1e-6);
    assert.equal(r.faces.length, 1, `frame ${k}`);
    const [face] = r.faces;
    assert.equal(face.id, 0);
    assert.equal(face.detected, k === 0);
    assert.equal(face.landmarks.length, 68);
    assert.ok(face.landmarks.every((p) => p.length === 3 && p.every(Number.isFinite)));
    // The face is in the picture.
    const [x, y, w, h] = face.box;
    assert.ok(x > -20 && y > -20 && x + w < 340 && y + h < 260 && w > 60 && h > 60, `box ${face.box.join(', ')}`);
    assert.ok(face.pose && Math.abs(face.pose.yaw) < 45 && face.pose.cameraMatrix.length === 12);
  });
  assert.equal(frameCount(path.join(out, 'overlay.mp4')), 6);
  assert.match(stderr, /6 frames at [\d.]+ fps, 1 face \(ids 0\)/);

  // --no-smooth: the same first frame (the filter passes it through), other frames differ.
  const raw = path.join(dir, 'raw');
  assert.equal((await run(['video', clip, '-o', raw, '-q', '--no-smooth', '--no-overlay'])).code, 0);
  const rawRecords = await readRecords(path.join(raw, 'faces.ndjson'));
  assert.equal(rawRecords.length, 6);
  assert.deepEqual(rawRecords[0].faces[0].landmarks, records[0].faces[0].landmarks);
  assert.notDeepEqual(rawRecords[5].faces[0].landmarks, records[5].faces[0].landmarks);
  await assert.rejects(stat(path.join(raw, 'overlay.mp4')), 'no overlay with --no-overlay');
});

test('prnet video -: a video piped in is tracked exactly as from its file, and overlay.mp4 gets its sound', { skip }, async () => {
  const silent = path.join(dir, 'silent.mkv');
  makeClip(silent, 8);
  const clip = path.join(dir, 'piped.mkv');
  const mux = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', silent, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-shortest', clip]);
  assert.equal(mux.status, 0, String(mux.stderr));
  const fromFile = path.join(dir, 'from-file');
  assert.equal((await run(['video', clip, '-o', fromFile, '-q', '--no-overlay'])).code, 0);
  const fromPipe = path.join(dir, 'from-pipe');
  const p = prnetProcess(['video', '-', '-o', fromPipe, '-q']);
  p.child.stdin.end(await readFile(clip));
  const { code } = await p.exited;
  assert.equal(code, 0, p.stderr());
  const piped = await readRecords(path.join(fromPipe, 'faces.ndjson'));
  assert.equal(piped.length, 8);
  assert.ok(piped.every((r) => r.faces.length === 1));
  assert.deepEqual(piped, await readRecords(path.join(fromFile, 'faces.ndjson')));
  assert.equal(frameCount(path.join(fromPipe, 'overlay.mp4')), 8);
  assert.doesNotMatch(p.stderr(), /warning/);
  // The sound set aside while decoding is in overlay.mp4, as long as the video, and nothing else is left.
  const streams = (file: string) => JSON.parse(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration', '-of', 'json', file], { encoding: 'utf8' }).stdout).streams as { codec_type: string; codec_name: string; duration: string }[];
  const overlayStreams = streams(path.join(fromPipe, 'overlay.mp4'));
  const audio = overlayStreams.find((st) => st.codec_type === 'audio');
  const video = overlayStreams.find((st) => st.codec_type === 'video');
  assert.ok(audio && video, JSON.stringify(overlayStreams));
  assert.equal(audio.codec_name, 'aac');
  assert.ok(Math.abs(Number(audio.duration) - Number(video.duration)) < 0.1, `audio ${audio.duration} s, video ${video.duration} s`);
  assert.deepEqual((await readdir(fromPipe)).sort(), ['faces.ndjson', 'overlay.mp4'], 'no temporary audio file left');
  // The overlay made from the file has the same streams.
  const fileOverlay = path.join(dir, 'from-file-overlay');
  assert.equal((await run(['video', clip, '-o', fileOverlay, '-q'])).code, 0);
  assert.deepEqual(streams(path.join(fileOverlay, 'overlay.mp4')).map((st) => st.codec_type).sort(), overlayStreams.map((st) => st.codec_type).sort());
  assert.match(p.stderr(), /8 frames at [\d.]+ fps, 1 face \(ids 0\)/);
  // A photo piped in is no video: one line, exit 1, nothing written.
  const photoOut = path.join(dir, 'piped-photo');
  const q = prnetProcess(['video', '-', '-o', photoOut]);
  q.child.stdin.end(await readFile(photo));
  assert.equal((await q.exited).code, 1);
  assert.match(q.stderr(), /^prnet: -: not a video \(a still image; use prnet reconstruct for photos\)\n$/);
  await assert.rejects(stat(photoOut));
});

test('prnet video -o -: the frame records on standard output, as faces.ndjson, no files; a reader that goes away stops it (exit 0)', { skip }, async () => {
  const clip = path.join(dir, 'stdout.mp4');
  makeClip(clip, 12);
  const ref = path.join(dir, 'stdout-ref');
  assert.equal((await run(['video', clip, '-o', ref, '-q', '--no-overlay'])).code, 0);
  const p = prnetProcess(['video', clip, '-o', '-', '-q']);
  let out = '';
  p.child.stdout.on('data', (d) => { out += d; });
  const { code } = await p.exited;
  assert.equal(code, 0, p.stderr());
  assert.equal(out, await readFile(path.join(ref, 'faces.ndjson'), 'utf8'));
  assert.equal(out.split('\n').filter(Boolean).length, 12);
  assert.match(p.stderr(), /12 frames at .* → standard output\n$/);
  await assert.rejects(stat(path.join(REPO, '-')), 'no folder named -');
  // `| head -2`: the reader closes the pipe after two lines.
  const q = prnetProcess(['video', clip, '-o', '-', '-q']);
  let lines = 0;
  q.child.stdout.on('data', (d: Buffer) => {
    lines += String(d).split('\n').length - 1;
    if (lines >= 2) q.child.stdout.destroy();
  });
  const closed = await q.exited;
  assert.equal(closed.code, 0, q.stderr());
  assert.match(q.stderr(), /prnet: standard output closed: \d+ frames/);
  assert.doesNotMatch(q.stderr(), /EPIPE|Error|\n\s+at /, 'one line, no stack');
  // Meshes are files: refused with -o -.
  const r = await run(['video', clip, '-o', '-', '--meshes', 'ply']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--meshes writes files/);
});

/** Vertex positions of a binary PLY without colours (`encodePly`'s layout). */
function plyPositions(bytes: Buffer): Float32Array {
  const end = bytes.indexOf('end_header\n') + 'end_header\n'.length;
  const n = Number(/element vertex (\d+)/.exec(bytes.subarray(0, end).toString('latin1'))![1]);
  assert.match(bytes.subarray(0, end).toString('latin1'), /property float z\nelement face/, 'x, y, z only');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + end, bytes.byteOffset + end + 12 * n));
}

const validator = createRequire(import.meta.url)('gltf-validator') as { validateBytes(data: Uint8Array): Promise<{ issues: { numErrors: number; messages: unknown[] } }> };

test('prnet video --meshes: a PLY / OBJ per frame per face, or one animated GLB per face whose frames are the same meshes', { skip }, async () => {
  const clip = path.join(dir, 'meshes.mp4');
  makeClip(clip, 3);
  const run3 = async (format: string, extra: string[] = []) => {
    const out = path.join(dir, `meshes-${format}${extra.length ? '-split' : ''}`);
    const { code, stderr } = await run(['video', clip, '-o', out, '-q', '--no-overlay', '--meshes', format, ...extra]);
    assert.equal(code, 0, stderr);
    return { out, files: (await readdir(path.join(out, 'meshes'))).sort(), stderr };
  };
  const ply = await run3('ply');
  assert.deepEqual(ply.files, ['000000_0.ply', '000001_0.ply', '000002_0.ply']);
  const obj = await run3('obj');
  assert.deepEqual(obj.files, ['000000_0.obj', '000001_0.obj', '000002_0.obj']);
  const objText = await readFile(path.join(obj.out, 'meshes', '000002_0.obj'), 'utf8');
  assert.equal(objText.match(/^v /gm)?.length, 43867);
  const glb = await run3('glb');
  assert.deepEqual(glb.files, ['face_0.glb']);
  assert.match(glb.stderr, /face_0\.glb/);
  const bytes = await readFile(path.join(glb.out, 'meshes', 'face_0.glb'));
  assert.equal((await validator.validateBytes(bytes)).issues.numErrors, 0);
  const doc = await glbIo.readBinary(bytes);
  const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
  assert.equal(prim.listTargets().length, 2);
  assert.equal(prim.getAttribute('POSITION')!.getComponentSize(), 2, '16-bit positions by default');
  const times = doc.getRoot().listAnimations()[0]!.listSamplers()[0]!.getInput()!.getArray()!;
  assert.deepEqual(Array.from(times), [0, 1 / 30, 2 / 30].map(Math.fround));
  // Frame k of the GLB (mm → px) is frame k's PLY: the same mesh, the same y-up frame
  // (within the 16-bit step: about 0.01 px on this 320-pixel clip).
  const shown = await decodeGlbFrames(bytes);
  const plys = await Promise.all(ply.files.map(async (f) => plyPositions(await readFile(path.join(ply.out, 'meshes', f)))));
  for (let k = 0; k < 3; k++) {
    assert.equal(plys[k]!.length, shown[k]!.length);
    let worst = 0;
    for (let i = 0; i < plys[k]!.length; i++) worst = Math.max(worst, Math.abs(shown[k]![i]! * 1000 - plys[k]![i]!));
    assert.ok(worst < 0.03, `frame ${k}: GLB and PLY differ by ${worst} px`);
  }
  // The frames move (the clip pans), so the morph targets are not empty.
  assert.ok(Array.from(prim.listTargets()[1]!.getAttribute('POSITION')!.getArray()!).some((v) => v !== 0));
  // At most 2 frames a file: frames 0–1, then frame 2 in a second file, at its time in the
  // video; float32 with --no-glb-quantize.
  const split = await run3('glb', ['--glb-frames-per-file', '2', '--no-glb-quantize']);
  assert.deepEqual(split.files, ['face_0.glb', 'face_0_part2.glb']);
  const partBytes = async (name: string) => readFile(path.join(split.out, 'meshes', name));
  const [first, second] = [await glbIo.readBinary(await partBytes('face_0.glb')), await glbIo.readBinary(await partBytes('face_0_part2.glb'))];
  assert.deepEqual(Array.from(first.getRoot().listAnimations()[0]!.listSamplers()[0]!.getInput()!.getArray()!), [0, 1 / 30].map(Math.fround));
  assert.equal(first.getRoot().listExtensionsUsed().length, 0, 'no KHR_mesh_quantization');
  const lastPrim = second.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
  assert.equal(lastPrim.listTargets().length, 0, 'one frame, no morph target');
  for (const [name, frames] of [['face_0.glb', [0, 1]], ['face_0_part2.glb', [2]]] as const) {
    const got = await decodeGlbFrames(await partBytes(name));
    frames.forEach((k, j) => {
      let worst = 0;
      for (let i = 0; i < plys[k]!.length; i++) worst = Math.max(worst, Math.abs(got[j]![i]! * 1000 - plys[k]![i]!));
      assert.ok(worst < 0.01, `${name}, frame ${k}: ${worst} px from its PLY`);
    });
  }
  assert.equal((await validator.validateBytes(await partBytes('face_0_part2.glb'))).issues.numErrors, 0);
  const bad = await run(['video', clip, '-o', path.join(dir, 'meshes-bad'), '--meshes', 'stl']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--meshes must be one of obj, ply, glb, got "stl"/);
});

test('prnet video: an output folder that cannot be created is one setup error before any frame (exit 2), not an input failure', { skip }, async () => {
  const clip = path.join(dir, 'clip-out-folder.mp4');
  makeClip(clip, 2);
  const file = path.join(dir, 'a-file');
  await writeFile(file, 'not a folder\n');
  const { code, stderr } = await run(['video', clip, '-o', path.join(file, 'out'), '-q']);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^prnet: .*a-file\/out: cannot create the output folder \(ENOTDIR\)\n$/);
});

test('prnet video: a photo, a text file and a missing file are not videos (exit 1); no ffmpeg is exit 2; one line each', { skip }, async () => {
  const text = path.join(dir, 'notes.mp4');
  await writeFile(text, 'hello\n');
  for (const [input, re] of [[photo, /not a video \(a still image; use prnet reconstruct/], [text, /notes\.mp4: not a video/], [path.join(dir, 'none.mp4'), /none\.mp4: not a video \(No such file/]] as const) {
    const { code, stderr } = await run(['video', input, '-o', path.join(dir, 'bad')]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, re);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
  const { code, stderr } = await run(['video', text, '-o', path.join(dir, 'bad')], { PRNET_FFPROBE: path.join(dir, 'no-ffprobe') });
  assert.equal(code, 2);
  assert.match(stderr, /^prnet: ffprobe not found: prnet video needs ffmpeg \(Debian\/Ubuntu: apt-get install ffmpeg/);
});

/** Starts `prnet video` on a 240-frame clip and resolves once faces.ndjson holds a few frames. */
async function videoUnderWay(clipName: string, outName: string) {
  const clip = path.join(dir, clipName);
  makeClip(clip, 240);
  const out = path.join(dir, outName);
  const p = prnetProcess(['video', clip, '-o', out, '-q']);
  const json = path.join(out, 'faces.ndjson');
  for (let i = 0; i < 600; i++) {
    const text = await readFile(json, 'utf8').catch(() => '');
    if (text.split('\n').length > 4) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { p, out, json };
}

test('prnet video: Ctrl-C finishes both files with the frames done (exit 130)', { skip }, async () => {
  const { p, out, json } = await videoUnderWay('long.mp4', 'interrupted');
  p.child.kill('SIGINT');
  const { code } = await p.exited;
  assert.equal(code, 130, p.stderr());
  assert.match(p.stderr(), /SIGINT: finishing the files/);
  const records = await readRecords(json);
  assert.ok(records.length >= 4 && records.length < 240, `${records.length} frames`);
  records.forEach((r, k) => assert.equal(r.frame, k));
  assert.equal(frameCount(path.join(out, 'overlay.mp4')), records.length);
});

/** Waits until no process has `needle` on its command line (Linux /proc): the detached ffmpeg finishing a file. */
async function processesGone(needle: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
    const cmdlines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
    if (!cmdlines.some((c) => c.includes(needle))) return;
    if (Date.now() > deadline) assert.fail(`a process still runs with ${needle}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('prnet video: a second Ctrl-C stops at once; faces.ndjson ends at a whole line and ffmpeg still finishes the overlay', { skip: skip || (process.platform !== 'linux' && 'needs /proc') }, async () => {
  const { p, out, json } = await videoUnderWay('long2.mp4', 'stopped');
  p.child.kill('SIGINT');
  // Once the first is handled (two signals sent back to back can merge into one); finishing
  // the files takes far longer than this answer.
  await p.waitFor(/SIGINT: finishing the files/);
  p.child.kill('SIGINT');
  const { code } = await p.exited;
  assert.equal(code, 130, p.stderr());
  assert.match(p.stderr(), /SIGINT again: stopped at once/);
  const text = await readFile(json, 'utf8');
  assert.ok(text.endsWith('\n'), 'the last line is whole');
  const records = await readRecords(json);
  assert.ok(records.length >= 4 && records.length < 240, `${records.length} frames`);
  records.forEach((r, k) => assert.equal(r.frame, k));
  // ffmpeg outlives prnet by design: once it is done, the overlay is playable and holds
  // the frames written (the last one may have been cut off in the pipe).
  await processesGone(out, 20_000);
  const n = frameCount(path.join(out, 'overlay.mp4'));
  assert.ok(n === records.length || n === records.length - 1, `overlay ${n} frames, json ${records.length}`);
});

test('prnet video: a video cut short is decoded as far as it goes, with warnings that say so (exit 0)', { skip }, async () => {
  const clip = path.join(dir, 'whole.mp4');
  makeClip(clip, 60);
  // The index first (faststart), so the cut file still opens and announces 60 frames.
  const indexed = path.join(dir, 'indexed.mp4');
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c', 'copy', '-movflags', '+faststart', indexed]);
  assert.equal(r.status, 0, String(r.stderr));
  const bytes = await readFile(indexed);
  const cut = path.join(dir, 'cut.mp4');
  await writeFile(cut, bytes.subarray(0, Math.round(bytes.length * 0.85)));
  const out = path.join(dir, 'cut-out');
  const { code, stderr } = await run(['video', cut, '-o', out, '-q', '--no-overlay']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /prnet: warning: .*cut\.mp4: the video is damaged; ffmpeg decoded \d+ frames \(.+\)/);
  const m = stderr.match(/cut\.mp4: the video ended after (\d+) of the 60 frames it announces/);
  assert.ok(m, stderr);
  const records = await readRecords(path.join(out, 'faces.ndjson'));
  assert.equal(records.length, Number(m[1]));
  assert.ok(records.length > 0 && records.length < 58, `${records.length} frames`);
  // Cut inside the first frame: nothing to decode, so an error (exit 1) and no empty files left.
  const stub = path.join(dir, 'stub.mp4');
  await writeFile(stub, bytes.subarray(0, Math.round(bytes.length * 0.3)));
  const stubOut = path.join(dir, 'stub-out');
  const failed = await run(['video', stub, '-o', stubOut, '-q']);
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /^prnet: .*stub\.mp4: (not a video|ffmpeg could not decode the video) \(.+\)\n$/);
  assert.doesNotMatch(failed.stderr, /Error marking filters/, 'the telling line, not ffmpeg\'s wrap-up');
  assert.deepEqual(await readdir(stubOut).catch(() => []), []);
  // A whole video gives no warning.
  const whole = await run(['video', indexed, '-o', path.join(dir, 'whole-out'), '-q', '--no-overlay']);
  assert.equal(whole.code, 0, whole.stderr);
  assert.doesNotMatch(whole.stderr, /warning/);
});

test('prnet video --paint: painted.mp4 has the texture on the face in every frame, and the frame elsewhere as it was', { skip }, async () => {
  const clip = path.join(dir, 'paint.mp4');
  makeClip(clip, 8);
  // An opaque blue square in the middle of the face's UV layout, transparent elsewhere.
  const sharp = (await import('sharp')).default;
  const layer = Buffer.alloc(256 * 256 * 4);
  for (let t = 0; t < 256 * 256; t++) if (t % 256 >= 96 && t % 256 < 160 && Math.floor(t / 256) >= 120 && Math.floor(t / 256) < 184) layer.set([20, 40, 230, 255], 4 * t);
  const texture = path.join(dir, 'blue.png');
  await sharp(layer, { raw: { width: 256, height: 256, channels: 4 } }).png().toFile(texture);
  const out = path.join(dir, 'painted');
  const r = await run(['video', clip, '-o', out, '--paint', texture, '--no-overlay', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['faces.ndjson', 'painted.mp4']);
  assert.equal(frameCount(path.join(out, 'painted.mp4')), 8);
  const frames = (file: string) => spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 64 << 20 }).stdout as Buffer;
  const [painted, source] = [frames(path.join(out, 'painted.mp4')), frames(clip)];
  assert.equal(painted.length, 8 * 320 * 240 * 3);
  const records = await readRecords(path.join(out, 'faces.ndjson'));
  for (let k = 0; k < 8; k++) {
    const [x, y, w, h] = records[k]!.faces[0]!.box;
    let blue = 0, farChange = 0;
    for (let p = 0; p < 320 * 240; p++) {
      const o = (k * 320 * 240 + p) * 3;
      const [pr, pg, pb] = [painted[o]!, painted[o + 1]!, painted[o + 2]!];
      const px = p % 320, py = Math.floor(p / 320);
      const inBox = px >= x - 0.25 * w && px <= x + 1.25 * w && py >= y - 0.25 * h && py <= y + 1.25 * h;
      if (pb > pr + 80 && pb > pg + 80) {
        blue++;
        assert.ok(inBox, `frame ${k}: a blue pixel at ${px}, ${py}, away from the face box ${records[k]!.faces[0]!.box.join(', ')}`);
      }
      if (!inBox) farChange = Math.max(farChange, Math.abs(pr - source[o]!), Math.abs(pg - source[o + 1]!), Math.abs(pb - source[o + 2]!));
    }
    assert.ok(blue > 100, `frame ${k}: ${blue} blue pixels`);
    // Both are H.264 at their own settings: away from the face they differ by coding noise only.
    assert.ok(farChange < 40, `frame ${k}: away from the face a pixel changed by ${farChange}`);
  }
  // Usage errors: a texture of the wrong size, and --paint with -o -.
  const small = path.join(dir, 'small.png');
  await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } }).png().toFile(small);
  const bad = await run(['video', clip, '-o', path.join(dir, 'bad'), '--paint', small]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /small\.png: a UV texture must be 256×256 \(as --outputs texture writes it\), got 64×64/);
  await assert.rejects(stat(path.join(dir, 'bad')), 'nothing written');
  const piped = await run(['video', clip, '-o', '-', '--paint', texture]);
  assert.equal(piped.code, 2);
  assert.match(piped.stderr, /--paint writes painted\.mp4: give -o an output folder/);
});

test('prnet video --aligned: aligned_<id>.mp4 holds the face aligned in each frame it is followed, from its smoothed landmarks, with the sound of that stretch', { skip }, async () => {
  // 0.3 s of black and silence, then the face with a tone: the face's clip starts late, and its sound with it.
  const clip = path.join(dir, 'late.mp4');
  const r0 = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=320x240:r=30:d=0.3', '-loop', '1', '-framerate', '30', '-t', '0.5', '-i', photo,
    '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono:d=0.3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5:sample_rate=44100',
    '-filter_complex', '[1:v]scale=360:360,crop=320:240:x=20:y=60,setsar=1[f];[0:v]setsar=1[b];[b][f]concat=n=2:v=1:a=0[v];[2:a][3:a]concat=n=2:v=0:a=1[a]',
    '-map', '[v]', '-map', '[a]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
  assert.equal(r0.status, 0, String(r0.stderr));
  const out = path.join(dir, 'aligned');
  const r = await run(['video', clip, '-o', out, '--aligned', '--align-size', '64', '--no-overlay', '-q', '--fov', '50']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['aligned_0.mp4', 'faces.ndjson']);
  const records = await readRecords(path.join(out, 'faces.ndjson'));
  const withFace = records.filter((rec) => rec.faces.length > 0).map((rec) => rec.frame);
  assert.ok(withFace.length >= 10 && withFace[0]! >= 9, `the face is followed from frame ${withFace[0]} (${withFace.length} frames)`);
  // Each record carries the perspective pose for the camera --fov names, in front of it.
  const camera = records[withFace[0]!]!.faces[0]!.camera!;
  assert.equal(camera.fovY, 50);
  assert.ok(camera.matrix.length === 16 && camera.matrix[14]! < 0);
  assert.equal(frameCount(path.join(out, 'aligned_0.mp4')), withFace.length, 'one aligned frame per frame the face is followed');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height', '-of', 'csv=p=0', path.join(out, 'aligned_0.mp4')], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.deepEqual(probe.sort(), ['audio', 'video,64,64']);
  // The clip's sound starts where the face does: the tone at once, not the silence before it.
  const loudness = (file: string) => Number(/mean_volume: (-?[\d.]+) dB/.exec(String(spawnSync('ffmpeg', ['-v', 'info', '-t', '0.1', '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-']).stderr))?.[1] ?? -Infinity);
  assert.ok(loudness(clip) < -60, `the source starts silent (${loudness(clip)} dB)`);
  assert.ok(loudness(path.join(out, 'aligned_0.mp4')) > -40, `the clip starts with the tone (${loudness(path.join(out, 'aligned_0.mp4'))} dB)`);
  // Each aligned frame is the library's alignment of its source frame at the recorded landmarks (H.264 on both sides).
  const frames = (file: string, size: string) => spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', size, 'pipe:1'], { maxBuffer: 64 << 20 }).stdout as Buffer;
  const [aligned, source] = [frames(path.join(out, 'aligned_0.mp4'), '64x64'), frames(clip, '320x240')];
  const { alignFace } = await import('../../src/face/alignFace.js');
  for (const [k, frame] of [[0, withFace[0]!], [withFace.length - 1, withFace.at(-1)!]] as const) {
    const image = { width: 320, height: 240, data: new Uint8Array(source.subarray(frame * 320 * 240 * 3, (frame + 1) * 320 * 240 * 3)) };
    const want = alignFace(image, records[frame]!.faces[0]!.landmarks.flat(), { size: 64 }).image.data;
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff += Math.abs(aligned[k * 64 * 64 * 3 + i]! - want[i]!);
    assert.ok(diff / want.length < 8, `aligned frame ${k} (source frame ${frame}): mean difference ${(diff / want.length).toFixed(2)}`);
  }
  // The same video piped in: its sound, set aside while decoding, joins the clip from where the face appears.
  const mkv = path.join(dir, 'late.mkv');
  assert.equal(spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c', 'copy', mkv]).status, 0);
  const fromPipe = path.join(dir, 'aligned-piped');
  const p = prnetProcess(['video', '-', '-o', fromPipe, '--aligned', '--align-size', '64', '--no-overlay', '-q', '--fov', '50']);
  p.child.stdin.end(await readFile(mkv));
  assert.equal((await p.exited).code, 0, p.stderr());
  assert.doesNotMatch(p.stderr(), /no sound|warning/);
  assert.deepEqual((await readdir(fromPipe)).sort(), ['aligned_0.mp4', 'faces.ndjson'], 'no temporary audio file left');
  const pipedClip = path.join(fromPipe, 'aligned_0.mp4');
  assert.equal(frameCount(pipedClip), withFace.length);
  const pipedStreams = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,duration', '-of', 'csv=p=0', pipedClip], { encoding: 'utf8' }).stdout.trim().split('\n');
  assert.deepEqual(pipedStreams.map((l) => l.split(',')[0]).sort(), ['audio', 'video']);
  const [videoSeconds, audioSeconds] = ['video', 'audio'].map((t) => Number(pipedStreams.find((l) => l.startsWith(t))!.split(',')[1]));
  assert.ok(Math.abs(audioSeconds! - videoSeconds!) < 0.1, `audio ${audioSeconds} s, video ${videoSeconds} s`);
  assert.ok(loudness(pipedClip) > -40, `the piped clip starts with the tone (${loudness(pipedClip)} dB), not the silence before the face`);
  const piped = await run(['video', clip, '-o', '-', '--aligned']);
  assert.equal(piped.code, 2);
  assert.match(piped.stderr, /--aligned writes aligned_<id>\.mp4: give -o an output folder/);
});

test('prnet video --meshes glb --camera-space: one animated GLB per face in its perspective camera\'s space, metres, in front of the camera', { skip }, async () => {
  const clip = path.join(dir, 'space.mp4');
  makeClip(clip, 6);
  const out = path.join(dir, 'space');
  const r = await run(['video', clip, '-o', out, '--meshes', 'glb', '--camera-space', '--no-overlay', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const frames = await decodeGlbFrames(new Uint8Array(await readFile(path.join(out, 'meshes', 'face_0.glb'))));
  assert.equal(frames.length, 6);
  const records = await readRecords(path.join(out, 'faces.ndjson'));
  for (const [k, xyz] of frames.entries()) {
    let minX = Infinity, maxX = -Infinity, maxZ = -Infinity;
    for (let i = 0; i < xyz.length; i += 3) { minX = Math.min(minX, xyz[i]!); maxX = Math.max(maxX, xyz[i]!); maxZ = Math.max(maxZ, xyz[i + 2]!); }
    assert.ok(maxZ < 0 && maxX - minX > 0.1 && maxX - minX < 0.25, `frame ${k}: ${(maxX - minX).toFixed(3)} m wide, nearest z ${maxZ.toFixed(3)}`);
    // The frame's camera pose sits among its vertices (mid-eyes, a few centimetres inside the face's extent).
    const t = records[k]!.faces[0]!.camera!.matrix.slice(12, 15);
    assert.ok(t[0]! > minX && t[0]! < maxX && t[2]! < 0, `frame ${k}: origin ${t}`);
  }
  const bad = await run(['video', clip, '-o', path.join(dir, 'space-bad'), '--camera-space']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--camera-space places the meshes: give --meshes too/);
});
