/**
 * Where the validation benchmarks find their data: the model under test (`PRNET_BENCH_MODEL`,
 * default the shipped one), the label sets `prnet label` writes into `runs/` (which fix the
 * held-out splits), the two training sets in `../shared`, and how many held-out AFLW-21
 * faces to use (`PRNET_BENCH_AFLW_LIMIT`, default 300; 0 skips them). Shared by
 * `bench/flipAverage.ts` and `bench/posmapSmoothing.ts`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const VALIDATION_SETS = {
  root,
  modelPath: path.resolve(process.env['PRNET_BENCH_MODEL'] ?? path.join(root, 'models/default.onnx')),
  helenLabels: path.join(root, 'runs/labels-helen'),
  aflwLabels: path.join(root, 'runs/labels-aflw21-v2'),
  helenDir: path.join(root, '../shared/datasets/helen-afw68'),
  aflwDir: path.join(root, '../shared/datasets/aflw21'),
  aflwLimit: Number(process.env['PRNET_BENCH_AFLW_LIMIT'] ?? 300),
};
