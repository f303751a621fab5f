/**
 * `prnet video`'s work, apart from the command line: decode a video with ffmpeg, track and
 * smooth its faces, write `faces.ndjson` and the overlay video.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RgbImage } from '../io/rgbImage.js';
import { withDefaults } from '../io/withDefaults.js';
import { faceTracker, type FaceTrackerOptions, type FaceTrackerParts, type FaceTrackerStats, type TrackedFrame } from '../video/faceTracker.js';
import { frameRecord } from '../video/frameRecord.js';
import { overlayFrame } from '../video/overlayFrame.js';
import { probeVideo, type VideoInfo } from './probeVideo.js';
import { decodeVideoFrames } from './decodeVideoFrames.js';
import { videoEncoder, type VideoEncoder } from './videoEncoder.js';

/** Options of {@link trackVideo}. */
export interface TrackVideoOptions {
  /** Tracker and smoothing options. */
  tracker?: FaceTrackerOptions;
  /** Write `overlay.mp4` (landmarks and pose boxes on the frames, same frame rate, audio copied). */
  overlay?: boolean;
  /** Write `faces.ndjson`. */
  json?: boolean;
  /** Stops after the current frame and finishes the files (Ctrl-C). */
  signal?: AbortSignal;
  /** Called once the video is probed, before the first frame. */
  onStart?: (info: VideoInfo) => void;
  /** Called after each frame. */
  onFrame?: (index: number, frame: TrackedFrame, image: RgbImage) => void;
  /** Environment to find ffmpeg in. */
  env?: NodeJS.ProcessEnv;
}

/** Defaults of {@link TrackVideoOptions}. */
export const TRACK_VIDEO_DEFAULTS = { overlay: true, json: true };

/** What {@link trackVideo} did. */
export interface TrackVideoSummary {
  /** The probed input. */
  info: VideoInfo;
  /** Frames processed. */
  frames: number;
  /** Seconds from the first frame decoded to the files closed. */
  seconds: number;
  /** The tracker's counts. */
  stats: FaceTrackerStats;
  /** Whether `signal` stopped it early. */
  interrupted: boolean;
  /** Files written. */
  files: string[];
}

/**
 * Tracks the faces of a video into `outDir` (`faces.ndjson`, `overlay.mp4`).
 *
 * ```ts
 * const summary = await trackVideo('clip.mp4', 'out', { model, assets, detector }, { tracker: { smooth: true } });
 * console.log(summary.frames / summary.seconds, 'fps');
 * ```
 */
export async function trackVideo(input: string, outDir: string, parts: FaceTrackerParts, options: TrackVideoOptions = {}): Promise<TrackVideoSummary> {
  const o = withDefaults(TRACK_VIDEO_DEFAULTS, options);
  const info = await probeVideo(input, o.env);
  await mkdir(outDir, { recursive: true });
  o.onStart?.(info);
  const files: string[] = [];
  const jsonPath = path.join(outDir, 'faces.ndjson');
  const json = o.json ? createWriteStream(jsonPath) : undefined;
  if (json) files.push(jsonPath);
  const jsonFailed = json && new Promise<never>((_, reject) => json.on('error', (err) => reject(new Error(`${jsonPath}: ${err.message}`))));
  jsonFailed?.catch(() => {});
  let encoder: VideoEncoder | undefined;
  if (o.overlay) {
    const overlayPath = path.join(outDir, 'overlay.mp4');
    encoder = videoEncoder(overlayPath, { width: info.width, height: info.height, frameRate: info.frameRate, audioFrom: info.hasAudio ? input : undefined, env: o.env });
    files.push(overlayPath);
  }
  const tracker = faceTracker(parts, o.tracker);
  const start = performance.now();
  let frames = 0;
  let interrupted = false;
  try {
    for await (const image of decodeVideoFrames(input, info, o.env)) {
      if (o.signal?.aborted) {
        interrupted = true;
        break;
      }
      const tracked = await tracker.track(image, frames / info.fps);
      if (json && !json.write(`${JSON.stringify(frameRecord(frames, tracked))}\n`)) {
        await Promise.race([new Promise<void>((resolve) => json.once('drain', () => resolve())), jsonFailed]);
      }
      if (encoder) await encoder.write(overlayFrame(image, tracked.faces));
      o.onFrame?.(frames, tracked, image);
      frames++;
    }
  } finally {
    // Close the files whatever happened, so what was written stays readable.
    const closing: Promise<unknown>[] = [];
    if (json) closing.push(new Promise<void>((resolve) => json.end(resolve)));
    if (encoder) closing.push(encoder.close());
    const results = await Promise.allSettled(closing);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  if (o.signal?.aborted) interrupted = true;
  return { info, frames, seconds: (performance.now() - start) / 1000, stats: tracker.stats(), interrupted, files };
}
