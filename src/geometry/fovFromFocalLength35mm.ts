/** Diagonal of a 35 mm film frame (36 × 24 mm), millimetres: what "35 mm-equivalent" focal lengths are relative to. */
export const FULL_FRAME_DIAGONAL_MM = Math.hypot(36, 24);

/**
 * The vertical field of view, degrees, of a picture taken at a 35 mm-equivalent focal
 * length (EXIF `FocalLengthIn35mmFilm`, what phones record): the equivalence is by the
 * diagonal, so the focal length in pixels is `f35 · diagonal_px / 43.27 mm`. Isomorphic.
 *
 * ```ts
 * fovFromFocalLength35mm(26, 3024, 4032); // ≈ 67.3: a phone's main camera, portrait
 * ```
 */
export function fovFromFocalLength35mm(focalLength35mm: number, width: number, height: number): number {
  if (!(focalLength35mm > 0 && Number.isFinite(focalLength35mm))) throw new Error(`fovFromFocalLength35mm: the focal length must be a positive number of millimetres, got ${focalLength35mm}`);
  if (!(width > 0 && height > 0)) throw new Error(`fovFromFocalLength35mm: the picture must have a size, got ${width}×${height}`);
  const focalPx = (focalLength35mm * Math.hypot(width, height)) / FULL_FRAME_DIAGONAL_MM;
  return (2 * Math.atan(height / 2 / focalPx) * 180) / Math.PI;
}
