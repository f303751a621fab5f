/** `prnet swap <source> <target> -o out.png [--region face|eyes|mask.png]`: texture editing and face swap. */
import type { Command } from 'commander';
import path from 'node:path';
import sharp from 'sharp';
import { PRNet } from '../../node/prnet.js';
import { decodeImage } from '../../node/decodeImage.js';
import { encodeImage } from '../../node/encodeImage.js';
import { writeFileAtomic } from '../../node/atomicWrite.js';
import { faceSwap } from '../../apps/faceSwap.js';

interface SwapOptions { output: string; region: string; blend: 'normal' | 'mixed' | 'none'; model?: string; dataDir?: string; threads?: string }

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

export function register(program: Command): void {
  program
    .command('swap')
    .description('put the face (or a UV region of it) of <source> onto the face in <target>, blended seamlessly')
    .argument('<source>', 'image whose face texture is taken')
    .argument('<target>', 'image whose face receives it')
    .requiredOption('-o, --output <file>', 'image to write (PNG, JPEG or WebP by extension)')
    .option('--region <region>', 'face, eyes, or a 256×256 UV mask PNG', 'face')
    .option('--blend <mode>', 'normal (Poisson), mixed (Poisson, stronger gradient wins) or none', 'normal')
    .option('--model <onnx>', 'position-map model (default: the configured model)')
    .option('--data-dir <dir>', 'folder with the official PRNet uv-data files (default: $PRNET_DATA, else the copy shipped in the package)')
    .option('--threads <n>', 'ONNX Runtime threads')
    .action(async (sourcePath: string, targetPath: string, opts: SwapOptions) => {
      if (!['normal', 'mixed', 'none'].includes(opts.blend)) throw new Error(`--blend must be normal, mixed or none, got "${opts.blend}"`);
      const prn = await PRNet.load({ model: opts.model, dataDir: opts.dataDir, threads: opts.threads ? Number(opts.threads) : undefined });
      try {
        const region = opts.region === 'face' || opts.region === 'eyes' ? opts.region : await regionFromPng(opts.region, prn.assets.uvSize);
        const [sourceImage, targetImage] = await Promise.all([decodeImage(sourcePath), decodeImage(targetPath)]);
        const outputs = { visibility: true, pose: false, colors: false };
        const [source] = await prn.reconstruct(sourceImage, { maxFaces: 1, outputs });
        if (!source) throw new Error(`${sourcePath}: no face found`);
        const [target] = await prn.reconstruct(targetImage, { maxFaces: 1, outputs });
        if (!target) throw new Error(`${targetPath}: no face found`);
        const { image } = faceSwap(targetImage, target, sourceImage, source, prn.assets, { region, blend: opts.blend });
        const ext = path.extname(opts.output).slice(1).toLowerCase();
        const format = ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'webp' ? 'webp' : 'png';
        await writeFileAtomic(opts.output, await encodeImage(image, { format }));
        process.stdout.write(`wrote ${opts.output}\n`);
      } finally {
        await prn.dispose();
      }
    });
}
