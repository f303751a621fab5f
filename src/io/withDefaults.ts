/**
 * Merges options over defaults, ignoring options that are `undefined`: a caller
 * forwarding `{ winding: options.winding }` must get the default, not `undefined`
 * (plain `{ ...DEFAULTS, ...options }` would let the `undefined` win). `null` is a
 * real value and is kept.
 *
 * ```ts
 * const { tolerance } = withDefaults(VERTEX_VISIBILITY_DEFAULTS, options);
 * ```
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as D & O;
}
