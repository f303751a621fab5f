/**
 * The typed arrays that numeric file formats (`.npy`, MATLAB's `.mat`) decode to: every
 * integer width signed and unsigned, and both float widths.
 */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;
