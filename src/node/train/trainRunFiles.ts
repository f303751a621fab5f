/** File names inside a `prnet train` run directory (written by trainRun, read by export). */
export const TRAIN_RUN_FILES = {
  /** The latest checkpoint (periodic, per epoch, on stop): what `--resume` continues. */
  checkpoint: 'checkpoint.bin',
  /** The checkpoint of the epoch with the best validation score so far. */
  best: 'best.bin',
  /** That epoch's metrics (an `EpochMetrics` object). */
  bestMetrics: 'best.json',
  metrics: 'metrics.jsonl', steps: 'steps.jsonl', curveSvg: 'loss.svg', curvePng: 'loss.png',
  weights: 'weights.bin', manifest: 'weights.json', onnx: 'model.onnx',
} as const;
