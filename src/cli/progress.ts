/**
 * Batch progress for the CLI: a progress bar (cli-progress) on an interactive terminal,
 * one plain line per item otherwise (logs, CI). Messages printed through it never tear
 * the bar.
 */
import cliProgress from 'cli-progress';

/** A running progress display. */
export interface Progress {
  /** Marks one more item done; plain mode prints `note` for a success (a failure has printed its own line). */
  tick(item: string, note: string, ok?: boolean): void;
  /** Prints a line (errors, warnings) without breaking the bar. */
  log(line: string): void;
  /** Removes the bar. */
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Number of items. */
  total: number;
  /** Stream to draw on (stderr, so stdout stays clean for scripts). */
  stream: NodeJS.WriteStream;
  /** Draw a bar; default: when the stream is a TTY and there is more than one item. */
  bar?: boolean;
  /** Print a line per finished item in plain mode. */
  verbose?: boolean;
}

/**
 * Starts a progress display.
 *
 * ```ts
 * const progress = createProgress({ total: files.length, stream: process.stderr });
 * progress.tick('a.jpg', '1 face');
 * progress.stop();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const { total, stream } = options;
  const useBar = options.bar ?? (Boolean(stream.isTTY) && total > 1);
  let done = 0;
  if (!useBar) {
    return {
      tick(item, note, ok = true) {
        done++;
        if (ok && options.verbose !== false) stream.write(`prnet: [${done}/${total}] ${item}: ${note}\n`);
      },
      log(line) {
        stream.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { stream, format: 'prnet {bar} {value}/{total} images | {eta_formatted} left | {item}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(total, 0, { item: '' });
  return {
    tick(item) {
      bar.increment(1, { item });
    },
    log(line) {
      multi.log(`${line}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
