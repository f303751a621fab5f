/**
 * Puts an audio track into a finished video file: the video stream copied as it is, the
 * audio re-encoded as AAC (MP4's usual codec; the source may hold Opus, PCM, …) and cut to
 * the video's length. For `prnet video -` (`--overlay`, `--paint`, `--aligned`): a piped video
 * is read once, so its audio is set aside while the frames are decoded and joined to each
 * output afterwards, an aligned clip's from the moment its face appears.
 */
import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { withDefaults } from '../../io/withDefaults.js';
import { ffmpegCommand, ffmpegMissing } from './ffmpegCommand.js';

/** Options of {@link addAudioTrack}. */
export interface AddAudioTrackOptions {
  /** Where in `audioFile` the video's sound starts, seconds (a clip of a later part of the video). */
  start?: number;
  /** Environment to find ffmpeg in (`PRNET_FFMPEG`). */
  env?: NodeJS.ProcessEnv;
}

/** Defaults of {@link AddAudioTrackOptions}. */
export const ADD_AUDIO_TRACK_DEFAULTS = { start: 0, env: process.env as NodeJS.ProcessEnv };

/**
 * Rewrites `videoFile` (MP4) with the first audio stream of `audioFile` added, from `start`
 * seconds into it. The new file is written beside it and renamed over it, so `videoFile` is
 * never half-written; on failure it is left as it was and the error says why.
 *
 * ```ts
 * await addAudioTrack('out/overlay.mp4', 'out/.overlay-audio.mka');
 * await addAudioTrack('out/aligned_3.mp4', 'out/.overlay-audio.mka', { start: 12.4 });
 * ```
 */
export async function addAudioTrack(videoFile: string, audioFile: string, options: AddAudioTrackOptions = {}): Promise<void> {
  const { start, env } = withDefaults(ADD_AUDIO_TRACK_DEFAULTS, options);
  if (!(Number.isFinite(start) && start >= 0)) throw new Error(`addAudioTrack: start must be a time ≥ 0 in seconds, got ${start}`);
  const tmp = path.join(path.dirname(videoFile), `.${path.basename(videoFile)}.${process.pid}.audio.tmp.mp4`);
  // -ss before the audio input seeks in it (decoded, so to the sample), not in the video.
  const args = ['-v', 'error', '-y', '-nostdin', '-i', videoFile, ...(start > 0 ? ['-ss', start.toFixed(6)] : []), '-i', audioFile, '-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', '-f', 'mp4', tmp];
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
