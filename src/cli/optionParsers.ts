/**
 * Parsers of numeric command-line options for commander: each refuses a bad value with a
 * message that names the option (`--epochs must be an integer ≥ 1, got "x"`).
 */
import { InvalidArgumentError } from 'commander';

/**
 * An integer option of at least `min`.
 *
 * ```ts
 * cmd.option('--limit <n>', 'first n images', int('--limit', 1));
 * ```
 */
export function int(name: string, min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
}

/** A finite number > 0. */
export function positive(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
}

/** A finite number ≥ 0. */
export function nonNegative(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n >= 0 && Number.isFinite(n)) || v.trim() === '') throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${v}"`);
    return n;
  };
}

/** A field of view: degrees strictly between 0 and 180. */
export function fovDegrees(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0 && n < 180)) throw new InvalidArgumentError(`${name} must be a field of view in degrees, between 0 and 180, got "${v}"`);
    return n;
  };
}

/** A number in [lo, hi]. */
export function inRange(name: string, lo: number, hi: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n >= lo && n <= hi)) throw new InvalidArgumentError(`${name} must be a number in [${lo}, ${hi}], got "${v}"`);
    return n;
  };
}
