/**
 * The files prnet writes for a photo, by kind: what `prnet reconstruct --outputs`, the job
 * queue's `outputs` and `writeOutputs` accept. One list, so a kind added to the writer is
 * offered everywhere.
 */

/** The output kinds, in the order `--help` lists them. */
export const OUTPUT_KINDS = ['obj', 'ply', 'glb', 'json', 'texture', 'depth', 'overlay', 'posmap', 'pncc', 'stl', 'pts', 'aligned'] as const;

/** One of {@link OUTPUT_KINDS}. */
export type OutputKind = (typeof OUTPUT_KINDS)[number];
