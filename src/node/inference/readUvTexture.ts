/**
 * A UV texture from a picture file: a 256×256 PNG (or any format sharp reads) in the UV
 * layout `--outputs texture` writes, with its alpha when the file has one (how much of each
 * texel to apply). For `prnet swap --source-uv` and `prnet video --paint`.
 */
import sharp from 'sharp';
import type { RgbImage } from '../../io/rgbImage.js';

/** A UV texture read from a file. */
export interface UvTextureFile {
  texture: RgbImage;
  /** Per texel 0–255, when the file has an alpha channel. */
  alpha?: Uint8Array;
}

/**
 * Reads a file (or its bytes) as a `size × size` UV texture; errors name it (`name`) and say what is wrong.
 *
 * ```ts
 * const { texture, alpha } = await readUvTexture('tattoo.png', assets.uvSize);
 * ```
 */
export async function readUvTexture(source: string | Buffer, size: number, name = typeof source === 'string' ? source : 'the texture'): Promise<UvTextureFile> {
  let raw: { data: Buffer; info: { width: number; height: number } };
  let hasAlpha: boolean;
  try {
    hasAlpha = Boolean((await sharp(source).metadata()).hasAlpha);
    // RGBA whatever the file holds (grey, palette, no alpha: opaque).
    raw = await sharp(source).toColourspace('srgb').ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`${name}: cannot read the UV texture (${(err as Error).message.split('\n')[0]})`);
  }
  if (raw.info.width !== size || raw.info.height !== size) throw new Error(`${name}: a UV texture must be ${size}×${size} (as --outputs texture writes it), got ${raw.info.width}×${raw.info.height}`);
  const n = size * size;
  const data = new Uint8Array(3 * n);
  const alpha = hasAlpha ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[3 * i + c] = raw.data[4 * i + c]!;
    if (alpha) alpha[i] = raw.data[4 * i + 3]!;
  }
  return { texture: { width: size, height: size, data }, alpha };
}
