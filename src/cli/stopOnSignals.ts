/**
 * How a long command stops, the same in `prnet reconstruct` and `prnet video`: the first
 * Ctrl-C or SIGTERM aborts the work, which finishes the files being written; a second one
 * exits at once through {@link stopAtOnce} with status 130; a reader of standard output
 * that goes away (`prnet … -o - | head`) stops the work as the first signal does, but the
 * command then exits 0.
 */
import { EXIT_INTERRUPTED } from './exitCodes.js';
import { stopAtOnce } from './stopAtOnce.js';

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /** What the first signal does, printed after `prnet: SIGINT: `. */
  stopping: string;
  /** What the second signal did, printed after `prnet: SIGINT again: ` just before the exit. */
  stopped: string;
  /** Also stop when standard output's reader goes away (the command writes to it). */
  watchStdout?: boolean;
  /** A line to print, once, when standard output's reader goes away (none if not given). */
  readerGoneLine?: string;
}

/** The stop handle of a running command. */
export interface StopControl {
  /** Aborted by the first signal, or when standard output's reader goes away. */
  signal: AbortSignal;
  /** Whether the reader of standard output went away (the command then exits 0, not 130). */
  readerGone(): boolean;
  /** Removes the signal handlers: the work is over. */
  dispose(): void;
}

/**
 * Installs the handlers; call `dispose()` once the work is done.
 *
 * ```ts
 * const stop = stopOnSignals({ stopping: 'finishing the files…', stopped: 'stopped', watchStdout: toStdout });
 * const summary = await work({ signal: stop.signal });
 * stop.dispose();
 * process.exitCode = summary.interrupted && !stop.readerGone() ? EXIT_INTERRUPTED : 0;
 * ```
 */
export function stopOnSignals(options: StopOnSignalsOptions): StopControl {
  const controller = new AbortController();
  let stopping = false;
  let readerGone = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      if (stopping) return;
      stopping = true;
      void stopAtOnce().then(() => {
        process.stderr.write(`\nprnet: ${sig} again: ${options.stopped}\n`);
        process.exit(EXIT_INTERRUPTED);
      });
      return;
    }
    process.stderr.write(`\nprnet: ${sig}: ${options.stopping}\n`);
    controller.abort();
  };
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') process.stderr.write(`prnet: standard output: ${err.message}\n`);
    if (!readerGone && options.readerGoneLine) process.stderr.write(`${options.readerGoneLine}\n`);
    readerGone = true;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (options.watchStdout) process.stdout.on('error', onStdoutError);
  return {
    signal: controller.signal,
    readerGone: () => readerGone,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // The error handler stays: a write still queued may yet fail with EPIPE, which
      // without a handler would throw.
    },
  };
}
