/**
 * Progress of `prnet video`: a bar with frames per second on an interactive terminal
 * (cli-progress), a line every few seconds otherwise (logs, CI).
 */
import cliProgress from 'cli-progress';

/** A running video progress display. */
export interface VideoProgress {
  /** One more frame done, with the faces it holds. */
  tick(faces: number): void;
  /** Removes the bar. */
  stop(): void;
}

/** Options of {@link createVideoProgress}. */
export interface VideoProgressOptions {
  /** Frames expected (0 when unknown). */
  total: number;
  /** Stream to draw on (stderr). */
  stream: NodeJS.WriteStream;
  /** Draw a bar; default: when the stream is a TTY. */
  bar?: boolean;
  /** Seconds between two plain lines. */
  every?: number;
}

/**
 * Starts a video progress display.
 *
 * ```ts
 * const progress = createVideoProgress({ total: info.frames, stream: process.stderr });
 * progress.tick(faces.length);
 * progress.stop();
 * ```
 */
export function createVideoProgress(options: VideoProgressOptions): VideoProgress {
  const { total, stream } = options;
  const start = performance.now();
  let done = 0;
  let lastLine = start;
  const fps = () => (done / Math.max(1e-3, (performance.now() - start) / 1000)).toFixed(1);
  if (!(options.bar ?? Boolean(stream.isTTY))) {
    const every = (options.every ?? 5) * 1000;
    return {
      tick() {
        done++;
        const now = performance.now();
        if (now - lastLine >= every) {
          lastLine = now;
          stream.write(`prnet: frame ${done}${total ? `/${total}` : ''}, ${fps()} fps\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      // A stream of unknown length (a piped video) has no bar to fill and no time left.
      format: total > 0 ? 'prnet video {bar} {value}/{total} frames | {fps} fps | {faces} faces | {eta_formatted} left' : 'prnet video {value} frames | {fps} fps | {faces} faces',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { fps: '0.0', faces: 0 });
  return {
    tick(faces) {
      done++;
      if (done > total) bar.setTotal(done);
      bar.update(done, { fps: fps(), faces });
    },
    stop() {
      bar.stop();
    },
  };
}
