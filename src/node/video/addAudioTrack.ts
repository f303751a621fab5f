/**
 * Puts an audio track into a finished video file: the video stream copied as it is, the
 * audio re-encoded as AAC (MP4's usual codec; the source may hold Opus, PCM, …) and cut to
 * the video's length. For `prnet video -` with `--overlay`: a piped video is read once, so
 * its audio is set aside while the frames are decoded and joined to the overlay afterwards.
 */
import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegCommand, ffmpegMissing } from './ffmpegCommand.js';

/**
 * Rewrites `videoFile` (MP4) with the first audio stream of `audioFile` added. The new file
 * is written beside it and renamed over it, so `videoFile` is never half-written; on
 * failure it is left as it was and the error says why.
 *
 * ```ts
 * await addAudioTrack('out/overlay.mp4', 'out/.overlay-audio.mka');
 * ```
 */
export async function addAudioTrack(videoFile: string, audioFile: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const tmp = path.join(path.dirname(videoFile), `.${path.basename(videoFile)}.${process.pid}.audio.tmp.mp4`);
  const args = ['-v', 'error', '-y', '-nostdin', '-i', videoFile, '-i', audioFile, '-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', '-f', 'mp4', tmp];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpegCommand('ffmpeg', env), args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-2000); });
      child.on('error', (err) => reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? ffmpegMissing('ffmpeg') : err));
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg could not add the audio (${stderr.trim().split('\n').pop() || `exit ${code}`})`))));
    });
    await rename(tmp, videoFile);
  } finally {
    await rm(tmp, { force: true });
  }
}
