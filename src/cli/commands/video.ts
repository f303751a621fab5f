/**
 * `prnet video <input> -o <dir>`: track the faces of a video (landmarks, pose, stable ids,
 * smoothed over time) into `faces.ndjson` and an overlay video.
 * Exit status: 0 written, 1 the input failed (not a video, undecodable), 2 usage or setup
 * error (ffmpeg or the model missing), 130 interrupted (the files hold the frames done).
 */
import { MAP_SMOOTHING } from '../../reconstruct/facePipeline.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { fovDegrees, inRange, int, positive } from '../optionParsers.js';
import { PERSPECTIVE_POSE_DEFAULTS } from '../../geometry/perspectivePose.js';
import { resolveModelSource } from '../../node/inference/prnet.js';
import { loadWorkerModel } from '../../node/inference/networkWorker.js';
import { loadUvAssets } from '../../node/inference/uvAssets.js';
import { loadDetector } from '../../node/inference/detector.js';
import { probeVideo } from '../../node/video/probeVideo.js';
import { openPipedVideo, type PipedVideo } from '../../node/video/pipedVideo.js';
import { STDIN_ARG, STDOUT_ARG } from '../readStdin.js';
import { stopOnSignals } from '../stopOnSignals.js';
import { ensureOutputFolder } from '../ensureOutputFolder.js';
import { UPRIGHT_MIN_DETECTED_ROLL } from '../../face/faceRoll.js';
import { trackVideo, TRACK_VIDEO_DEFAULTS, VIDEO_MESH_FORMATS, type VideoMeshFormat } from '../../node/video/trackVideo.js';
import { assertPrnetModel } from '../../model/assertPrnetModel.js';
import { FACE_TRACKER_DEFAULTS } from '../../video/faceTracker.js';
import { ONE_EURO_FILTER_DEFAULTS } from '../../video/oneEuroFilter.js';
import { createVideoProgress } from '../videoProgress.js';
import { readUvTexture, type UvTextureFile } from '../../node/inference/readUvTexture.js';
import { POSITION_MAP_SIZE } from '../../model/resfcn.js';
import { alignCliOptions, alignFromOptions, type AlignCliOptions } from '../alignOptions.js';
import { EXIT_INPUT, EXIT_USAGE, EXIT_INTERRUPTED } from '../exitCodes.js';

interface VideoOptions {
  output: string; smooth: boolean; sceneCuts: boolean; overlay: boolean; meshes?: VideoMeshFormat; glbFramesPerFile: number; glbQuantize: boolean; maxFaces: number; detectEvery: number; uprightMinRoll: number; mapSmoothing?: number; minCutoff: number; beta: number;
  model?: string; dataDir?: string; threads?: number; force?: boolean; quiet?: boolean; paint?: string; aligned?: boolean; align: AlignCliOptions['align']; alignSize?: number; fov?: number; cameraSpace?: boolean;
}

export function register(program: Command): void {
  const [alignOption, alignSizeOption] = alignCliOptions();
  program
    .command('video')
    .description('track the faces of a video: faces.ndjson (per frame: face id, box, 68 landmarks, pose) and overlay.mp4, smoothed over time')
    .argument('<input>', 'video file (anything ffmpeg reads), or - for a video piped into standard input (a streaming format: matroska, nut, mpegts; tracked as it arrives)')
    .requiredOption('-o, --output <dir>', 'output folder (created), or - for the frame records on standard output (one JSON line per frame, as faces.ndjson; no other files)')
    .option('--no-smooth', 'raw per-frame results: no temporal smoothing')
    .option('--no-scene-cuts', 'follow faces across cuts and cross-dissolves (by default a new shot drops every face and runs the detector)')
    .option('--no-overlay', 'write faces.ndjson only (faster)')
    .option('--paint <texture.png>', 'also write painted.mp4: every frame with this UV texture painted onto each tracked face by its alpha (make-up, a tattoo, face paint that follows the face): a 256×256 PNG in the layout of prnet reconstruct --outputs texture, transparent where the face stays as it is')
    .option('--aligned', 'also write aligned_<id>.mp4 per tracked face: the face aligned in every frame it is followed (--align arcface: 112×112 for face recognition; ffhq: FFHQ\'s square for face datasets; --align-size), from its smoothed landmarks, with the sound of that stretch of the video')
    .addOption(alignOption)
    .addOption(alignSizeOption)
    .option('--fov <degrees>', `the camera's vertical field of view, for each face's perspective pose ("camera" in faces.ndjson: a 4×4 face → camera matrix in metres, three.js conventions; default ${PERSPECTIVE_POSE_DEFAULTS.fovY})`, fovDegrees('--fov'))
    .option('--camera-space', '--meshes in the space of each face\'s perspective camera (see --fov), in metres, y up: an animated GLB replays the head\'s motion in front of a three.js camera at the origin')
    .option('--meshes <format>', `also write the meshes into <dir>/meshes/: obj or ply, one file per frame per face (<frame>_<id>.obj); glb, one animated file per face (face_<id>.glb, frames as 16-bit morph targets, about 350 kB a frame)`, (v) => {
      if (!(VIDEO_MESH_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--meshes must be one of ${VIDEO_MESH_FORMATS.join(', ')}, got "${v}"`);
      return v as VideoMeshFormat;
    })
    .option('--glb-frames-per-file <n>', `--meshes glb: the most frames in one file; a face followed longer continues in face_<id>_part2.glb, … (each file's frames are held in memory until it is written, 526 kB a frame)`, int('--glb-frames-per-file', 1), TRACK_VIDEO_DEFAULTS.glbFramesPerFile)
    .option('--no-glb-quantize', '--meshes glb: float32 positions (1.5× the size) for a viewer without KHR_mesh_quantization')
    .option('--max-faces <n>', 'most faces tracked at once', int('--max-faces', 1), FACE_TRACKER_DEFAULTS.maxFaces)
    .option('--detect-every <n>', 'run the face detector every n frames to find new faces (0: only at the start and after a loss)', int('--detect-every', 0), FACE_TRACKER_DEFAULTS.detectEvery)
    .option('--upright-min-roll <degrees>', `a face whose last frame shows it rolled more than this is cropped turned with it (a new face: past ${UPRIGHT_MIN_DETECTED_ROLL}° by the detector's keypoints); 180 = never: axis-aligned crops`, inRange('--upright-min-roll', 0, 180), FACE_TRACKER_DEFAULTS.uprightMinRoll)
    .option('--map-smoothing <texels>', `Gaussian blur of each frame's position map, σ in texels (0 = none; default ${MAP_SMOOTHING} with --meshes or --paint, whose meshes it smooths, else ${FACE_TRACKER_DEFAULTS.mapSmoothing}: the landmarks do not gain from it)`, inRange('--map-smoothing', 0, 8))
    .option('--min-cutoff <hz>', 'smoothing: One Euro cut-off at rest, Hz (lower: steadier, more lag)', positive('--min-cutoff'), ONE_EURO_FILTER_DEFAULTS.minCutoff)
    .option('--beta <b>', 'smoothing: how fast the cut-off rises with speed (higher: less lag in motion)', (v) => {
      const n = Number(v);
      if (!(n >= 0 && Number.isFinite(n))) throw new InvalidArgumentError(`--beta must be a number ≥ 0, got "${v}"`);
      return n;
    }, ONE_EURO_FILTER_DEFAULTS.beta)
    .option('--model <onnx>', 'position-map model (default: the configured model)')
    .option('--data-dir <dir>', 'folder with the official PRNet uv-data files (default: $PRNET_DATA, else the copy shipped in the package)')
    .option('--threads <n>', 'ONNX Runtime threads (0: one per core)', int('--threads', 0))
    .option('--force', 'run a model that has no prnet metadata (refused otherwise)')
    .option('-q, --quiet', 'no progress display')
    .addHelpText('after', `
Needs ffmpeg (Debian/Ubuntu: apt-get install ffmpeg). Frames go through pipes; no image files are written.
Ctrl-C stops after the current frame and finishes the files (exit 130).
Exit status: 0 written, 1 the input is not a video or cannot be decoded, 2 usage or setup error (ffmpeg, model), 130 interrupted.`)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (input: string, opts: VideoOptions) => {
      const fail = (message: string, code: number): never => {
        process.stderr.write(`prnet: ${message}\n`);
        process.exit(code);
      };
      // -o -: the frame records on standard output, one line each, and no files.
      const toStdout = opts.output === STDOUT_ARG;
      if (toStdout && opts.meshes) fail('--meshes writes files: give -o an output folder, not -', EXIT_USAGE);
      if (toStdout && opts.paint) fail('--paint writes painted.mp4: give -o an output folder, not -', EXIT_USAGE);
      if (opts.cameraSpace && !opts.meshes) fail('--camera-space places the meshes: give --meshes too', EXIT_USAGE);
      if (toStdout && opts.aligned) fail('--aligned writes aligned_<id>.mp4: give -o an output folder, not -', EXIT_USAGE);
      // The texture before the video and the model: a wrong file is the quickest mistake to report.
      let paint: UvTextureFile | undefined;
      if (opts.paint) paint = await readUvTexture(opts.paint, POSITION_MAP_SIZE).catch((err: Error) => fail(err.message, EXIT_USAGE));
      const outInfo = toStdout ? undefined : await stat(opts.output).catch(() => undefined);
      if (outInfo && !outInfo.isDirectory()) fail(`${opts.output}: exists and is not a folder (-o names the output folder)`, EXIT_USAGE);
      // The input first (cheap, and the commonest mistake), then the model.
      let info;
      let video: string | PipedVideo = input;
      try {
        if (input === STDIN_ARG) {
          if (process.stdin.isTTY) fail('standard input is a terminal: pipe a video in (… | prnet video - -o out/)', EXIT_USAGE);
          video = await openPipedVideo(process.stdin, { name: STDIN_ARG });
          info = video.info;
        } else info = await probeVideo(input);
      } catch (err) {
        const message = (err as Error).message;
        fail(message, /not found: prnet video needs ffmpeg/.test(message) ? EXIT_USAGE : EXIT_INPUT);
      }
      let parts;
      try {
        const source = await resolveModelSource(opts.model);
        // In a worker thread: frame k's faces are built on the main thread while frame k + 1's network runs.
        const model = await loadWorkerModel(source, { threads: opts.threads ?? 0 });
        if (!opts.force) assertPrnetModel(model.metadata, typeof source === 'string' ? source : 'the model');
        const assets = await loadUvAssets({ dataDir: opts.dataDir });
        const detector = await loadDetector({ maxFaces: opts.maxFaces });
        parts = { model, assets, detector };
      } catch (err) {
        fail((err as Error).message, EXIT_USAGE);
      }
      // Before any frame: a folder that cannot be created or written is a setup error.
      if (!toStdout) await ensureOutputFolder(opts.output).catch((err: Error) => fail(err.message, EXIT_USAGE));
      // A second signal: mesh files are written atomically, none is left half-written or as a
      // temporary file; faces.ndjson gets one synchronous write per frame, so it ends at a whole
      // line; ffmpeg, in its own process group, reads the end of its input when this process
      // exits and finishes overlay.mp4 with the frames it was sent. The reader of standard
      // output going away stops after this frame, as Ctrl-C, but exits 0.
      const stop = stopOnSignals({
        stopping: 'finishing the files…',
        stopped: 'stopped at once (faces.ndjson holds whole lines; ffmpeg finishes overlay.mp4 with the frames it has)',
        watchStdout: toStdout,
      });
      const progress = opts.quiet ? undefined : createVideoProgress({ total: info!.frames, stream: process.stderr });
      const ids = new Set<number>();
      let summary;
      let failure: Error | undefined;
      try {
        summary = await trackVideo(video, toStdout ? process.cwd() : path.resolve(opts.output), parts!, {
          overlay: opts.overlay && !toStdout,
          ...(toStdout ? { ndjsonTo: process.stdout } : {}),
          meshes: opts.meshes,
          ...(paint ? { paint } : {}),
          ...(opts.aligned ? { aligned: alignFromOptions(opts) } : {}),
          cameraSpace: Boolean(opts.cameraSpace),
          glbFramesPerFile: opts.glbFramesPerFile,
          glbQuantize: opts.glbQuantize,
          signal: stop.signal,
          tracker: {
            maxFaces: opts.maxFaces,
            detectEvery: opts.detectEvery,
            uprightMinRoll: opts.uprightMinRoll,
            mapSmoothing: opts.mapSmoothing ?? (opts.meshes || paint ? MAP_SMOOTHING : FACE_TRACKER_DEFAULTS.mapSmoothing),
            ...(opts.fov !== undefined ? { outputs: { cameraFovY: opts.fov } } : {}),
            smooth: opts.smooth,
            ...(opts.sceneCuts ? {} : { sceneCut: false as const }),
            filter: { minCutoff: opts.minCutoff, beta: opts.beta },
          },
          onFrame: (_, frame) => {
            for (const f of frame.faces) ids.add(f.id);
            progress?.tick(frame.faces.length);
          },
        });
      } catch (err) {
        failure = err as Error;
      } finally {
        // After the network run in flight, if any (a frame ahead of the one that failed).
        await parts!.model.dispose();
        parts!.detector.dispose();
      }
      progress?.stop();
      if (failure) fail(failure.message, EXIT_INPUT);
      stop.dispose();
      const s = summary!;
      for (const warning of s.warnings) process.stderr.write(`prnet: warning: ${warning}\n`);
      const fps = s.frames / Math.max(1e-3, s.seconds);
      const where = [...(toStdout ? ['standard output'] : []), ...s.files].join(', ');
      const stopped = stop.readerGone() ? 'standard output closed: ' : s.interrupted ? 'interrupted: ' : '';
      process.stderr.write(`prnet: ${stopped}${s.frames} frames at ${fps.toFixed(1)} fps, ${ids.size} face${ids.size === 1 ? '' : 's'} (ids ${[...ids].join(', ') || 'none'}), detector on ${s.stats.detections} frames, ${s.stats.lost} lost, ${s.stats.cuts} scene cut${s.stats.cuts === 1 ? '' : 's'}${s.stats.dissolves ? ` (${s.stats.dissolves} dissolve${s.stats.dissolves === 1 ? '' : 's'})` : ''}${s.stats.flashes ? `, ${s.stats.flashes} flash${s.stats.flashes === 1 ? '' : 'es'}` : ''} → ${where}\n`);
      process.exitCode = s.interrupted && !stop.readerGone() ? EXIT_INTERRUPTED : 0;
    });
}
