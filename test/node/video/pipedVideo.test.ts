/** A video piped in (`prnet video -`): probed from its first bytes, decoded as it arrives. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { openPipedVideo } from '../../../src/node/video/pipedVideo.js';
import { decodeVideoFrames } from '../../../src/node/video/decodeVideoFrames.js';
import { probeVideo } from '../../../src/node/video/probeVideo.js';
import type { RgbImage } from '../../../src/io/rgbImage.js';

const hasFfmpeg = !spawnSync('ffmpeg', ['-version']).error && !spawnSync('ffprobe', ['-version']).error;
const skip = hasFfmpeg ? false : 'ffmpeg/ffprobe not installed (apt-get install ffmpeg; .ci/run installs it)';
const photo = path.resolve(import.meta.dirname, '../../../../shared/fixtures/photos/photo4.jpg');

const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-piped-'));
test.after(() => rm(work, { recursive: true, force: true }));

/** A clip whose frames all differ (a moving crop, grain), in the given container. */
function makeClip(file: string, frames: number, extra: string[] = []): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-vf', "scale=360:360,crop=320:240:x='n*3':y=60,noise=alls=30:allf=t",
    '-frames:v', String(frames), '-r', '25', '-c:v', 'libx264', '-b:v', '3M', '-pix_fmt', 'yuv420p', ...extra, file]);
  assert.equal(r.status, 0, String(r.stderr));
}

/** The bytes as a pipe delivers them: chunks of 64 KiB. */
function chunked(bytes: Uint8Array, size = 65_536): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(Buffer.from(bytes.subarray(i, i + size)));
  return Readable.from(parts, { objectMode: false });
}

async function collect(frames: AsyncIterable<RgbImage>): Promise<RgbImage[]> {
  const out: RgbImage[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

test('a piped Matroska clip gives the same frames as its file; probing reads only its start', { skip }, async () => {
  const clip = path.join(work, 'clip.mkv');
  makeClip(clip, 40);
  const bytes = await readFile(clip);
  const fromFile = await probeVideo(clip);
  const piped = await openPipedVideo(chunked(bytes), { probeBytes: 64 * 1024 });
  assert.ok(bytes.length > 256 * 1024, `a clip longer than the probe (${bytes.length} bytes)`);
  assert.ok(piped.prefix.length < bytes.length, 'the rest is left in the stream');
  assert.deepEqual([piped.info.width, piped.info.height, piped.info.fps, piped.info.frameRate], [fromFile.width, fromFile.height, fromFile.fps, fromFile.frameRate]);
  assert.equal(piped.info.frames, 0, 'the frame count of a stream still arriving is unknown');
  const a = await collect(decodeVideoFrames(clip, fromFile));
  const b = await collect(decodeVideoFrames(piped, piped.info));
  assert.equal(a.length, 40);
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) assert.ok(Buffer.from(a[i]!.data).equals(Buffer.from(b[i]!.data)), `frame ${i}`);
  assert.ok(!Buffer.from(a[0]!.data).equals(Buffer.from(a[1]!.data)), 'frames differ (the comparison can fail)');
});

test('a piped stream is decoded as it arrives: the first frames come before the stream ends', { skip, timeout: 60_000 }, async () => {
  const clip = path.join(work, 'live.nut');
  makeClip(clip, 50, ['-f', 'nut']);
  const bytes = await readFile(clip);
  const stream = new PassThrough();
  // 80 % of the bytes: about 35 of the 50 frames (the first, a key frame, is the largest).
  // ffmpeg holds back a few frames (decoder threads, reordering), but frames must come
  // before the end: a live stream never ends.
  const sent = Math.floor(bytes.length * 0.8);
  stream.write(bytes.subarray(0, sent));
  const piped = await openPipedVideo(stream, { probeBytes: 16 * 1024 });
  const frames = decodeVideoFrames(piped, piped.info)[Symbol.asyncIterator]();
  let early = 0;
  for (; early < 10; early++) assert.equal((await frames.next()).done, false);
  stream.end(bytes.subarray(sent));
  let total = early;
  while (!(await frames.next()).done) total++;
  assert.equal(total, 50);
});

test('what a pipe cannot give: nothing, a photo, noise, an MP4 indexed at its end; one line each', { skip }, async () => {
  await assert.rejects(openPipedVideo(chunked(new Uint8Array(0))), /^Error: -: not a video \(nothing was piped in\)$/);
  await assert.rejects(openPipedVideo(chunked(await readFile(photo))), /^Error: -: not a video \(a still image; use prnet reconstruct for photos\)$/);
  const noise = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24);
  await assert.rejects(openPipedVideo(chunked(noise), { probeBytes: 32 * 1024, maxProbeBytes: 128 * 1024 }), /^Error: -: not a video \(.+; from a pipe, send a streaming format .*-movflags \+faststart; read 131072 bytes\)$/);
  // An MP4 with its index at the end: ffprobe finds it once the whole file is in, ffmpeg
  // cannot seek back to the frames; the message says what to send instead.
  const mp4 = path.join(work, 'end-indexed.mp4');
  makeClip(mp4, 30);
  const piped = await openPipedVideo(chunked(await readFile(mp4)), { probeBytes: 16 * 1024 });
  await assert.rejects(collect(decodeVideoFrames(piped, piped.info)), /^Error: -: ffmpeg could not decode the video \(.+; from a pipe, send a streaming format/);
  // The same MP4 with its index first plays from a pipe.
  const fast = path.join(work, 'faststart.mp4');
  assert.equal(spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', mp4, '-c', 'copy', '-movflags', '+faststart', fast]).status, 0);
  const ok = await openPipedVideo(chunked(await readFile(fast)), { probeBytes: 16 * 1024 });
  assert.equal((await collect(decodeVideoFrames(ok, ok.info))).length, 30);
});
