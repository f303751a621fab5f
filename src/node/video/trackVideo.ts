/**
 * `prnet video`'s work, apart from the command line: decode a video with ffmpeg, track and
 * smooth its faces, write `faces.ndjson` and the overlay video.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { writeToStream } from '../files/writeToStream.js';
import path from 'node:path';
import type { RgbImage } from '../../io/rgbImage.js';
import { withDefaults } from '../../io/withDefaults.js';
import { encodeObj } from '../../io/obj.js';
import { encodePly } from '../../io/ply.js';
import { encodeAnimatedGlb, type AnimatedGlbFrame } from '../../io/encodeAnimatedGlb.js';
import { faceTracker, type FaceTrackerOptions, type FaceTrackerParts, type FaceTrackerStats, type PredictedFrame, type TrackedFrame } from '../../video/faceTracker.js';
import { frameRecord } from '../../video/frameRecord.js';
import { overlayFrame } from '../../video/overlayFrame.js';
import { probeVideo, type VideoInfo } from './probeVideo.js';
import { decodeVideoFrames } from './decodeVideoFrames.js';
import type { PipedVideo } from './pipedVideo.js';
import { videoEncoder, type VideoEncoder } from './videoEncoder.js';
import { addAudioTrack } from './addAudioTrack.js';
import { applyFaceTexture } from '../../apps/applyFaceTexture.js';
import { holdTemporaryFile } from '../files/stageFile.js';
import { alignFace, type AlignFaceOptions } from '../../face/alignFace.js';
import { alignedFaceSize } from '../../face/alignedFaceTransform.js';
import { cameraSpaceVertices } from '../../geometry/cameraSpaceVertices.js';
import { canonicalEyeCentres } from '../../uv/canonicalEyeCentres.js';

/** Options of {@link trackVideo}. */
export interface TrackVideoOptions {
  /** Tracker and smoothing options. */
  tracker?: FaceTrackerOptions;
  /** Write `overlay.mp4` (landmarks and pose boxes on the frames, same frame rate, audio copied). */
  overlay?: boolean;
  /** Write `faces.ndjson`. */
  json?: boolean;
  /**
   * Write `painted.mp4`: every frame with this UV texture painted onto every tracked face by
   * its alpha (`applyFaceTexture`, `blend: 'over'`): make-up, a tattoo or face paint that
   * follows the face. Same frame rate and sound as `overlay.mp4`.
   */
  paint?: { texture: RgbImage; alpha?: Uint8Array };
  /**
   * Write `aligned_<id>.mp4` per tracked face: the face aligned in every frame it is followed
   * (`alignFace`: ArcFace's 112×112 by default, or FFHQ's square), from its smoothed
   * landmarks, so the crop holds still as the face does; the sound of that stretch of a
   * video file goes with it. A face-video dataset (talking heads, recognition) in one pass.
   */
  aligned?: Partial<AlignFaceOptions>;
  /**
   * `meshes` in the space of each face's perspective camera (`face.camera`), metres, y up,
   * instead of the frame's pixels: an animated GLB replays the head's motion in front of a
   * three.js camera at the origin.
   */
  cameraSpace?: boolean;
  /**
   * Send the frame records (one JSON line each) to this stream instead of `faces.ndjson`
   * (`prnet video -o -`: standard output). A write the stream cannot take yet is awaited;
   * a stream that fails or closes (the reader went away) takes no more lines.
   */
  ndjsonTo?: NodeJS.WritableStream;
  /**
   * Also write the meshes into `meshes/`: `'obj'` / `'ply'` one file per frame per face
   * (`<frame, 6 digits>_<id>.obj`), `'glb'` one animated file per face (`face_<id>.glb`, the
   * frames as morph targets, see `encodeAnimatedGlb`; held in memory until the face is lost or
   * its file is full: 526 kB a frame).
   */
  meshes?: VideoMeshFormat;
  /**
   * GLB: the most frames in one file. A face followed longer continues in `face_<id>_part2.glb`,
   * `_part3`, … (keyframe times stay the video's), so memory and file size stay bounded: a
   * GLB cannot exceed 4 GiB, and every frame of a file is held until it is written.
   */
  glbFramesPerFile?: number;
  /**
   * GLB: positions and morph offsets as 16-bit integers (`KHR_mesh_quantization`, about two
   * thirds of the file; `encodeAnimatedGlb`'s `quantize`). `false` writes float32, for a viewer
   * without that extension.
   */
  glbQuantize?: boolean;
  /** Stops after the current frame and finishes the files (Ctrl-C). */
  signal?: AbortSignal;
  /** Called once the video is probed, before the first frame. */
  onStart?: (info: VideoInfo) => void;
  /** Called after each frame. */
  onFrame?: (index: number, frame: TrackedFrame, image: RgbImage) => void;
  /** Environment to find ffmpeg in. */
  env?: NodeJS.ProcessEnv;
}

/** Mesh formats of {@link TrackVideoOptions.meshes}. */
export type VideoMeshFormat = 'obj' | 'ply' | 'glb';

/** The formats, as `--help` lists them. */
export const VIDEO_MESH_FORMATS: readonly VideoMeshFormat[] = ['obj', 'ply', 'glb'];

/** GLB frames per file by default: 30 s at 30 fps, about 320 MB (351 kB a frame, 16-bit; 470 MB in float32). */
export const VIDEO_GLB_FRAMES_PER_FILE = 900;

/** Defaults of {@link TrackVideoOptions}. */
export const TRACK_VIDEO_DEFAULTS = { overlay: true, json: true, glbFramesPerFile: VIDEO_GLB_FRAMES_PER_FILE, glbQuantize: true };

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
  /** What went wrong without stopping the work: a damaged file, fewer frames than it announced. */
  warnings: string[];
}

/**
 * Tracks the faces of a video into `outDir` (`faces.ndjson`, `overlay.mp4`, optionally `meshes/`,
 * `painted.mp4`, `aligned_<id>.mp4`).
 *
 * ```ts
 * const summary = await trackVideo('clip.mp4', 'out', { model, assets, detector }, { tracker: { smooth: true } });
 * console.log(summary.frames / summary.seconds, 'fps');
 * ```
 */
export async function trackVideo(input: string | PipedVideo, outDir: string, parts: FaceTrackerParts, options: TrackVideoOptions = {}): Promise<TrackVideoSummary> {
  const o = withDefaults(TRACK_VIDEO_DEFAULTS, options);
  // Checked before any file is opened, not at the first face.
  const alignedSize = o.aligned ? alignedFaceSize(o.aligned) : 0;
  const name = typeof input === 'string' ? input : input.name;
  const info = typeof input === 'string' ? await probeVideo(input, o.env) : input.info;
  const toFiles = (o.json && !o.ndjsonTo) || o.overlay || o.meshes || o.paint || o.aligned;
  if (toFiles) await mkdir(outDir, { recursive: true });
  o.onStart?.(info);
  const files: string[] = [];
  const meshDir = path.join(outDir, 'meshes');
  if (o.meshes) {
    if (!VIDEO_MESH_FORMATS.includes(o.meshes)) throw new Error(`unknown mesh format '${String(o.meshes)}' (choose from ${VIDEO_MESH_FORMATS.join(', ')})`);
    await mkdir(meshDir, { recursive: true });
  }
  const jsonPath = path.join(outDir, 'faces.ndjson');
  // One synchronous write per frame: the file always ends at a whole line, also when a
  // second Ctrl-C exits the process at once (a stream's buffered lines would be lost mid-line).
  let json: number | undefined;
  if (o.json && !o.ndjsonTo) {
    try {
      json = openSync(jsonPath, 'w');
    } catch (err) {
      throw new Error(`could not write ${jsonPath}: ${(err as Error).message}`);
    }
    files.push(jsonPath);
  }
  let encoder: VideoEncoder | undefined;
  const overlayPath = path.join(outDir, 'overlay.mp4');
  // A piped video is read once, by the decoder: it sets the audio aside as it goes, and
  // the audio joins each video written once the frames are done (a file's is copied at once).
  const pipedAudio = (o.overlay || o.paint || o.aligned) && info.hasAudio && typeof input !== 'string' ? path.join(outDir, `.overlay-audio.${process.pid}.tmp.mka`) : undefined;
  /** The videos that get the piped audio afterwards, with where their sound starts (seconds). */
  const needAudio = new Map<string, number>();
  const releaseAudio = pipedAudio ? holdTemporaryFile(pipedAudio) : undefined;
  const encoderFor = (file: string): VideoEncoder => videoEncoder(file, { width: info.width, height: info.height, frameRate: info.frameRate, audioFrom: info.hasAudio && typeof input === 'string' ? input : undefined, env: o.env });
  if (o.overlay) {
    encoder = encoderFor(overlayPath);
    files.push(overlayPath);
    needAudio.set(overlayPath, 0);
  }
  const paintedPath = path.join(outDir, 'painted.mp4');
  let painter: VideoEncoder | undefined;
  if (o.paint) {
    if (o.paint.texture.width !== parts.assets.uvSize || o.paint.texture.height !== parts.assets.uvSize) throw new Error(`paint: a UV texture is ${parts.assets.uvSize}×${parts.assets.uvSize}, got ${o.paint.texture.width}×${o.paint.texture.height}`);
    painter = encoderFor(paintedPath);
    files.push(paintedPath);
    needAudio.set(paintedPath, 0);
  }
  const warnings: string[] = [];
  /** Aligned clips: one encoder per face id while the face is followed. */
  const alignedClips = new Map<number, VideoEncoder>();
  const unaligned = new Set<number>();
  const { triangles } = parts.assets;
  // Camera-space meshes are y up and in metres already: no flip, no pixel scale.
  const meshFrame = o.cameraSpace ? { scale: 1 } : { imageHeight: info.height };
  const meshVertices = (face: TrackedFrame['faces'][number]): Float32Array => {
    if (!o.cameraSpace) return face.vertices;
    if (!(face.pose && face.camera)) throw new Error(`face ${face.id} has no perspective pose to place its mesh in camera space`);
    return cameraSpaceVertices(face.vertices, face.pose, face.camera, canonicalEyeCentres(parts.assets));
  };
  if (!(Number.isInteger(o.glbFramesPerFile) && o.glbFramesPerFile >= 1)) throw new Error(`glbFramesPerFile must be an integer ≥ 1, got ${o.glbFramesPerFile}`);
  /** GLB: each face's frames not yet written, by id, and the number of its next file. */
  const animated = new Map<number, { frames: AnimatedGlbFrame[]; part: number }>();
  /** Writes a face's frames held so far as its next GLB file. */
  const writeGlb = async (id: number): Promise<void> => {
    const face = animated.get(id)!;
    const name = `face_${id}${face.part > 1 ? `_part${face.part}` : ''}`;
    const file = path.join(meshDir, `${name}.glb`);
    await writeFileAtomic(file, await encodeAnimatedGlb(face.frames, triangles, { ...meshFrame, name, quantize: o.glbQuantize }));
    files.push(file);
    face.frames = [];
    face.part++;
  };
  const tracker = faceTracker(parts, o.tracker);
  const start = performance.now();
  let frames = 0;
  let interrupted = false;
  /** Writes one frame's outputs: its faces are built here, on the main thread. */
  const emit = async (index: number, predicted: PredictedFrame): Promise<void> => {
    const tracked = tracker.finish(predicted);
    // One line, to faces.ndjson or to the stream (never both).
    const line = json !== undefined || o.ndjsonTo ? `${JSON.stringify(frameRecord(index, tracked))}\n` : '';
    if (json !== undefined) writeLine(json, jsonPath, line);
    if (o.ndjsonTo) await writeToStream(o.ndjsonTo, line);
    if (encoder) await encoder.write(overlayFrame(predicted.image, tracked.faces));
    if (painter) {
      let painted = predicted.image;
      for (const face of tracked.faces) painted = applyFaceTexture(painted, face, o.paint!.texture, parts.assets, { blend: 'over', alpha: o.paint!.alpha }).image;
      await painter.write(painted);
    }
    if (o.aligned) {
      for (const face of tracked.faces) {
        let clip = alignedClips.get(face.id);
        if (!clip) {
          const file = path.join(outDir, `aligned_${face.id}.mp4`);
          clip = videoEncoder(file, {
            width: alignedSize, height: alignedSize, frameRate: info.frameRate,
            ...(info.hasAudio && typeof input === 'string' ? { audioFrom: input, audioStart: index / info.fps } : {}), env: o.env,
          });
          alignedClips.set(face.id, clip);
          files.push(file);
          needAudio.set(file, index / info.fps);
        }
        let picture;
        try {
          picture = alignFace(predicted.image, face.landmarks, { ...o.aligned, size: alignedSize }).image;
        } catch (err) {
          // A collapsed prediction has nothing to align: its frame is left out of the clip.
          if (!unaligned.has(face.id)) warnings.push(`face ${face.id}, frame ${index}: ${(err as Error).message} (left out of aligned_${face.id}.mp4)`);
          unaligned.add(face.id);
          continue;
        }
        await clip.write(picture);
      }
      // A lost face never comes back under its id: its clip ends here.
      const present = new Set(tracked.faces.map((f) => f.id));
      for (const [id, clip] of [...alignedClips]) {
        if (present.has(id)) continue;
        alignedClips.delete(id);
        await clip.close();
      }
    }
    for (const face of o.meshes ? tracked.faces : []) {
      const base = path.join(meshDir, `${String(index).padStart(6, '0')}_${face.id}`);
      const vertices = meshVertices(face);
      const frame = o.cameraSpace ? {} : { imageHeight: info.height };
      if (o.meshes === 'obj') await writeFileAtomic(`${base}.obj`, encodeObj({ vertices, triangles }, frame).obj);
      else if (o.meshes === 'ply') await writeFileAtomic(`${base}.ply`, encodePly({ vertices, triangles }, frame));
      else {
        const held = animated.get(face.id) ?? { frames: [], part: 1 };
        animated.set(face.id, held);
        held.frames.push({ time: tracked.time, vertices });
        if (held.frames.length >= o.glbFramesPerFile) await writeGlb(face.id);
      }
    }
    if (o.meshes === 'glb') {
      // A lost face never comes back under its id (a found face gets a new one): write it now.
      const present = new Set(tracked.faces.map((f) => f.id));
      for (const id of [...animated.keys()]) {
        if (present.has(id)) continue;
        if (animated.get(id)!.frames.length > 0) await writeGlb(id);
        animated.delete(id);
      }
    }
    o.onFrame?.(index, tracked, predicted.image);
  };
  /** The frame predicted last, not yet written. */
  let pending: { index: number; frame: PredictedFrame } | undefined;
  const emitPending = async (): Promise<void> => {
    const p = pending;
    pending = undefined;
    if (p) await emit(p.index, p.frame);
  };
  try {
    try {
      try {
        for await (const image of decodeVideoFrames(input, info, o.env, (w) => warnings.push(w), { audioTo: pipedAudio })) {
          if (o.signal?.aborted) {
            interrupted = true;
            break;
          }
          // Frame k + 1's network starts (its crops need only frame k's raw landmarks), and
          // frame k's faces are built and written while it runs.
          const next = tracker.predict(image, frames / info.fps);
          next.catch(() => {}); // awaited below; no unhandled rejection meanwhile
          await emitPending();
          pending = { index: frames, frame: await next };
          frames++;
        }
      } finally {
        // The last frame predicted is written whatever ended the loop: the end, Ctrl-C, a broken file.
        await emitPending();
      }
    } finally {
      // Close the files whatever happened, so what was written stays readable.
      const closing: Promise<unknown>[] = [];
      if (json !== undefined) closing.push(new Promise<void>((resolve) => { closeSync(json!); resolve(); }));
      if (encoder) closing.push(encoder.close());
      if (painter) closing.push(painter.close());
      for (const clip of alignedClips.values()) closing.push(clip.close());
      const results = await Promise.allSettled(closing);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    for (const [file, start] of pipedAudio && frames > 0 ? needAudio : []) {
      try {
        await addAudioTrack(file, pipedAudio!, { start, env: o.env });
      } catch (err) {
        warnings.push(`${name}: ${path.basename(file)} has no sound: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    // Not one frame: remove the empty files rather than leave them looking like results.
    if (frames === 0) await Promise.all(files.map((f) => rm(f, { force: true })));
    throw err;
  } finally {
    if (pipedAudio) {
      await rm(pipedAudio, { force: true });
      releaseAudio!();
    }
  }
  // Animated meshes once all frames are in (also after Ctrl-C: the frames done).
  for (const [id, face] of animated) if (face.frames.length > 0) await writeGlb(id);

  if (o.meshes === 'obj' || o.meshes === 'ply') files.push(meshDir);
  if (o.signal?.aborted) interrupted = true;
  // The container's frame count is exact for MP4 and MOV, an estimate from the duration for
  // some other formats: only a clear shortfall is reported.
  if (!interrupted && frames < info.frames - Math.max(2, 0.02 * info.frames)) {
    warnings.push(`${name}: the video ended after ${frames} of the ${info.frames} frames it announces (cut short?)`);
  }
  return { info, frames, seconds: (performance.now() - start) / 1000, stats: tracker.stats(), interrupted, files, warnings };
}

/** Writes all of `line` at the end of the open file `fd` (a write may take only part of it). */
function writeLine(fd: number, file: string, line: string): void {
  const bytes = Buffer.from(line, 'utf8');
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch (err) {
    throw new Error(`could not write ${file}: ${(err as Error).message}`);
  }
}
