/**
 * `prnet swap <source> <target> -o out.png [--region face|eyes|mask.png] [--source-uv]`: face
 * swap, and texture editing (`--source-uv`: the source is a UV texture, e.g. one that
 * `--outputs texture` wrote and an image editor changed; its alpha says how much to apply).
 * Exit status: 0 written, 1 a photo failed (unreadable, no face), 2 usage or setup error.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { int } from '../optionParsers.js';
import type { RgbImage } from '../../io/rgbImage.js';
import sharp from 'sharp';
import { PRNet } from '../../node/inference/prnet.js';
import { decodeImage } from '../../node/inference/decodeImage.js';
import { encodeImage } from '../../node/inference/encodeImage.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { faceSwap } from '../../apps/faceSwap.js';
import { applyFaceTexture } from '../../apps/applyFaceTexture.js';
import { readUvTexture } from '../../node/inference/readUvTexture.js';
import { assertPrnetModel } from '../../model/assertPrnetModel.js';
import { EXIT_INPUT, EXIT_USAGE } from '../exitCodes.js';
import { makeFolders } from '../../node/files/makeFolders.js';

interface SwapOptions {
  output: string; region: string; blend: 'normal' | 'mixed' | 'none' | 'over'; sourceFace: number; targetFace: number; sourceUv?: boolean;
  model?: string; dataDir?: string; threads?: string; force?: boolean;
}

/** A UV mask from a PNG (non-black = from the source), 256×256. */
async function regionFromPng(file: string, size: number): Promise<Uint8Array> {
  let raw: { data: Buffer; info: { width: number; height: number } };
  try {
    raw = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`${file}: cannot read the region mask (${(err as Error).message})`);
  }
  if (raw.info.width !== size || raw.info.height !== size) throw new Error(`${file}: a region mask must be ${size}×${size} (a UV map), got ${raw.info.width}×${raw.info.height}`);
  return Uint8Array.from(raw.data.subarray(0, size * size), (v) => (v > 127 ? 1 : 0));
}

/** Output formats by file extension. */
const SWAP_FORMATS: Readonly<Record<string, 'png' | 'jpeg' | 'webp'>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

/** An error that ends the command with an exit status. */
class SwapError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export function register(program: Command): void {
  program
    .command('swap')
    .description('put the face (or a UV region of it) of <source> onto the face in <target>, blended seamlessly')
    .argument('<source>', 'image whose face texture is taken (with --source-uv: the UV texture itself)')
    .argument('<target>', 'image whose face receives it')
    .requiredOption('-o, --output <file>', 'image to write: .png, .jpg/.jpeg or .webp (the format follows the extension; the folder is created)')
    .option('--region <region>', 'face, eyes, or a 256×256 UV mask PNG', 'face')
    .addOption(new Option('--blend <mode>', 'normal (Poisson), mixed (Poisson, stronger gradient wins), none (paste the rendered face) or over (paint only the texture\'s texels by their alpha, no blending: for --source-uv layers)').choices(['normal', 'mixed', 'none', 'over']).default('normal'))
    .option('--source-uv', '<source> is a 256×256 UV texture, e.g. <base>_<i>_texture.png from --outputs texture painted on in an image editor; its alpha (if any) says how much of each texel to apply (0 keeps the photo, 255 takes the texture)')
    .option('--source-face <i>', 'which face of <source> (0 = the most confident)', int('--source-face', 0), 0)
    .option('--target-face <i>', 'which face of <target> (0 = the most confident)', int('--target-face', 0), 0)
    .option('--model <onnx>', 'position-map model (default: the configured model)')
    .option('--data-dir <dir>', 'folder with the official PRNet uv-data files (default: $PRNET_DATA, else the copy shipped in the package)')
    .option('--threads <n>', 'ONNX Runtime threads')
    .option('--force', 'run a model that has no prnet metadata (refused otherwise)')
    .addHelpText('after', `
Texture editing:
  prnet reconstruct photo.jpg -o out --outputs texture        # out/photo_0_texture.png, the face's UV texture
  (paint on it, or on a transparent layer over it, and save as PNG)
  prnet swap out/photo_0_texture.png photo.jpg --source-uv -o edited.jpg

Exit status: 0 written, 1 a photo failed (unreadable, no face, no such face index), 2 usage or setup error.`)
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .action(async (sourcePath: string, targetPath: string, opts: SwapOptions, command: Command) => {
      const format = SWAP_FORMATS[path.extname(opts.output).toLowerCase()];
      if (!format) command.error(`prnet: ${opts.output}: unknown image type; end the name with ${Object.keys(SWAP_FORMATS).join(', ')}`, { exitCode: EXIT_USAGE });
      if (opts.threads !== undefined && !(Number.isInteger(Number(opts.threads)) && Number(opts.threads) >= 0)) command.error('prnet: --threads must be an integer ≥ 0', { exitCode: EXIT_USAGE });
      try {
        await swap(sourcePath, targetPath, opts, format!);
      } catch (err) {
        process.stderr.write(`prnet: ${(err as Error).message}\n`);
        process.exit(err instanceof SwapError ? err.exitCode : EXIT_INPUT);
      }
    });
}

async function swap(sourcePath: string, targetPath: string, opts: SwapOptions, format: 'png' | 'jpeg' | 'webp'): Promise<void> {
  let prn: PRNet;
  try {
    prn = await PRNet.load({ model: opts.model, dataDir: opts.dataDir, threads: opts.threads ? Number(opts.threads) : undefined });
  } catch (err) {
    throw new SwapError((err as Error).message, EXIT_USAGE);
  }
  if (!opts.force) {
    try {
      assertPrnetModel(prn.model.metadata, opts.model ?? 'the default model');
    } catch (err) {
      await prn.dispose();
      throw new SwapError((err as Error).message, EXIT_USAGE);
    }
  }
  try {
    // The output's folder first: a path that cannot be written is known before any photo is read or run.
    const folder = path.dirname(path.resolve(opts.output));
    try {
      await makeFolders(folder);
    } catch (err) {
      // EEXIST: the folder's own path is a file (ENOTDIR: a folder above it is).
      const code = (err as NodeJS.ErrnoException).code;
      throw new SwapError(`${opts.output}: cannot create its folder (${code === 'EEXIST' ? `${folder} is a file` : code ?? (err as Error).message})`, EXIT_USAGE);
    }
    let region: 'face' | 'eyes' | Uint8Array;
    try {
      region = opts.region === 'face' || opts.region === 'eyes' ? opts.region : await regionFromPng(opts.region, prn.assets.uvSize);
    } catch (err) {
      throw new SwapError((err as Error).message, EXIT_USAGE);
    }
    const uv = opts.sourceUv ? await readUvTexture(sourcePath, prn.assets.uvSize).catch((err: Error) => { throw new SwapError(err.message, EXIT_INPUT); }) : undefined;
    const [sourceImage, targetImage] = await Promise.all([uv ? undefined : decodeImage(sourcePath), decodeImage(targetPath)]);
    const outputs = { visibility: true, pose: false, colors: false };
    const pick = async (image: RgbImage, file: string, index: number) => {
      const { faces } = await prn.reconstruct(image, { maxFaces: index + 1, outputs });
      if (faces.length === 0) throw new SwapError(`${file}: no face found`, EXIT_INPUT);
      const face = faces[index];
      if (!face) throw new SwapError(`${file}: has ${faces.length} face${faces.length === 1 ? '' : 's'}, no face ${index}`, EXIT_INPUT);
      return face;
    };
    const source = sourceImage ? await pick(sourceImage, sourcePath, opts.sourceFace) : undefined;
    const target = await pick(targetImage, targetPath, opts.targetFace);
    const { image } = uv
      ? applyFaceTexture(targetImage, target, uv.texture, prn.assets, { region, blend: opts.blend, alpha: uv.alpha })
      : faceSwap(targetImage, target, sourceImage!, source!, prn.assets, { region, blend: opts.blend });
    const bytes = await encodeImage(image, { format });
    await writeFileAtomic(opts.output, bytes).catch((err: unknown) => { throw new SwapError((err as Error).message, EXIT_USAGE); });
    process.stdout.write(`wrote ${opts.output}\n`);
  } finally {
    await prn.dispose();
  }
}
