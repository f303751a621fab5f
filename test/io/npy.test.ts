import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNpy, readNpy, npyToCOrder, npyToFloat64, npyToInt32 } from '../../src/io/npy.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));

/** Tiny independent .npy writer: values given in C order, written in the requested layout. */
function writeNpy(opts: {
  descr: string;
  shape: number[];
  valuesC: (number | bigint)[];
  fortran?: boolean;
  version?: 1 | 2 | 3;
}): Uint8Array {
  const { descr, shape, valuesC } = opts;
  const fortran = opts.fortran ?? false;
  const version = opts.version ?? 1;
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeStr}, }`;
  const pre = version === 1 ? 10 : 12;
  while ((pre + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const size = Number(descr.slice(2));
  const n = valuesC.length;
  const out = new Uint8Array(pre + header.length + n * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  const little = descr[0] !== '>';
  const kind = descr[1];
  // Storage order: for Fortran, element at storage position p has column-major index.
  const cStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  for (let p = 0; p < n; p++) {
    let cIndex = p;
    if (fortran) {
      let rem = p;
      cIndex = 0;
      for (let d = 0; d < shape.length; d++) {
        const id = rem % shape[d]!;
        rem = Math.floor(rem / shape[d]!);
        cIndex += id * cStrides[d]!;
      }
    }
    const v = valuesC[cIndex]!;
    const off = pre + header.length + p * size;
    if (kind === 'f' && size === 4) dv.setFloat32(off, Number(v), little);
    else if (kind === 'f' && size === 8) dv.setFloat64(off, Number(v), little);
    else if (kind === 'i' && size === 8) dv.setBigInt64(off, BigInt(v), little);
    else if (kind === 'u' && size === 8) dv.setBigUint64(off, BigInt(v), little);
    else if (kind === 'i' && size === 4) dv.setInt32(off, Number(v), little);
    else if (kind === 'u' && size === 4) dv.setUint32(off, Number(v), little);
    else if (kind === 'i' && size === 2) dv.setInt16(off, Number(v), little);
    else if (kind === 'u' && size === 2) dv.setUint16(off, Number(v), little);
    else if (kind === 'i' && size === 1) dv.setInt8(off, Number(v));
    else if ((kind === 'u' || kind === 'b') && size === 1) dv.setUint8(off, Number(v));
    else throw new Error('writer: unsupported ' + descr);
  }
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('pts21.npy: float32 19080×2×21 with known values', () => {
  const a = readNpy(new Uint8Array(readFileSync(shared + 'datasets/aflw21/pts21.npy')));
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [19080, 2, 21]);
  assert.ok(a.data instanceof Float32Array);
  const at = (i: number, j: number, k: number) => (a.data as Float32Array)[(i * 2 + j) * 21 + k]!;
  assert.ok(Math.abs(at(0, 0, 0) - 152.23967) < 1e-4);
  assert.ok(Math.abs(at(0, 1, 0) - 196.86777) < 1e-4);
  assert.equal(at(0, 0, 5), -1);
});

test('canonical_vertices.npy: float64 43867×3', () => {
  const a = readNpy(new Uint8Array(readFileSync(shared + 'prnet-data/uv-data/canonical_vertices.npy')));
  assert.equal(a.dtype, 'float64');
  assert.deepEqual(a.shape, [43867, 3]);
  const d = a.data as Float64Array;
  assert.ok(Math.abs(d[0]! - -80.75020625) < 1e-6);
  assert.ok(Math.abs(d[1]! - 174.65432813) < 1e-6);
  assert.ok(Math.abs(d[43866 * 3 + 2]! - 107.42427852) < 1e-6);
});

test('generated arrays: every dtype, both byte orders, C and Fortran order, versions 1-3', () => {
  const r = rng(7);
  const cases: [string, () => number | bigint, (v: number | bigint) => number | bigint][] = [
    ['f4', () => (r() - 0.5) * 1000, (v) => Math.fround(Number(v))],
    ['f8', () => (r() - 0.5) * 1e6, (v) => v],
    ['i1', () => Math.floor(r() * 256) - 128, (v) => v],
    ['u1', () => Math.floor(r() * 256), (v) => v],
    ['i2', () => Math.floor(r() * 65536) - 32768, (v) => v],
    ['u2', () => Math.floor(r() * 65536), (v) => v],
    ['i4', () => Math.floor(r() * 2 ** 32) - 2 ** 31, (v) => v],
    ['u4', () => Math.floor(r() * 2 ** 32), (v) => v],
    ['i8', () => BigInt(Math.floor((r() - 0.5) * 2 ** 52)) * 1000n, (v) => v],
    ['u8', () => BigInt(Math.floor(r() * 2 ** 52)) * 1000n, (v) => v],
  ];
  const shape = [3, 4, 5];
  let caseNo = 0;
  for (const [code, gen, expect] of cases) {
    for (const order of ['<', '>']) {
      for (const fortran of [false, true]) {
        const values = Array.from({ length: 60 }, gen);
        const version = ((caseNo++ % 3) + 1) as 1 | 2 | 3;
        const bytes = writeNpy({ descr: order + code, shape, valuesC: values, fortran, version });
        const raw = parseNpy(bytes);
        assert.equal(raw.fortranOrder, fortran);
        assert.deepEqual(raw.shape, shape);
        const a = npyToCOrder(raw);
        assert.equal(a.fortranOrder, false);
        for (let i = 0; i < 60; i++) {
          assert.equal(a.data[i], expect(values[i]!), `${order}${code} fortran=${fortran} element ${i}`);
        }
        if (fortran) {
          // storage order must differ from C order for a real transposition test
          assert.notEqual(raw.data[1], a.data[1]);
        }
      }
    }
  }
});

test('bool arrays, 1-D and scalar shapes', () => {
  const b = readNpy(writeNpy({ descr: '|b1', shape: [5], valuesC: [1, 0, 0, 1, 1] }));
  assert.equal(b.dtype, 'bool');
  assert.deepEqual([...b.data], [1, 0, 0, 1, 1]);
  const s = readNpy(writeNpy({ descr: '<f8', shape: [], valuesC: [3.25] }));
  assert.deepEqual(s.shape, []);
  assert.equal(s.data[0], 3.25);
});

test('int64 conversions check their range', () => {
  const a = readNpy(writeNpy({ descr: '<i8', shape: [3], valuesC: [5n, -7n, 2n ** 40n] }));
  assert.deepEqual([...npyToFloat64(a)], [5, -7, 2 ** 40]);
  assert.throws(() => npyToInt32(a), /does not fit int32/);
  const small = readNpy(writeNpy({ descr: '>i8', shape: [2], valuesC: [-3n, 2147483647n] }));
  assert.deepEqual([...npyToInt32(small)], [-3, 2147483647]);
  const huge = readNpy(writeNpy({ descr: '<i8', shape: [1], valuesC: [2n ** 60n + 1n] }));
  assert.throws(() => npyToFloat64(huge), /not exactly representable/);
  assert.throws(() => npyToInt32(readNpy(writeNpy({ descr: '<f8', shape: [1], valuesC: [1.5] }))), /does not fit int32/);
});

test('clear errors for bad input', () => {
  assert.throws(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), /bad magic/);
  const good = writeNpy({ descr: '<f4', shape: [10], valuesC: Array(10).fill(1) });
  assert.throws(() => parseNpy(good.subarray(0, good.length - 4)), /truncated data/);
  assert.throws(() => parseNpy(good.subarray(0, 30)), /truncated .npy header/);
  const obj = writeNpy({ descr: '|u1', shape: [1], valuesC: [0] });
  const at = Buffer.from(obj).indexOf("'|u1'");
  obj.set(new TextEncoder().encode("'|O' "), at);
  assert.throws(() => parseNpy(obj), /object arrays/);
});
