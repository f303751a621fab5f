/**
 * Video decoding through an `ffmpeg` child process: raw RGB frames on its stdout, read one
 * frame at a time (no image files).
 */
import { spawn } from 'node:child_process';
import type { RgbImage } from '../../io/rgbImage.js';
import { ffmpegCommand, ffmpegMissing } from './ffmpegCommand.js';
import type { VideoInfo } from './probeVideo.js';
import { PIPE_HINT, type PipedVideo } from './pipedVideo.js';

/** Options of {@link decodeVideoFrames}. */
export interface DecodeVideoFramesOptions {
  /** Also copy the first audio stream into this file (Matroska), as the frames are decoded: a piped video's only chance. */
  audioTo?: string;
}

/**
 * Decodes the first video stream of `input` (a file, or a video piped in: {@link openPipedVideo}) into {@link RgbImage}s of `info.width` ×
 * `info.height` (from {@link probeVideo}), in order. Leaving the loop early stops ffmpeg.
 * A damaged file (cut short, corrupt packets) is decoded as far as ffmpeg can. With
 * `onWarning`, what ffmpeg reported goes there, once, at the end, also when it gave up
 * after some frames; without it, ffmpeg giving up is an error, as is a file with no frame.
 * ffmpeg runs in its own process group, so a Ctrl-C in the terminal reaches prnet only,
 * which then finishes its files.
 *
 * ```ts
 * const info = await probeVideo('clip.mp4');
 * for await (const frame of decodeVideoFrames('clip.mp4', info)) console.log(frame.width);
 * ```
 */
export async function* decodeVideoFrames(input: string | PipedVideo, info: Pick<VideoInfo, 'width' | 'height'>, env: NodeJS.ProcessEnv = process.env, onWarning?: (message: string) => void, options: DecodeVideoFramesOptions = {}): AsyncGenerator<RgbImage> {
  const piped = typeof input === 'string' ? undefined : input;
  const file = piped ? piped.name : (input as string);
  // A piped video reaches ffmpeg's stdin (its first bytes, then the rest as it comes);
  // -nostdin only stops ffmpeg reading keys from it.
  const args = ['-v', 'error', '-nostdin', '-i', piped ? 'pipe:0' : file, '-map', '0:v:0', '-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-vsync', 'passthrough', 'pipe:1'];
  // The audio, copied as it is into Matroska (which holds any codec), written as it comes.
  if (options.audioTo) args.push('-map', '0:a:0', '-vn', '-sn', '-c:a', 'copy', '-f', 'matroska', options.audioTo);
  const child = spawn(ffmpegCommand('ffmpeg', env), args, { stdio: [piped ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
  // Both are pipes (the stdio option above); its type cannot say so.
  const stdout = child.stdout!, stderrStream = child.stderr!;
  if (piped && child.stdin) {
    // ffmpeg stopped early (done, or killed) leaves the rest of the stream unread.
    child.stdin.on('error', () => {});
    child.stdin.write(piped.prefix);
    piped.rest.pipe(child.stdin);
  }
  let stderr = '';
  stderrStream.setEncoding('utf8');
  stderrStream.on('data', (s: string) => { stderr = (stderr + s).slice(-4000); });
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  const size = info.width * info.height * 3;
  let frame = new Uint8Array(size);
  let filled = 0;
  let finished = false;
  let yielded = 0;
  try {
    for await (const chunk of stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(size - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === size) {
          const image: RgbImage = { width: info.width, height: info.height, data: frame };
          frame = new Uint8Array(size);
          filled = 0;
          yielded++;
          yield image;
        }
      }
    }
    finished = true;
  } finally {
    if (piped && child.stdin) piped.rest.unpipe(child.stdin);
    if (!finished && child.exitCode === null) child.kill('SIGKILL');
  }
  const { code, error } = await exited;
  if (error) throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? ffmpegMissing('ffmpeg') : error;
  const reason = (ffmpegMessage(stderr) || `exit ${code}`).replace(/^pipe:0: /, '') + (piped && code !== 0 ? `; ${PIPE_HINT}` : '');
  if (code !== 0 && !(onWarning && yielded > 0)) throw new Error(`${file}: ffmpeg could not decode the video (${reason})`);
  if (code !== 0 || stderr.trim()) onWarning?.(`${file}: the video is damaged; ffmpeg decoded ${yielded} frame${yielded === 1 ? '' : 's'} (${reason})`);
}

/** ffmpeg's closing lines that say only that it stopped, not why. */
const FFMPEG_WRAP_UP = /^(Error marking filters as finished|Conversion failed!|Cannot determine format of input stream .* after EOF|Error while decoding stream .*)$/;

/** ffmpeg's last telling error line, without its `[demuxer @ 0x…]` prefix. */
function ffmpegMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').trim()).filter(Boolean);
  return lines.filter((l) => !FFMPEG_WRAP_UP.test(l)).pop() ?? lines.pop() ?? '';
}
