/**
 * UV masks from decoded PNG pixels. The decoder (sharp in Node, a canvas in the
 * browser) is the caller's business; these functions only read channel values.
 */

/** Decoded pixels of an 8-bit image: `width · height · channels` bytes, row-major, interleaved. */
export interface DecodedPixels {
  width: number;
  height: number;
  /** 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA). */
  channels: number;
  data: Uint8Array;
}

/** Multiplier from `uv_weight_mask.png` values to loss weights: 255 → 16, 64 → 4, 48 → 3. */
export const WEIGHT_MASK_SCALE = 16 / 255;

function checkPixels(p: DecodedPixels, name: string): void {
  if (p.data.length !== p.width * p.height * p.channels) {
    throw new Error(`${name}: ${p.width}×${p.height}×${p.channels} pixels need ${p.width * p.height * p.channels} bytes, got ${p.data.length}`);
  }
}

/** Grey value of pixel `i`: the first channel for grey images, ITU-R 709 luma for colour (skimage `rgb2gray`, as the official code reads them). */
function grey(p: DecodedPixels, i: number): number {
  const o = i * p.channels;
  if (p.channels < 3) return p.data[o]!;
  return 0.2125 * p.data[o]! + 0.7154 * p.data[o + 1]! + 0.0721 * p.data[o + 2]!;
}

/**
 * `uv_face_mask.png` → 0/1 per UV pixel (grey value > 127).
 *
 * ```ts
 * const faceMask = faceMaskFromPixels({ width: 256, height: 256, channels: 1, data });
 * ```
 */
export function faceMaskFromPixels(pixels: DecodedPixels, name = 'uv_face_mask.png'): Uint8Array {
  checkPixels(pixels, name);
  const n = pixels.width * pixels.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = grey(pixels, i) > 127 ? 1 : 0;
  return out;
}

/**
 * `uv_weight_mask.png` → loss weight per UV pixel: value · 16/255, so the official
 * levels 255, 64, 48, 0 become 16 (68 landmarks), 4 (eyes, nose, mouth), 3 (rest of
 * the face), 0 (neck), the paper's 16:4:3:0 ratio.
 *
 * ```ts
 * const weightMask = weightMaskFromPixels(pixels); // Float32Array(65536), max 16
 * ```
 */
export function weightMaskFromPixels(pixels: DecodedPixels, name = 'uv_weight_mask.png'): Float32Array {
  checkPixels(pixels, name);
  const n = pixels.width * pixels.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = pixels.data[i * pixels.channels]! * WEIGHT_MASK_SCALE;
  return out;
}

/**
 * The eye regions of the UV map, 0/1 per pixel: where `uv_face_eyes.png` differs from
 * `uv_face.png` in grey value, exactly as the official `demo_texture.py` builds its
 * `eye_mask` (411 pixels for the official files).
 *
 * ```ts
 * const eyesMask = eyesMaskFromPixels(faceEyesPixels, facePixels);
 * ```
 */
export function eyesMaskFromPixels(faceEyes: DecodedPixels, face: DecodedPixels, name = 'uv_face_eyes.png'): Uint8Array {
  checkPixels(faceEyes, name);
  checkPixels(face, 'uv_face.png');
  if (faceEyes.width !== face.width || faceEyes.height !== face.height) {
    throw new Error(`${name} is ${faceEyes.width}×${faceEyes.height} but uv_face.png is ${face.width}×${face.height}`);
  }
  const n = face.width * face.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = grey(faceEyes, i) !== grey(face, i) ? 1 : 0;
  return out;
}
