import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseMat, type MatNumeric, type MatChar, type MatCell, type MatStruct } from '../../src/io/mat.js';
import { parseMatAsync } from '../../src/io/matAsync.js';
import { matNumericVariable } from '../../src/io/matValues.js';
import { readMatFile } from '../../src/node/files/readMatFile.js';

const dir = fileURLToPath(new URL('../../../shared/fixtures/aflw2000-sample/', import.meta.url));
const inflate = (d: Uint8Array) => inflateSync(d);

// ---------------------------------------------------------------- a tiny independent MAT v5 writer
type Spec =
  | { t: 'num'; cls: number; mi: number; shape: number[]; c: (number | bigint)[]; imag?: number[]; logical?: boolean }
  | { t: 'char'; shape: number[]; c: string; utf8?: boolean }
  | { t: 'cell'; shape: number[]; c: Spec[] }
  | { t: 'struct'; shape: number[]; fields: string[]; c: Record<string, Spec>[] };

const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1 };

class Writer {
  constructor(readonly little: boolean) {}
  cat(parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  tag(type: number, payload: Uint8Array, small = false): Uint8Array {
    if (small && payload.length <= 4) {
      const out = new Uint8Array(8);
      const dv = new DataView(out.buffer);
      // packed: size in the upper 16 bits, type in the lower 16 (as a 32-bit word of the file's order)
      dv.setUint32(0, (payload.length << 16) | type, this.little);
      out.set(payload, 4);
      return out;
    }
    const pad = type === 15 ? 0 : (8 - (payload.length % 8)) % 8;
    const out = new Uint8Array(8 + payload.length + pad);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, type, this.little);
    dv.setUint32(4, payload.length, this.little);
    out.set(payload, 8);
    return out;
  }
  values(mi: number, vals: (number | bigint)[]): Uint8Array {
    const size = MI_SIZE[mi]!;
    const out = new Uint8Array(vals.length * size);
    const dv = new DataView(out.buffer);
    vals.forEach((v, i) => {
      const o = i * size;
      const n = Number(v);
      switch (mi) {
        case 1: dv.setInt8(o, n); break;
        case 2: case 16: dv.setUint8(o, n); break;
        case 3: dv.setInt16(o, n, this.little); break;
        case 4: dv.setUint16(o, n, this.little); break;
        case 5: dv.setInt32(o, n, this.little); break;
        case 6: dv.setUint32(o, n, this.little); break;
        case 7: dv.setFloat32(o, n, this.little); break;
        case 9: dv.setFloat64(o, n, this.little); break;
        case 12: dv.setBigInt64(o, BigInt(v), this.little); break;
        case 13: dv.setBigUint64(o, BigInt(v), this.little); break;
      }
    });
    return out;
  }
  /** C-order list → column-major list. */
  colMajor<T>(c: T[], shape: number[]): T[] {
    const n = c.length;
    const out = new Array<T>(n);
    const cStride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    for (let f = 0; f < n; f++) {
      let rem = f;
      let ci = 0;
      for (let d = 0; d < shape.length; d++) {
        ci += (rem % shape[d]!) * cStride[d]!;
        rem = Math.floor(rem / shape[d]!);
      }
      out[f] = c[ci]!;
    }
    return out;
  }
  matrix(name: string, s: Spec): Uint8Array {
    const cls = s.t === 'num' ? s.cls : s.t === 'char' ? 4 : s.t === 'cell' ? 1 : 2;
    const flags = cls | (s.t === 'num' && s.imag ? 0x800 : 0) | (s.t === 'num' && s.logical ? 0x200 : 0);
    const parts = [
      this.tag(6, this.values(6, [flags, 0])),
      this.tag(5, this.values(5, s.shape)),
      this.tag(1, new TextEncoder().encode(name), true),
    ];
    if (s.t === 'num') {
      parts.push(this.tag(s.mi, this.values(s.mi, this.colMajor(s.c, s.shape))));
      if (s.imag) parts.push(this.tag(s.mi, this.values(s.mi, this.colMajor(s.imag, s.shape))));
    } else if (s.t === 'char') {
      const chars = this.colMajor([...s.c], s.shape);
      if (s.utf8) parts.push(this.tag(16, new TextEncoder().encode(chars.join(''))));
      else parts.push(this.tag(4, this.values(4, chars.map((ch) => ch.charCodeAt(0)))));
    } else if (s.t === 'cell') {
      for (const item of this.colMajor(s.c, s.shape)) parts.push(this.matrix('', item));
    } else {
      const len = 32;
      parts.push(this.tag(5, this.values(5, [len]), true));
      const names = new Uint8Array(len * s.fields.length);
      s.fields.forEach((f, i) => names.set(new TextEncoder().encode(f), i * len));
      parts.push(this.tag(1, names));
      for (const el of this.colMajor(s.c, s.shape)) for (const f of s.fields) parts.push(this.matrix('', el[f]!));
    }
    return this.tag(14, this.cat(parts));
  }
  file(vars: Record<string, Spec>, compress: boolean): Uint8Array {
    const header = new Uint8Array(128).fill(32);
    header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by the prnet test writer'));
    const dv = new DataView(header.buffer);
    dv.setUint16(124, 0x0100, this.little);
    header.set(new TextEncoder().encode(this.little ? 'IM' : 'MI'), 126);
    const parts: Uint8Array[] = [header];
    for (const [name, spec] of Object.entries(vars)) {
      const m = this.matrix(name, spec);
      parts.push(compress ? this.tag(15, deflateSync(m)) : m);
    }
    return this.cat(parts);
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

// ---------------------------------------------------------------- the AFLW2000-3D fixtures

test('AFLW2000-3D fixtures: 31 files, shapes, known values (from scipy.io.loadmat)', async () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.mat')).sort();
  assert.equal(files.length, 31);
  for (const f of files) {
    const mat = await readMatFile(dir + f);
    const v = mat.variables;
    const shapes: Record<string, number[]> = {
      pt3d_68: [3, 68], pt2d: [2, 21], Pose_Para: [1, 7], Shape_Para: [199, 1], Exp_Para: [29, 1], roi: [1, 4],
      Illum_Para: [1, 10], Color_Para: [1, 7], Tex_Para: [199, 1],
    };
    for (const [k, s] of Object.entries(shapes)) assert.deepEqual(v[k]?.shape, s, `${f} ${k}`);
    assert.equal((v.pt3d_68 as MatNumeric).class, 'single');
    assert.equal((v.roi as MatNumeric).class, 'int16');
    assert.equal((v.Shape_Para as MatNumeric).class, 'double');
  }
  const a = await readMatFile(dir + 'image00002.mat');
  const pt = a.variables.pt3d_68 as MatNumeric;
  // C order: (r, c) at r·68 + c
  assert.equal(pt.data[0], Math.fround(121.868034));
  assert.equal(pt.data[2 * 68 + 67], Math.fround(9.237297));
  assert.equal(pt.data[1 * 68 + 30], Math.fround(281.8034));
  const pose = (a.variables.Pose_Para as MatNumeric).data;
  [-0.39923078, 0.01822658, 0.08567622].forEach((v, i) => assert.ok(Math.abs(Number(pose[i]) - v) < 1e-8, `Pose_Para[${i}]`));
  assert.deepEqual([...(a.variables.roi as MatNumeric).data], [13, -26, 437, 398]);
  assert.equal((a.variables.pt2d as MatNumeric).data[1 * 21 + 20], 376.88235294117646);
  assert.equal((a.variables.Shape_Para as MatNumeric).data[198], 72.0778835083483);
  assert.equal((a.variables.Exp_Para as MatNumeric).data[0], -4.38954166090568);
  const b = await readMatFile(dir + 'image04331.mat');
  const ptb = matNumericVariable(b, 'pt3d_68', [3, 68]);
  assert.equal(ptb.data[0], Math.fround(233.3696));
  assert.equal(ptb.data[2 * 68 + 67], Math.fround(22.73875));
  assert.deepEqual([...(b.variables.roi as MatNumeric).data], [189, -56, 481, 236]);
  assert.ok(Math.abs(Number((b.variables.Pose_Para as MatNumeric).data[1]) - 0.7932767) < 1e-7);
  assert.throws(() => matNumericVariable(b, 'pt3d_68', [68, 3], 'b.mat'), /b\.mat: variable 'pt3d_68' is 3×68, expected 68×3/);
  assert.throws(() => matNumericVariable(b, 'nope'), /'nope' is missing/);
  // the web-standard async path gives the same values
  const c = await parseMatAsync(new Uint8Array(readFileSync(dir + 'image04331.mat')));
  assert.deepEqual([...(c.variables.pt3d_68 as MatNumeric).data], [...(b.variables.pt3d_68 as MatNumeric).data]);
});

// ---------------------------------------------------------------- generated files

test('generated files: N-D numeric of every class, complex, logical, both byte orders, compressed or not', async () => {
  const r = rng(9);
  const classes: [number, number, string, () => number | bigint][] = [
    [6, 9, 'double', () => (r() - 0.5) * 1e6],
    [6, 2, 'double', () => Math.floor(r() * 256)], // doubles stored compactly as uint8, as MATLAB does
    [7, 7, 'single', () => Math.fround((r() - 0.5) * 100)],
    [8, 1, 'int8', () => Math.floor(r() * 256) - 128],
    [9, 2, 'uint8', () => Math.floor(r() * 256)],
    [10, 3, 'int16', () => Math.floor(r() * 65536) - 32768],
    [11, 4, 'uint16', () => Math.floor(r() * 65536)],
    [12, 5, 'int32', () => Math.floor(r() * 2 ** 32) - 2 ** 31],
    [13, 6, 'uint32', () => Math.floor(r() * 2 ** 32)],
    [14, 12, 'int64', () => BigInt(Math.floor((r() - 0.5) * 2 ** 40)) * 4096n],
    [15, 13, 'uint64', () => BigInt(Math.floor(r() * 2 ** 40)) * 4096n],
  ];
  for (const little of [true, false]) {
    for (const compress of [false, true]) {
      const w = new Writer(little);
      const vars: Record<string, Spec> = {};
      const expected: Record<string, (number | bigint)[]> = {};
      classes.forEach(([cls, mi, , gen], i) => {
        const shape = [2, 3, 4];
        const c = Array.from({ length: 24 }, gen);
        vars[`v${i}`] = { t: 'num', cls, mi, shape, c };
        expected[`v${i}`] = c;
      });
      const im = Array.from({ length: 6 }, () => (r() - 0.5) * 10);
      const re = Array.from({ length: 6 }, () => (r() - 0.5) * 10);
      vars.z = { t: 'num', cls: 6, mi: 9, shape: [3, 2], c: re, imag: im };
      vars.mask = { t: 'num', cls: 9, mi: 2, shape: [2, 2], c: [1, 0, 0, 1], logical: true };
      vars.four = { t: 'num', cls: 6, mi: 9, shape: [2, 1, 3, 2], c: Array.from({ length: 12 }, (_, i) => i) };
      const bytes = w.file(vars, compress);
      const mats = [parseMat(bytes, { inflate }), await parseMatAsync(bytes)];
      for (const mat of mats) {
        classes.forEach(([, , name], i) => {
          const v = mat.variables[`v${i}`] as MatNumeric;
          assert.equal(v.class, name);
          assert.deepEqual(v.shape, [2, 3, 4]);
          assert.deepEqual([...v.data], expected[`v${i}`], `${name} little=${little} compress=${compress}`);
        });
        const z = mat.variables.z as MatNumeric;
        assert.deepEqual([...z.data], re);
        assert.deepEqual([...z.imag!], im);
        const m = mat.variables.mask as MatNumeric;
        assert.equal(m.logical, true);
        assert.deepEqual([...m.data], [1, 0, 0, 1]);
        assert.deepEqual([...(mat.variables.four as MatNumeric).data], Array.from({ length: 12 }, (_, i) => i));
      }
    }
  }
});

test('generated files: char (UTF-16 and UTF-8), cell and struct arrays', () => {
  const w = new Writer(true);
  const vars: Record<string, Spec> = {
    title: { t: 'char', shape: [1, 11], c: 'hello world' },
    grid: { t: 'char', shape: [2, 3], c: 'abcdef' },
    u8: { t: 'char', shape: [1, 4], c: 'näme', utf8: true },
    cells: {
      t: 'cell',
      shape: [2, 2],
      c: [
        { t: 'num', cls: 6, mi: 9, shape: [1, 2], c: [1.5, 2.5] },
        { t: 'char', shape: [1, 2], c: 'ok' },
        { t: 'cell', shape: [1, 1], c: [{ t: 'num', cls: 12, mi: 5, shape: [1, 1], c: [-7] }] },
        { t: 'num', cls: 6, mi: 9, shape: [0, 0], c: [] },
      ],
    },
    s: {
      t: 'struct',
      shape: [1, 2],
      fields: ['name', 'pts'],
      c: [
        { name: { t: 'char', shape: [1, 1], c: 'a' }, pts: { t: 'num', cls: 7, mi: 7, shape: [2, 2], c: [1, 2, 3, 4] } },
        { name: { t: 'char', shape: [1, 2], c: 'bc' }, pts: { t: 'num', cls: 7, mi: 7, shape: [1, 1], c: [9] } },
      ],
    },
  };
  for (const compress of [false, true]) {
    const mat = parseMat(w.file(vars, compress), { inflate });
    assert.equal((mat.variables.title as MatChar).text, 'hello world');
    assert.deepEqual((mat.variables.grid as MatChar).rows, ['abc', 'def']);
    assert.equal((mat.variables.u8 as MatChar).text, 'näme');
    const cells = mat.variables.cells as MatCell;
    assert.deepEqual(cells.shape, [2, 2]);
    assert.deepEqual([...(cells.cells[0] as MatNumeric).data], [1.5, 2.5]);
    assert.equal((cells.cells[1] as MatChar).text, 'ok');
    const inner = (cells.cells[2] as MatCell).cells[0] as MatNumeric;
    assert.equal(inner.class, 'int32');
    assert.equal(inner.data[0], -7);
    assert.deepEqual(cells.cells[3]!.shape, [0, 0]);
    const s = mat.variables.s as MatStruct;
    assert.deepEqual(s.fieldNames, ['name', 'pts']);
    assert.equal(s.elements.length, 2);
    assert.equal((s.elements[1]!.name as MatChar).text, 'bc');
    assert.deepEqual([...(s.elements[0]!.pts as MatNumeric).data], [1, 2, 3, 4]);
    assert.deepEqual((s.elements[0]!.pts as MatNumeric).shape, [2, 2]);
  }
});

test('clear errors: v7.3, not a MAT-file, truncated, compressed without inflate, sparse, corrupt zlib', () => {
  const hdf = new Uint8Array(1024);
  hdf.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'));
  hdf.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 512);
  assert.throws(() => parseMat(hdf, { name: 'x.mat' }), /x\.mat: MATLAB v7\.3 \(HDF5\)/);
  assert.throws(() => parseMat(new Uint8Array(200)), /not a MATLAB 5 MAT-file/);
  assert.throws(() => parseMat(new Uint8Array(10)), /not a MAT-file/);
  const w = new Writer(true);
  const good = w.file({ a: { t: 'num', cls: 6, mi: 9, shape: [4, 4], c: Array(16).fill(1) } }, false);
  assert.throws(() => parseMat(good.subarray(0, good.length - 20)), /truncated/);
  const comp = w.file({ a: { t: 'num', cls: 6, mi: 9, shape: [4, 4], c: Array(16).fill(1) } }, true);
  assert.throws(() => parseMat(comp), /no inflate function/);
  const bad = comp.slice();
  bad.fill(0x55, 140, 150);
  assert.throws(() => parseMat(bad, { inflate }), /corrupt compressed variable/);
  const sparse = w.file({ sp: { t: 'num', cls: 5, mi: 9, shape: [2, 2], c: [0, 0, 0, 0] } }, false);
  assert.throws(() => parseMat(sparse), /sp: sparse arrays are not supported/);
  // wrong element count for the dimensions
  const lie = w.file({ a: { t: 'num', cls: 6, mi: 9, shape: [4, 4], c: Array(16).fill(1) } }, false);
  new DataView(lie.buffer).setInt32(128 + 8 + 16 + 8, 5, true); // first dimension 4 → 5
  assert.throws(() => parseMat(lie), /16 values stored, 20 expected/);
});
