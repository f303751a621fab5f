/**
 * A bounded admission gate: at most `capacity` pieces of work are admitted at once, the
 * rest are refused at once (never queued without bound, never left hanging). Isomorphic.
 */

/** Options of {@link admissionQueue}. */
export interface AdmissionQueueOptions {
  /** Work running at once (e.g. the network workers). */
  running: number;
  /** Work admitted beyond `running`, waiting its turn. */
  waiting: number;
}

/** A gate made by {@link admissionQueue}. */
export interface AdmissionQueue {
  /** Admits one piece of work: returns its release function, or `undefined` when full. */
  tryAdmit(): (() => void) | undefined;
  /** Work admitted and not yet released. */
  readonly admitted: number;
  /** Largest number admitted at once (`running + waiting`). */
  readonly capacity: number;
}

/**
 * A gate admitting at most `running + waiting` at once. The release function is
 * idempotent, so a request may release in a `finally` and on a timeout alike.
 *
 * ```ts
 * const gate = admissionQueue({ running: 2, waiting: 16 });
 * const release = gate.tryAdmit();
 * if (!release) return reply503();
 * try { await work(); } finally { release(); }
 * ```
 */
export function admissionQueue(options: AdmissionQueueOptions): AdmissionQueue {
  const capacity = options.running + options.waiting;
  if (!(Number.isInteger(options.running) && options.running >= 1)) throw new Error(`admissionQueue: running must be an integer ≥ 1, got ${options.running}`);
  if (!(Number.isInteger(options.waiting) && options.waiting >= 0)) throw new Error(`admissionQueue: waiting must be an integer ≥ 0, got ${options.waiting}`);
  let admitted = 0;
  return {
    tryAdmit() {
      if (admitted >= capacity) return undefined;
      admitted++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        admitted--;
      };
    },
    get admitted() {
      return admitted;
    },
    capacity,
  };
}
