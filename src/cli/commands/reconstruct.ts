/**
 * `prnet reconstruct <inputs…> -o <dir>`: dense 3D faces for a batch of photos.
 *
 * Exit status: 0 when every input produced its outputs, 1 when any input failed (missing,
 * unreadable, not an image, too large, no face, write error — one `prnet: <file>: <reason>`
 * line each, the batch goes on), 2 for usage errors (bad options), 130 when interrupted.
 *
 * Output names (always with the face index, so names do not change with the face count):
 * - per face: `<dir>/<base>_<i>.obj|.ply|.glb`, `<dir>/<base>_<i>_texture.png`, `<dir>/<base>_<i>.mtl` (textured OBJ);
 * - per image: `<dir>/<base>.json` (all faces), `<dir>/<base>_depth.png`, `<dir>/<base>_overlay.png`;
 * `<base>` comes from `outputBases` (collision-free; the help text states the rule).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseLandmarks } from '../../face/parseLandmarks.js';
import { reconstructBatch, OUTPUT_KINDS, RECONSTRUCT_BATCH_DEFAULTS, type BatchSummary, type OutputKind } from '../reconstructBatch.js';
import { expandInputs, isGlob } from '../expandInputs.js';
import { fovDegrees, int, inRange, positive } from '../optionParsers.js';
import { alignCliOptions, alignFromOptions, type AlignCliOptions } from '../alignOptions.js';
import { PERSPECTIVE_POSE_DEFAULTS } from '../../geometry/perspectivePose.js';
import { FACE_RELIEF_DEFAULTS } from '../../print/faceRelief.js';
import { RECONSTRUCT_DEFAULTS } from '../../reconstruct/facePipeline.js';
import { TEXTURE_MODES, type TextureMode } from '../../reconstruct/faceResult.js';
import { stopOnSignals } from '../stopOnSignals.js';
import { STDOUT_ARG } from '../readStdin.js';
import { DECODE_IMAGE_DEFAULTS, DECODE_MAX_PIXELS_LIMIT } from '../../node/inference/decodeImage.js';
import { EXIT_USAGE, EXIT_INTERRUPTED } from '../exitCodes.js';

/** `--max-pixels`: an integer from 1 to libvips' limit. */
function parseMaxPixels(v: string): number {
  const n = int('--max-pixels', 1)(v);
  if (n > DECODE_MAX_PIXELS_LIMIT) throw new InvalidArgumentError(`--max-pixels must be an integer from 1 to ${DECODE_MAX_PIXELS_LIMIT} (libvips' limit), got "${v}"`);
  return n;
}

function parseBox(v: string): [number, number, number, number] {
  const parts = v.split(',').map(Number);
  if (parts.length !== 4 || !parts.every(Number.isFinite) || !(parts[2] > 0 && parts[3] > 0)) {
    throw new InvalidArgumentError('expected x,y,w,h with positive width and height, e.g. 40,60,200,200');
  }
  return parts as [number, number, number, number];
}

function parseOutputs(v: string): OutputKind[] {
  const kinds = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const k of kinds) if (!(OUTPUT_KINDS as readonly string[]).includes(k)) throw new InvalidArgumentError(`unknown output '${k}' (choose from ${OUTPUT_KINDS.join(', ')})`);
  if (kinds.length === 0) throw new InvalidArgumentError('no output chosen');
  return [...new Set(kinds)] as OutputKind[];
}

/** Registers `prnet reconstruct`. */
export function register(program: Command): void {
  const [alignOption, alignSizeOption] = alignCliOptions();
  program
    .command('reconstruct')
    .description('reconstruct the 3D faces of photos (files, folders, globs) into mesh, landmark and image files')
    .argument('<inputs...>', 'image files, folders (their images; add --recursive for sub-folders), globs (*, ?, **), or - for an image piped into standard input (its files are named stdin*)')
    .requiredOption('-o, --output <dir>', 'output folder (created if missing), or - for the JSON records on standard output (one line per image, in input order; no files)')
    .addOption(new Option('--outputs <list>', `comma-separated: ${OUTPUT_KINDS.join(',')}`).default(['obj', 'json'], 'obj,json').argParser(parseOutputs))
    .option('--model <onnx>', 'ONNX model (default: $PRNET_MODEL, else the official model from `prnet weights download`, else the shipped one)')
    .addOption(new Option('--texture <mode>', 'UV texture (texture PNG, textured OBJ, GLB): filled = hidden parts filled from the mirror side, full = sampled from the photo everywhere, visible = hidden parts black')
      .choices(TEXTURE_MODES).default(RECONSTRUCT_BATCH_DEFAULTS.textureMode))
    .option('--box <x,y,w,h>', 'face box for every input (skips detection)', parseBox)
    .option('--landmarks <file>', 'landmarks file (one "x y" point per line) for every input (skips detection)')
    .option('--max-faces <n>', 'at most this many faces per image', int('--max-faces', 1))
    .option('--front', 'write frontalized meshes (pose removed, canonical frame)')
    .option('--camera-space', 'write meshes in the space of each face\'s perspective camera (see --fov), in metres, y up: a GLB drops into a three.js scene whose camera sits at the origin (an AR occluder)')
    .option('--print-width <mm>', `stl: width of the printed face relief in millimetres (height and depth scale with it)`, positive('--print-width'), FACE_RELIEF_DEFAULTS.widthMm)
    .addOption(alignOption)
    .addOption(alignSizeOption)
    .option('--fov <degrees>', `json: the camera's vertical field of view, for each face's perspective pose ("camera": a 4×4 face → camera matrix in metres, three.js conventions; default: the lens the photo's EXIF records, else ${PERSPECTIVE_POSE_DEFAULTS.fovY})`, fovDegrees('--fov'))
    .option('--flip-average', 'test-time flip augmentation: also run each mirrored face crop and average the two maps (2× network time, more accurate)')
    .option('--refine <passes>', `landmark refinement: re-crop each turned face from its predicted 68 landmarks and run again, this many times (each pass one more network run for those faces)`, int('--refine', 0), RECONSTRUCT_DEFAULTS.refinePasses)
    .option('--no-refine', 'no refinement pass: one network run per face')
    .option('--refine-min-yaw <degrees>', `refine only faces the previous pass sees turned more than this (0 = every face)`, inRange('--refine-min-yaw', 0, 89.99), RECONSTRUCT_DEFAULTS.refineMinYaw)
    .option('--upright-min-roll <degrees>', `crop a face rolled more than this (the line from its eyes to its mouth) turned with it, so the network sees it upright (180 = never: axis-aligned crops as official PRNet)`, inRange('--upright-min-roll', 0, 180), RECONSTRUCT_DEFAULTS.uprightMinRoll)
    .option('--map-smoothing <texels>', `Gaussian blur of each position map before the mesh and landmarks are read, σ in texels (0 = the network's map as it is)`, inRange('--map-smoothing', 0, 8), RECONSTRUCT_DEFAULTS.mapSmoothing)
    .option('--threads <n>', 'ONNX Runtime threads (default: cores − 1, leaving one for detection and writing; 0 = one per core)', int('--threads', 0))
    .addOption(new Option('--max-pixels <n>', `refuse images larger than this many pixels (at most ${DECODE_MAX_PIXELS_LIMIT}, libvips' limit)`)
      .default(DECODE_IMAGE_DEFAULTS.maxPixels).argParser(parseMaxPixels))
    .option('--data-dir <dir>', 'folder with the official PRNet uv-data files (default: $PRNET_DATA, else the copy shipped in the package)')
    .option('--batch <n>', 'images per network call (at most 8 faces per call)', int('--batch', 1), 4)
    .option('-r, --recursive', 'descend into sub-folders of folder inputs')
    .option('--force', 'run a model that has no prnet metadata (refused otherwise)')
    .option('-q, --quiet', 'no per-image lines (errors and the summary only)')
    .addHelpText('after', `
Files written to the output folder:
  per face   <base>_<i>.obj|.ply|.glb, <base>_<i>_texture.png   (i = 0, 1, … best face first)
             <base>_<i>_posmap.npy: the UV position map itself, float32 256×256×3 (x, y, z in image pixels),
             as official PRNet's demo saves it (numpy.load reads it)
             <base>_<i>.stl: the face to 3D-print, a closed relief plaque of the frontalised face in
             millimetres (--print-width wide, 0.4 mm grid, 3 mm base behind the deepest point; binary STL)
             <base>_<i>.pts: the 68 landmarks (x, y) as an iBUG .pts file, 300-W's format (top-left pixel at 1, 1)
             <base>_<i>_aligned.png: the aligned face for face-recognition models and datasets (--align:
             ArcFace's 112×112 from 5 landmark points, or FFHQ's 1024×1024 square; --align-size)
             with texture in --outputs the OBJ is textured: vt per vertex and <base>_<i>.mtl naming the PNG;
             the GLB always embeds the UV texture (--texture decides how hidden parts look)
  per image  <base>.json (model, source path, all faces: box, score, 68 landmarks, pose; an image
             without a face gets "faces": [] and the reason), <base>_depth.png, <base>_overlay.png,
             <base>_pncc.png (3DDFA's PNCC: each pixel coloured by the mean-face x, y, z of the point it shows)
  <base> is the input's file name without extension when all these are distinct; otherwise each
  input keeps its folder below the inputs' common folder (x/photo1, y/photo1), and files of one
  folder sharing a name keep their extension (photo1.jpg, photo1.png). A file given twice runs once.
Frames: JSON, --box and the library: image pixels, x right, y down, z toward the viewer (same units);
  boxes are [x, y, w, h]. OBJ, PLY and GLB: y up (y' = height - 1 - y), x and z as in the image;
  GLB in metres (× 0.001); --front meshes: the canonical frame, pose removed.
Exit status: 0 all inputs done, 1 some input failed (one "prnet: <file>: <reason>" line each), 2 usage error,
130 interrupted (Ctrl-C or SIGTERM: the files being written are completed, every image has all its files or none,
no temporary file is left, and the summary says how far it got).`)
    // Usage errors (bad options, --help aside) exit with 2, input failures with 1.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(async (inputs: string[], opts: {
      output: string; outputs: OutputKind[]; texture: TextureMode; model?: string; box?: [number, number, number, number]; landmarks?: string;
      maxFaces?: number; front?: boolean; cameraSpace?: boolean; printWidth: number; align: AlignCliOptions['align']; alignSize?: number; fov?: number; flipAverage?: boolean; refine: number | false; refineMinYaw: number; uprightMinRoll: number; mapSmoothing: number; threads?: number; maxPixels?: number; dataDir?: string; batch: number; recursive?: boolean; quiet?: boolean; force?: boolean;
    }, command: Command) => {
      if (opts.box && opts.landmarks) command.error('prnet: give either --box or --landmarks, not both', { exitCode: 2 });
      if (opts.front && opts.cameraSpace) command.error('prnet: give either --front or --camera-space, not both', { exitCode: 2 });
      let landmarks: Float64Array | undefined;
      if (opts.landmarks) {
        try {
          landmarks = parseLandmarks(await readFile(opts.landmarks, 'utf8'), opts.landmarks);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          command.error(`prnet: ${e.code ? `${opts.landmarks}: cannot read (${e.code})` : e.message}`, { exitCode: 2 });
        }
      }
      // Setup problems are found before any work, each in one line, exit 2; the output
      // folder is only created once the model and the assets have loaded.
      // -o -: each image's JSON record as one line on standard output, and no files.
      const toStdout = opts.output === STDOUT_ARG;
      if (toStdout) {
        const files = opts.outputs.filter((k) => k !== 'json');
        if (command.getOptionValueSource('outputs') === 'default') opts.outputs = ['json'];
        else if (files.length > 0) command.error(`prnet: -o - writes the JSON records only (one line per image); --outputs ${files.join(',')} needs an output folder`, { exitCode: 2 });
      }
      const outInfo = toStdout ? undefined : await stat(opts.output).catch(() => undefined);
      if (outInfo && !outInfo.isDirectory()) command.error(`prnet: ${opts.output}: exists and is not a folder (-o names the output folder)`, { exitCode: 2 });
      const expanded = await expandInputs(inputs, { recursive: Boolean(opts.recursive) });
      const emptyGlobs = expanded.filter((e) => e.error && isGlob(e.file));
      if (emptyGlobs.length > 0) command.error(emptyGlobs.map((e) => `prnet: ${e.file}: no image matches this pattern`).join('\n'), { exitCode: 2 });
      // Ctrl-C / SIGTERM: stop starting images, complete the files being written (each image
      // all or none), print the summary, exit 130. A second signal removes the temporary
      // files of writes still in progress (once the writes, renames and network run already
      // going have settled: a worker torn down mid-run would abort the process) and exits.
      const stop = stopOnSignals({
        stopping: 'stopping after the files being written…',
        stopped: 'stopped; no temporary files left',
        watchStdout: toStdout,
        readerGoneLine: 'prnet: standard output closed: stopping',
      });
      let summary: BatchSummary;
      try {
        summary = await reconstructBatch({
          signal: stop.signal,
          inputs,
          expanded,
          force: Boolean(opts.force),
          outDir: toStdout ? process.cwd() : path.resolve(opts.output),
          ...(toStdout ? { jsonTo: process.stdout } : {}),
          outputs: opts.outputs,
          textureMode: opts.texture,
          model: opts.model,
          box: opts.box,
          landmarks,
          maxFaces: opts.maxFaces,
          front: Boolean(opts.front),
          cameraSpace: Boolean(opts.cameraSpace),
          relief: { widthMm: opts.printWidth },
          align: alignFromOptions(opts),
          cameraFovY: opts.fov,
          flipAverage: Boolean(opts.flipAverage),
          refinePasses: opts.refine === false ? 0 : opts.refine,
          refineMinYaw: opts.refineMinYaw,
          uprightMinRoll: opts.uprightMinRoll,
          mapSmoothing: opts.mapSmoothing,
          threads: opts.threads,
          maxPixels: opts.maxPixels,
          dataDir: opts.dataDir,
          batchSize: opts.batch,
          recursive: Boolean(opts.recursive),
          verbose: !opts.quiet,
          stream: process.stderr,
        });
      } catch (err) {
        // reconstructBatch throws only for setup problems (model, assets, output folder).
        process.stderr.write(`prnet: ${(err as Error).message}\n`);
        process.exit(EXIT_USAGE);
      }
      stop.dispose();
      process.exitCode = summary.interrupted && !stop.readerGone() ? EXIT_INTERRUPTED : summary.failed > 0 ? 1 : 0;
    });
}
