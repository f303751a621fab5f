import test from 'node:test';
import assert from 'node:assert/strict';
import { encodePts, parsePts } from '../../src/io/pts.js';

/** A 300-W file as its tools write it (iBUG's layout: two spaces after n_points, CRLF lines). */
const IBUG = 'version: 1\r\nn_points:  3\r\n{\r\n151.5 230.25\r\n1 1\r\n460.0 99.875\r\n}\r\n';

test('parsePts reads an iBUG file into 0-based pixel coordinates (300-W\'s top-left pixel is 1, 1)', () => {
  assert.deepEqual([...parsePts(IBUG)], [150.5, 229.25, 0, 0, 459, 98.875]);
  assert.deepEqual([...parsePts(IBUG, 'a.pts', { origin: 0 })], [151.5, 230.25, 1, 1, 460, 99.875]);
  // A byte-order mark, blank lines, header lines in another order, trailing spaces.
  assert.deepEqual([...parsePts('\uFEFFn_points: 1\nversion: 1\n\n{ \n  2 3  \n}\n\n')], [1, 2]);
});

test('encodePts ↔ parsePts: random points survive to the file\'s thousandth of a pixel; x, y, z rows leave z out', () => {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const xyz = Float32Array.from({ length: 68 * 3 }, () => rand() * 900 - 100);
  const text = encodePts(xyz, 3);
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['version: 1', 'n_points:  68', '{']);
  assert.equal(lines.length, 68 + 5, 'header, brace, 68 points, brace, final newline');
  const back = parsePts(text);
  for (let k = 0; k < 68; k++) {
    for (let c = 0; c < 2; c++) assert.ok(Math.abs(back[2 * k + c]! - xyz[3 * k + c]!) <= 0.0005 + 1e-9, `point ${k}`);
    // The file holds what a 1-based tool expects: one more than prnet's pixel.
    assert.equal(lines[3 + k]!.split(' ')[0], (xyz[3 * k]! + 1).toFixed(3));
  }
  assert.deepEqual([...parsePts(encodePts([5, 6], 2, { origin: 0 }), 'x', { origin: 0 })], [5, 6]);
});

test('a damaged .pts file is one error naming the file and the line', () => {
  const cases: [string, RegExp][] = [
    ['', /a\.pts: line \d+: not a \.pts file/],
    ['version: 1\nn_points: 2\n{\n1 2\n}\n', /a\.pts: line 5: n_points says 2, the file has 1/],
    ['version: 1\nn_points: 1\n{\n1 2\n3 4\n}\n', /a\.pts: line 5: n_points says 1, the file has more/],
    ['version: 1\nn_points: 1\n{\n1 nan\n}\n', /a\.pts: line 4: expected "x y", got "1 nan"/],
    ['version: 1\nn_points: 1\n{\n1 2 3\n}\n', /line 4: expected "x y"/],
    ['version: 1\nn_points: 1\n{\n1 2\n', /line \d+: no "}" after the points/],
    ['version: 1\nn_points: -3\n{\n}\n', /line 2: n_points must be a positive integer, got -3/],
    ['version: 1\n{\n1 2\n}\n', /line 2: no "n_points:" line before "{"/],
    ['<html>\n', /line 1: expected a header line/],
  ];
  for (const [text, message] of cases) assert.throws(() => parsePts(text, 'a.pts'), message, JSON.stringify(text));
  assert.throws(() => encodePts([1, 2, 3], 2), /need n×2 numbers, got 3/);
  assert.throws(() => encodePts([1, NaN], 2), /point 0 is not finite/);
});
