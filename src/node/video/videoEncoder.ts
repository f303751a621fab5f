/**
 * Video encoding through an `ffmpeg` child process fed raw RGB frames on its stdin
 * (H.264 in MP4, the audio of another file copied in).
 */
import { spawn } from 'node:child_process';
import type { RgbImage } from '../../io/rgbImage.js';
import { withDefaults } from '../../io/withDefaults.js';
import { ffmpegCommand, ffmpegMissing } from './ffmpegCommand.js';

/** Options of {@link videoEncoder}. */
export interface VideoEncoderOptions {
  /** Frame width, pixels. */
  width: number;
  /** Frame height, pixels. */
  height: number;
  /** Frame rate as ffmpeg reads it (`30`, `30000/1001`). */
  frameRate: string;
  /** A file whose audio (if any) goes into the output, re-encoded as AAC and cut to the video. */
  audioFrom?: string;
  /** Where in `audioFrom` the output's sound starts, seconds (a clip of part of the video). */
  audioStart?: number;
  /** x264 constant rate factor (lower: better and bigger). */
  crf?: number;
  /** x264 preset. */
  preset?: string;
  /** Environment to find ffmpeg in (`PRNET_FFMPEG`). */
  env?: NodeJS.ProcessEnv;
}

/** Defaults of {@link VideoEncoderOptions}. */
export const VIDEO_ENCODER_DEFAULTS = { crf: 20, preset: 'veryfast', env: process.env as NodeJS.ProcessEnv };

/** A running encoder. */
export interface VideoEncoder {
  /** Sends one frame; resolves when ffmpeg has taken it (back-pressure). */
  write(image: RgbImage): Promise<void>;
  /** Ends the stream and waits for ffmpeg to finish the file. */
  close(): Promise<void>;
}

/**
 * Starts ffmpeg writing `file` (MP4, H.264, yuv420p; odd sizes padded by one pixel).
 * ffmpeg runs in its own process group, so a Ctrl-C in the terminal leaves it to prnet to
 * close the file properly.
 *
 * ```ts
 * const out = videoEncoder('overlay.mp4', { width: 640, height: 480, frameRate: '30' });
 * await out.write(frame);
 * await out.close();
 * ```
 */
export function videoEncoder(file: string, options: VideoEncoderOptions): VideoEncoder {
  const o = withDefaults(VIDEO_ENCODER_DEFAULTS, options);
  const args = ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-r', o.frameRate, '-i', 'pipe:0'];
  if (o.audioFrom) args.push(...(o.audioStart ? ['-ss', o.audioStart.toFixed(6)] : []), '-i', o.audioFrom, '-map', '0:v:0', '-map', '1:a:0?', '-c:a', 'aac', '-shortest');
  if (o.width % 2 || o.height % 2) args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2');
  args.push('-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', file);
  const child = spawn(ffmpegCommand('ffmpeg', o.env), args, { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-4000); });
  let failure: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (error) => {
      failure = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ffmpegMissing('ffmpeg') : error;
      resolve();
    });
    child.on('close', (code) => {
      if (code !== 0) failure ??= new Error(`${file}: ffmpeg could not encode the video (${stderr.trim().split('\n').pop() || `exit ${code}`})`);
      resolve();
    });
  });
  child.stdin.on('error', () => {}); // EPIPE when ffmpeg died: reported by close()
  const size = o.width * o.height * 3;
  return {
    async write(image) {
      if (failure) throw failure;
      if (image.width !== o.width || image.height !== o.height || image.data.length !== size) {
        throw new Error(`videoEncoder: frame is ${image.width}×${image.height}, the video ${o.width}×${o.height}`);
      }
      if (!child.stdin.write(image.data)) {
        await new Promise<void>((resolve) => {
          const done = () => { child.stdin.off('drain', done); child.off('close', done); resolve(); };
          child.stdin.on('drain', done);
          child.once('close', done);
        });
      }
      if (failure) throw failure;
    },
    async close() {
      child.stdin.end();
      await exited;
      if (failure) throw failure;
    },
  };
}
