/**
 * What a video file holds, read with `ffprobe`: frame size (as decoded, rotation applied),
 * frame rate, frame count, audio.
 */
import { execFile } from 'node:child_process';
import { ffmpegCommand, ffmpegMissing } from './ffmpegCommand.js';

/** A video's first video stream, as {@link decodeVideoFrames} will deliver it. */
export interface VideoInfo {
  /** Frame width, pixels (after the rotation players apply). */
  width: number;
  /** Frame height, pixels. */
  height: number;
  /** Frame rate as ffmpeg writes it (`30000/1001`), for the encoder. */
  frameRate: string;
  /** Frames per second. */
  fps: number;
  /** Frames, from the container, else estimated from the duration; 0 when unknown. */
  frames: number;
  /** Seconds; 0 when unknown. */
  duration: number;
  /** Whether the file has an audio stream. */
  hasAudio: boolean;
}

/** Containers ffmpeg reads still images with: a photo is not a video. */
const IMAGE_FORMATS = /(^|,)(image2|\w+_pipe|gif|webp|apng)(,|$)/;

interface ProbeJson {
  streams?: Array<{
    codec_type?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; nb_frames?: string; duration?: string;
    tags?: Record<string, string>; side_data_list?: Array<{ rotation?: number }>;
  }>;
  format?: { format_name?: string; duration?: string };
}

function rate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d = '1'] = r.split('/');
  const v = Number(n) / Number(d);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** The first bytes of a video that arrives through a pipe, probed in place of a file. */
export interface VideoBytes {
  /** What messages call the input (`-` for standard input). */
  name: string;
  /** The bytes read so far. */
  bytes: Uint8Array;
}

/**
 * Probes a video file, or the first bytes of a piped video. Throws one line when ffprobe
 * is missing, the file does not exist, or it is not a video (no video stream, or a still
 * image).
 *
 * ```ts
 * const { width, height, fps, frames } = await probeVideo('clip.mp4');
 * ```
 */
export async function probeVideo(source: string | VideoBytes, env: NodeJS.ProcessEnv = process.env): Promise<VideoInfo> {
  const file = typeof source === 'string' ? source : source.name;
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', typeof source === 'string' ? source : 'pipe:0'];
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(ffmpegCommand('ffprobe', env), args, { maxBuffer: 16 << 20 }, (err, out, stderr) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(ffmpegMissing('ffprobe'));
      const why = String(stderr).trim().split('\n').pop()?.replace(`${file}: `, '').replace(/^pipe:0: /, '') || err.message;
      reject(new Error(`${file}: not a video (${why})`));
    });
    if (typeof source !== 'string') {
      // ffprobe stops reading once it knows enough: the rest of the bytes meet a closed pipe.
      child.stdin?.on('error', () => {});
      child.stdin?.end(source.bytes);
    }
  });
  const json = JSON.parse(stdout) as ProbeJson;
  const video = json.streams?.find((s) => s.codec_type === 'video' && s.width && s.height);
  if (!video) throw new Error(`${file}: not a video (no video stream)`);
  const formatName = json.format?.format_name ?? '';
  if (IMAGE_FORMATS.test(formatName) && !(Number(video.nb_frames) > 1)) throw new Error(`${file}: not a video (a still image; use prnet reconstruct for photos)`);
  const rotation = Number(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video.tags?.rotate ?? 0);
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const fpsAvg = rate(video.avg_frame_rate), fpsR = rate(video.r_frame_rate);
  const fps = fpsAvg || fpsR;
  if (!fps) throw new Error(`${file}: not a video (no frame rate)`);
  const frameRate = fpsAvg ? video.avg_frame_rate! : video.r_frame_rate!;
  const duration = Number(video.duration ?? json.format?.duration ?? 0) || 0;
  const frames = Number(video.nb_frames) || Math.round(duration * fps) || 0;
  return {
    width: quarter ? video.height! : video.width!,
    height: quarter ? video.width! : video.height!,
    frameRate,
    fps,
    frames,
    duration,
    hasAudio: Boolean(json.streams?.some((s) => s.codec_type === 'audio')),
  };
}
