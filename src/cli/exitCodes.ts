/**
 * Exit statuses of every `prnet` command: 0 when all went well, {@link EXIT_INPUT} when an
 * input failed (the batch goes on), {@link EXIT_USAGE} for usage and setup errors found
 * before any work, {@link EXIT_INTERRUPTED} after Ctrl-C or SIGTERM.
 */

/** An input failed: an unreadable photo, no face, a damaged video. */
export const EXIT_INPUT = 1;

/** Usage and setup errors: bad options, a missing input or model, an unwritable output. */
export const EXIT_USAGE = 2;

/** Stopped by Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention). */
export const EXIT_INTERRUPTED = 130;

/**
 * An error that ends the command with {@link EXIT_USAGE}: thrown before any work, it
 * sets the exit status, and `main` prints its message.
 *
 * ```ts
 * if (opts.int8 && opts.fp16) throw usageError('--int8 and --fp16 exclude each other');
 * ```
 */
export function usageError(message: string): Error {
  process.exitCode = EXIT_USAGE;
  return new Error(message);
}

/**
 * Runs `setup`, marking what it throws as a usage error ({@link EXIT_USAGE}): for setup
 * steps whose failures (a model that does not load, a folder that cannot be made) precede
 * any work, without a `usageError` at each place they can throw.
 *
 * ```ts
 * const model = await usageErrorsOf(() => loadModel(opts.model));
 * ```
 */
export async function usageErrorsOf<T>(setup: () => Promise<T>): Promise<T> {
  return setup().catch((err: unknown) => {
    process.exitCode = EXIT_USAGE;
    throw err;
  });
}
