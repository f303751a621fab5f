/**
 * Training augmentation (PRNet paper §4.1 plus the additions): one random draw
 * describes the whole change to a sample, so image and position map get the SAME geometry.
 */
import { withDefaults } from '../../io/withDefaults.js';

/** A synthetic occluder: a rectangle of flat colour or noise over the crop. */
export interface Occlusion {
  /** Left, top, width, height as fractions of the crop side. */
  rect: [number, number, number, number];
  /** RGB in [0, 1] (the mean colour when noisy). */
  color: [number, number, number];
  /** Uniform noise amplitude added per pixel and channel (0 = flat). */
  noise: number;
}

/** One sample's augmentation. */
export interface Augmentation {
  /** In-plane rotation, radians. */
  angle: number;
  /** Crop-centre shift `[dx, dy]` as fractions of the landmark box size. */
  shift: [number, number];
  /** Crop-size multiplier (> 1: the face looks smaller). */
  scale: number;
  /** Mirror horizontally (image and, by the UV permutation u → 255 − u, the map). */
  flip: boolean;
  /** Per-channel colour multipliers. */
  colorScale: [number, number, number];
  /** Synthetic occluder, or null. */
  occlusion: Occlusion | null;
}

/** Options of {@link sampleAugmentation}. */
export interface AugmentationOptions {
  /** Largest rotation, degrees (uniform in ±). */
  maxAngleDeg: number;
  /** Largest centre shift, fraction of the landmark box (uniform in ±, per axis). */
  maxShift: number;
  /** Range of the crop-size multiplier. */
  scaleRange: [number, number];
  /** Range of each channel's colour multiplier. */
  colorRange: [number, number];
  /** Probability of a horizontal flip. */
  flipProbability: number;
  /** Probability of a synthetic occluder. */
  occlusionProbability: number;
  /** Largest occluder area, fraction of the crop area. */
  maxOcclusionArea: number;
}

/** Defaults of {@link sampleAugmentation}: the paper's ranges. */
export const AUGMENTATION_DEFAULTS: AugmentationOptions = {
  maxAngleDeg: 45,
  maxShift: 0.1,
  scaleRange: [0.9, 1.2],
  colorRange: [0.6, 1.4],
  flipProbability: 0.5,
  occlusionProbability: 0.4,
  maxOcclusionArea: 1 / 3,
};

/** No augmentation at all (validation). */
export const NO_AUGMENTATION: Augmentation = {
  angle: 0, shift: [0, 0], scale: 1, flip: false, colorScale: [1, 1, 1], occlusion: null,
};

/**
 * Draws one augmentation from `rng` (a fixed number of draws per call for a given outcome,
 * so a seeded generator gives reproducible batches).
 *
 * ```ts
 * const aug = sampleAugmentation(createTrainRandom(1));
 * ```
 */
export function sampleAugmentation(rng: () => number, options: Partial<AugmentationOptions> = {}): Augmentation {
  const o = withDefaults(AUGMENTATION_DEFAULTS, options);
  const uni = (a: number, b: number) => a + (b - a) * rng();
  const angle = (uni(-1, 1) * o.maxAngleDeg * Math.PI) / 180;
  const shift: [number, number] = [uni(-1, 1) * o.maxShift, uni(-1, 1) * o.maxShift];
  const scale = uni(o.scaleRange[0], o.scaleRange[1]);
  const flip = rng() < o.flipProbability;
  const colorScale: [number, number, number] = [uni(...o.colorRange), uni(...o.colorRange), uni(...o.colorRange)];
  let occlusion: Occlusion | null = null;
  if (rng() < o.occlusionProbability) {
    const area = uni(0.02, o.maxOcclusionArea);
    const aspect = Math.exp(uni(-1, 1)); // width / height
    const w = Math.min(1, Math.sqrt(area * aspect)), h = Math.min(1, Math.sqrt(area / aspect));
    const x = uni(0, 1 - w), y = uni(0, 1 - h);
    occlusion = { rect: [x, y, w, h], color: [rng(), rng(), rng()], noise: rng() < 0.5 ? 0 : uni(0.1, 0.5) };
  }
  return { angle, shift, scale, flip, colorScale, occlusion };
}

/**
 * Paints an occluder into an NHWC float crop (values stay in [0, 1]).
 *
 * ```ts
 * applyOcclusion(inputs, offset, 256, aug.occlusion!, rng);
 * ```
 */
export function applyOcclusion(image: Float32Array, offset: number, side: number, occ: Occlusion, rng: () => number): void {
  const x0 = Math.round(occ.rect[0] * side), y0 = Math.round(occ.rect[1] * side);
  const x1 = Math.min(side, Math.round((occ.rect[0] + occ.rect[2]) * side));
  const y1 = Math.min(side, Math.round((occ.rect[1] + occ.rect[3]) * side));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = offset + (y * side + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = occ.color[c]! + (occ.noise ? (rng() - 0.5) * 2 * occ.noise : 0);
        image[o + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
}
