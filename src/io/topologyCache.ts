/**
 * Bytes that depend only on a mesh's topology (the `f` lines of an OBJ, its `vt` lines,
 * a GLB's re-wound index buffer), made once per index array and copied afterwards: the
 * UV assets fix the topology for a whole process, so every face of every photo shares
 * them. Entries are kept weakly per array, each with a copy of the indices it was made
 * from; a call compares the array with that copy (a memory comparison under Node) and
 * rebuilds the entry when the array was changed in place.
 */

interface Entry {
  /** A copy of the indices the bytes were made from. */
  source: Uint32Array | Int32Array;
  /** The bytes made so far, per variant. */
  bytes: Map<string, Uint8Array>;
}

const cache = new WeakMap<object, Entry>();

/**
 * The bytes `make()` returns for `indices` and `variant` (a string naming everything
 * else they depend on), made on the first call and returned, shared, on later calls
 * while `indices` holds the same values. Never change the bytes returned.
 *
 * ```ts
 * const faces = topologyBytes(triangles, 'obj f reverse', () => writeFaces(triangles, true));
 * ```
 */
export function topologyBytes(indices: Uint32Array | Int32Array, variant: string, make: () => Uint8Array): Uint8Array {
  let entry = cache.get(indices);
  if (!entry || !sameValues(entry.source, indices)) cache.set(indices, (entry = { source: indices.slice(), bytes: new Map() }));
  let bytes = entry.bytes.get(variant);
  if (!bytes) entry.bytes.set(variant, (bytes = make()));
  return bytes;
}

/**
 * Node's `Buffer`, when there is one, without importing it (this module also runs in
 * browsers): `equals` is a `memcmp`, about ten times faster than a loop over 260,721 indices.
 */
const NodeBuffer = (globalThis as { Buffer?: { from(a: ArrayBuffer, offset: number, length: number): { equals(b: Uint8Array): boolean } } }).Buffer;

/** Whether two arrays of the same type hold the same values. */
function sameValues(a: Uint32Array | Int32Array, b: Uint32Array | Int32Array): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  if (NodeBuffer) {
    return NodeBuffer.from(a.buffer as ArrayBuffer, a.byteOffset, a.byteLength)
      .equals(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
