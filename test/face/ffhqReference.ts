/**
 * An independent, naive float64 transcription of FFHQ's padding (NVlabs ffhq-dataset,
 * `recreate_aligned_images`): crop, reflect padding with integer pads (numpy's `'reflect'`),
 * the mask, a true separable Gaussian (scipy's `gaussian_filter`: truncated at 4σ, `'reflect'`
 * boundary), the per-channel median (numpy's, of the blended padded photo), the rounding to
 * bytes; then the quad sampled bilinearly with the caller's transform (the recipe's PIL quad
 * transform samples the same quad; its 4096-px supersampling is not reproduced). Shares no
 * code with `src/`.
 */

/** numpy's `rint` (halves to even). */
function rint(v: number): number {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** numpy `np.pad(..., 'reflect')` index: mirror about the end samples, repeated. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i > n - 1) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

/** scipy.ndimage `'reflect'` (half-sample symmetric) index. */
function scipyReflect(i: number, n: number): number {
  while (i < 0 || i > n - 1) i = i < 0 ? -i - 1 : 2 * n - 1 - i;
  return i;
}

/** The recipe's numbers for a quad (4 corners × (x, y)) in a `width × height` photo. */
export function ffhqNumbers(quad: number[][], width: number, height: number): { qsize: number; border: number; crop: number[]; pad: number[]; reach: number[]; padded: boolean } {
  const qsize = Math.hypot(quad[3]![0]! - quad[0]![0]!, quad[3]![1]! - quad[0]![1]!); // |2x|
  const border = Math.max(rint(qsize * 0.1), 3);
  const xs = quad.map((q) => q[0]!), ys = quad.map((q) => q[1]!);
  let crop = [Math.floor(Math.min(...xs)), Math.floor(Math.min(...ys)), Math.ceil(Math.max(...xs)), Math.ceil(Math.max(...ys))];
  crop = [Math.max(crop[0]! - border, 0), Math.max(crop[1]! - border, 0), Math.min(crop[2]! + border, width), Math.min(crop[3]! + border, height)];
  let q = quad;
  let [w, h] = [width, height];
  if (crop[2]! - crop[0]! < width || crop[3]! - crop[1]! < height) {
    q = quad.map(([x, y]) => [x! - crop[0]!, y! - crop[1]!]);
    [w, h] = [crop[2]! - crop[0]!, crop[3]! - crop[1]!];
  } else crop = [0, 0, width, height];
  const qx = q.map((p) => p[0]!), qy = q.map((p) => p[1]!);
  let pad = [Math.floor(Math.min(...qx)), Math.floor(Math.min(...qy)), Math.ceil(Math.max(...qx)), Math.ceil(Math.max(...qy))];
  pad = [Math.max(-pad[0]! + border, 0), Math.max(-pad[1]! + border, 0), Math.max(pad[2]! - w + border, 0), Math.max(pad[3]! - h + border, 0)];
  const reach = pad;
  const padded = Math.max(...pad) > border - 4;
  if (padded) pad = pad.map((p) => Math.max(p, rint(qsize * 0.3)));
  return { qsize, border, crop, pad, reach, padded };
}

/** A padded photo: `width × height` bytes × 3, and where the photo's (0, 0) lies in it. */
export interface PaddedPhoto { data: Uint8Array; width: number; height: number; offsetX: number; offsetY: number; pad: number[]; median: number[]; mask: Float64Array }

/** The recipe's crop → pad → blur blend → median blend → bytes, for a quad in the photo. */
export function ffhqPaddedPhoto(image: { width: number; height: number; data: Uint8Array }, quad: number[][]): PaddedPhoto {
  const { qsize, crop, pad, padded } = ffhqNumbers(quad, image.width, image.height);
  const cw = crop[2]! - crop[0]!, ch = crop[3]! - crop[1]!;
  const [pl, pt, pr, pb] = padded ? pad : [0, 0, 0, 0];
  const W = cw + pl! + pr!, H = ch + pt! + pb!;
  const img = new Float64Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = crop[0]! + reflectIndex(x - pl!, cw), sy = crop[1]! + reflectIndex(y - pt!, ch);
      for (let k = 0; k < 3; k++) img[(y * W + x) * 3 + k] = image.data[(sy * image.width + sx) * 3 + k]!;
    }
  }
  const mask = new Float64Array(W * H).fill(-Infinity);
  let median = [NaN, NaN, NaN];
  if (padded) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        mask[y * W + x] = Math.max(1 - Math.min(x / pl!, (W - 1 - x) / pr!), 1 - Math.min(y / pt!, (H - 1 - y) / pb!));
      }
    }
    // scipy.ndimage.gaussian_filter(img, [blur, blur, 0]): truncate 4, 'reflect' mode, axis 0 then axis 1.
    const sigma = qsize * 0.02;
    const radius = Math.floor(4 * sigma + 0.5);
    const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-0.5 * ((i - radius) / sigma) ** 2));
    const ks = kernel.reduce((s, v) => s + v, 0);
    for (let i = 0; i < kernel.length; i++) kernel[i]! /= ks;
    const tmp = new Float64Array(img.length), blur = new Float64Array(img.length);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let j = -radius; j <= radius; j++) s += kernel[j + radius]! * img[(scipyReflect(y + j, H) * W + x) * 3 + k]!;
      tmp[(y * W + x) * 3 + k] = s;
    }
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let j = -radius; j <= radius; j++) s += kernel[j + radius]! * tmp[(y * W + scipyReflect(x + j, W)) * 3 + k]!;
      blur[(y * W + x) * 3 + k] = s;
    }
    for (let i = 0; i < W * H; i++) {
      const w = Math.min(1, Math.max(0, 3 * mask[i]! + 1));
      for (let k = 0; k < 3; k++) img[3 * i + k]! += (blur[3 * i + k]! - img[3 * i + k]!) * w;
    }
    median = [0, 1, 2].map((k) => {
      const v = Float64Array.from({ length: W * H }, (_, i) => img[3 * i + k]!).sort();
      const n = v.length;
      return n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
    });
    for (let i = 0; i < W * H; i++) {
      const w = Math.min(1, Math.max(0, mask[i]!));
      for (let k = 0; k < 3; k++) img[3 * i + k]! += (median[k]! - img[3 * i + k]!) * w;
    }
  }
  const data = new Uint8Array(img.length);
  for (let i = 0; i < img.length; i++) data[i] = Math.min(255, Math.max(0, rint(img[i]!)));
  return { data, width: W, height: H, offsetX: pl! - crop[0]!, offsetY: pt! - crop[1]!, pad: [pl!, pt!, pr!, pb!], median, mask };
}

/**
 * The reference picture: the padded photo sampled bilinearly (pixel centres at integers,
 * black outside, as PIL) at `sourceFromOut(x, y)` for each of the `size × size` pixels.
 * Also returns each pixel's mask value (bilinear of the padded photo's mask).
 */
export function ffhqReferencePicture(image: { width: number; height: number; data: Uint8Array }, sourceFromOut: ArrayLike<number>, size: number): { data: Uint8Array; padded: PaddedPhoto } {
  const [a, b, tx, c, d, ty] = Array.from(sourceFromOut);
  const e = size - 0.5;
  const quad = [[-0.5, -0.5], [-0.5, e], [e, e], [e, -0.5]].map(([x, y]) => [a! * x! + b! * y! + tx!, c! * x! + d! * y! + ty!]);
  const p = ffhqPaddedPhoto(image, quad);
  const out = new Uint8Array(size * size * 3);
  const at = (x: number, y: number, k: number) => (x < 0 || y < 0 || x >= p.width || y >= p.height ? 0 : p.data[(y * p.width + x) * 3 + k]!);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = a! * x + b! * y + tx! + p.offsetX, sy = c! * x + d! * y + ty! + p.offsetY;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      for (let k = 0; k < 3; k++) {
        const v = (1 - fy) * ((1 - fx) * at(x0, y0, k) + fx * at(x0 + 1, y0, k)) + fy * ((1 - fx) * at(x0, y0 + 1, k) + fx * at(x0 + 1, y0 + 1, k));
        out[(y * size + x) * 3 + k] = Math.round(v);
      }
    }
  }
  return { data: out, padded: p };
}
