/**
 * A video that arrives through a pipe (`prnet video -`): ffprobe reads its first bytes to
 * learn the frame size and rate, then ffmpeg decodes those bytes and the rest of the
 * stream as it arrives. Nothing is spooled to disk, so a live stream (a webcam through
 * ffmpeg, a network feed) is tracked while it plays.
 *
 * A pipe cannot seek: an MP4 whose index (`moov`) sits at its end cannot be read from one.
 * Streaming containers (Matroska/WebM, NUT, MPEG-TS) and MP4s written with
 * `-movflags +faststart` can.
 */
import type { Readable } from 'node:stream';
import { withDefaults } from '../../io/withDefaults.js';
import { probeVideo, type VideoInfo } from './probeVideo.js';

/** A piped video, probed and ready to decode (see {@link decodeVideoFrames}). */
export interface PipedVideo {
  /** What messages call the input (`-` for standard input). */
  name: string;
  /** What ffprobe found in the first bytes; `frames` and `duration` are 0 (unknown) unless the stream ended within them. */
  info: VideoInfo;
  /** The bytes read to probe it: the start of the video. */
  prefix: Uint8Array;
  /** The stream, paused after `prefix`: the rest of the video. */
  rest: Readable;
}

/** Options of {@link openPipedVideo}. */
export interface OpenPipedVideoOptions {
  /** What messages call the input. */
  name: string;
  /** Bytes read before the first probe; four times more on each failed probe. */
  probeBytes: number;
  /** Bytes read at the most before giving up: the stream is then not a video ffprobe can read from a pipe. */
  maxProbeBytes: number;
  /** Environment (`PRNET_FFPROBE`). */
  env: NodeJS.ProcessEnv;
}

/**
 * A live stream waits for `probeBytes` before tracking starts: a webcam at a low bit rate
 * takes seconds to send 256 KiB, so the first probe takes 16 KiB (Matroska's and NUT's
 * headers and a first key frame) and each failure four times more; 64 MiB bounds what
 * waits in memory.
 */
export const OPEN_PIPED_VIDEO_DEFAULTS: OpenPipedVideoOptions = { name: '-', probeBytes: 16 << 10, maxProbeBytes: 64 << 20, env: process.env };

/** What to do about a stream ffprobe or ffmpeg could not read from a pipe. */
export const PIPE_HINT = 'from a pipe, send a streaming format (ffmpeg … -f matroska -, -f nut -, -f mpegts -) or an MP4 written with -movflags +faststart';

/**
 * Reads the start of a piped video and probes it. Throws one line when ffprobe is missing,
 * the stream is empty, or no video can be found in its first `maxProbeBytes`.
 *
 * ```ts
 * const video = await openPipedVideo(process.stdin);
 * for await (const frame of decodeVideoFrames(video, video.info)) console.log(frame.width);
 * ```
 */
export async function openPipedVideo(stream: Readable, options: Partial<OpenPipedVideoOptions> = {}): Promise<PipedVideo> {
  const o = withDefaults(OPEN_PIPED_VIDEO_DEFAULTS, options);
  const chunks: Buffer[] = [];
  let have = 0;
  let want = Math.min(o.probeBytes, o.maxProbeBytes);
  for (;;) {
    const read = await readUpTo(stream, want, chunks, have);
    have = read.have;
    if (have === 0) throw new Error(`${o.name}: not a video (nothing was piped in)`);
    const prefix = Buffer.concat(chunks, have);
    try {
      const info = await probeVideo({ name: o.name, bytes: prefix }, o.env);
      // Counts probed from the first bytes are guesses; a stream that ended within them is whole.
      return { name: o.name, info: read.ended ? info : { ...info, frames: 0, duration: 0 }, prefix, rest: stream };
    } catch (err) {
      const message = (err as Error).message;
      if (!message.startsWith(`${o.name}: not a video`)) throw err; // ffprobe missing
      if (read.ended || want >= o.maxProbeBytes) {
        const stillImage = message.includes('a still image');
        throw new Error(stillImage ? message : `${message.replace(/\)$/, '')}; ${PIPE_HINT}${read.ended ? '' : `; read ${have} bytes`})`);
      }
      want = Math.min(want * 4, o.maxProbeBytes);
    }
  }
}

/** Reads from a paused stream until `chunks` hold `want` bytes or the stream ends; the rest stays unread. */
function readUpTo(stream: Readable, want: number, chunks: Buffer[], have: number): Promise<{ have: number; ended: boolean }> {
  if (stream.readableEnded) return Promise.resolve({ have, ended: true });
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      for (;;) {
        const chunk = stream.read(Math.min(want - have, stream.readableLength) || undefined) as Buffer | string | null;
        if (chunk === null) return;
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(b);
        have += b.length;
        if (have >= want) {
          cleanup();
          resolve({ have, ended: false });
          return;
        }
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ have, ended: true });
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new Error(`could not read the piped video: ${err.message}`));
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
