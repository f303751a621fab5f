import { createHash } from 'node:crypto';
import type { ReconstructJob } from '../service/reconstructJob.js';

/**
 * The stable id of a job: a hash of its input, output folder and name, outputs and
 * options, so the same request always gets the same id (and is not queued twice).
 *
 * ```ts
 * jobId({ input: '/d/a.jpg', outDir: '/d/out', base: 'a', outputs: ['obj'], texture: 'filled' }); // 32 hex digits
 * ```
 */
export function jobId(job: ReconstructJob): string {
  return createHash('sha256').update(JSON.stringify([job.input, job.outDir, job.base, [...job.outputs].sort(), job.texture, job.maxFaces ?? null])).digest('hex').slice(0, 32);
}
