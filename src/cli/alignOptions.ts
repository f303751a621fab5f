/**
 * `--align` and `--align-size`, shared by `prnet reconstruct` and `prnet enqueue`: which
 * aligned face picture `--outputs aligned` writes.
 */
import { InvalidArgumentError, Option } from 'commander';
import { ALIGNMENT_TEMPLATES, ALIGNMENT_TEMPLATE_SIZE, ALIGNED_FACE_MAX_SIZE, alignedFaceSize, type AlignmentTemplate } from '../face/alignedFaceTransform.js';

/** The parsed options. */
export interface AlignCliOptions {
  align: AlignmentTemplate;
  alignSize?: number;
}

/** The alignment's own size check, with the option's name in the message. */
function parseAlignSize(v: string): number {
  try {
    return alignedFaceSize({ size: Number(v) });
  } catch {
    throw new InvalidArgumentError(`--align-size must be an integer from 8 to ${ALIGNED_FACE_MAX_SIZE}, got "${v}"`);
  }
}

/**
 * The two options, for `command.addOption`.
 *
 * ```ts
 * const [align, alignSize] = alignCliOptions();
 * program.command('reconstruct').addOption(align).addOption(alignSize);
 * ```
 */
export function alignCliOptions(): [Option, Option] {
  const sizes = ALIGNMENT_TEMPLATES.map((t) => `${t} ${ALIGNMENT_TEMPLATE_SIZE[t]}`).join(', ');
  return [
    new Option('--align <template>', 'aligned: arcface = insightface\'s 5-point 112×112 face (face recognition), ffhq = the FFHQ dataset\'s upright square with hair and chin (mirrored and blurred past the photo\'s edges, as FFHQ)')
      .choices(ALIGNMENT_TEMPLATES).default('arcface'),
    new Option('--align-size <px>', `aligned: side of the picture in pixels (default: the template's own, ${sizes})`).argParser(parseAlignSize),
  ];
}

/**
 * The parsed options as `alignFace`'s (and a job's `align`).
 *
 * ```ts
 * alignFromOptions({ align: 'ffhq', alignSize: 512 }); // { template: 'ffhq', size: 512 }
 * ```
 */
export function alignFromOptions(opts: AlignCliOptions): { template: AlignmentTemplate; size?: number } {
  return { template: opts.align, ...(opts.alignSize !== undefined ? { size: opts.alignSize } : {}) };
}
