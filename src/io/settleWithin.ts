/**
 * Waiting, with a bound, for work already started: what a program about to exit does with
 * the file writes or network runs it cannot cancel. Isomorphic.
 */

/**
 * Resolves `true` once every promise in `pending` has settled, also those added to it while
 * waiting (their owners remove them when they settle), or `false` after `timeoutMs`.
 *
 * ```ts
 * const inFlight = new Set<Promise<unknown>>();
 * if (!(await settleWithin(inFlight, 2000))) console.warn('gave up waiting');
 * ```
 */
export async function settleWithin(pending: ReadonlySet<Promise<unknown>>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    while (pending.size > 0) {
      const settled = await Promise.race([Promise.allSettled([...pending]).then(() => true), timeout]);
      if (!settled) return false;
    }
    return true;
  } finally {
    clearTimeout(timer);
  }
}
