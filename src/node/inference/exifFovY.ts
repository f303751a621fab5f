import sharp from 'sharp';
import exifReader from 'exif-reader';
import { fovFromFocalLength35mm } from '../../geometry/fovFromFocalLength35mm.js';

/** Focal lengths outside this range (35 mm-equivalent, millimetres) are taken as bad EXIF, not a lens. */
const PLAUSIBLE_FOCAL_35MM = [8, 1200] as const;

/**
 * The vertical field of view, degrees, that a photo's EXIF records (its 35 mm-equivalent
 * focal length, `FocalLengthIn35mmFilm`), for the picture as decoded (`width × height`,
 * after the EXIF orientation); `undefined` when the file has no such tag, it is implausible,
 * or the file cannot be read. Never throws: the camera is then the default one.
 *
 * ```ts
 * const fovY = await exifFovY('IMG_0042.jpg', image.width, image.height); // e.g. 67.3 for a phone, portrait
 * ```
 */
export async function exifFovY(input: string | Uint8Array, width: number, height: number): Promise<number | undefined> {
  try {
    const { exif } = await sharp(input, { limitInputPixels: false }).metadata();
    if (!exif) return undefined;
    const f35 = exifReader(exif).Photo?.FocalLengthIn35mmFilm;
    if (typeof f35 !== 'number' || !(f35 >= PLAUSIBLE_FOCAL_35MM[0] && f35 <= PLAUSIBLE_FOCAL_35MM[1])) return undefined;
    return fovFromFocalLength35mm(f35, width, height);
  } catch {
    return undefined;
  }
}
