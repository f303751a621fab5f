/**
 * The one defaults convention: `withDefaults(NAME_DEFAULTS, options)`. An option given as
 * `undefined` (a caller forwarding `{ x: options.x }`, a CLI flag left out) must take the
 * default; with a plain `{ ...DEFAULTS, ...options }` the `undefined` wins and these fail.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { withDefaults } from '../../src/io/withDefaults.js';
import { umeyama } from '../../src/geometry/umeyama.js';
import { cedCurveSvg } from '../../src/eval/cedCurveSvg.js';
import { lossCurveSvg } from '../../src/train/loop/lossCurve.js';
import { sampleAugmentation } from '../../src/train/data/augmentation.js';
import { createTrainRandom } from '../../src/train/loop/trainRandom.js';

test('withDefaults: undefined takes the default; null, 0, false and "" are values; the defaults are not changed', () => {
  const D = { a: 1, b: 'x', c: true, d: [1] as number[] | null };
  const o = withDefaults(D, { a: undefined, b: '', c: false, d: null, e: 0 });
  assert.deepEqual(o, { a: 1, b: '', c: false, d: null, e: 0 });
  assert.deepEqual(withDefaults(D, { a: 0 }), { a: 0, b: 'x', c: true, d: [1] });
  assert.deepEqual(D, { a: 1, b: 'x', c: true, d: [1] });
  assert.notEqual(withDefaults(D, {}), D, 'a new object: callers may change it');
});

test('functions on the convention treat an explicit undefined option as absent', () => {
  // umeyama: withScale undefined must still fit the scale (a plain spread fits a rigid motion).
  const src = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];
  const dst = src.map((v, i) => 2.5 * v + (i % 3));
  assert.ok(Math.abs(umeyama(src, dst, { withScale: undefined }).scale - 2.5) < 1e-9);
  assert.deepEqual(umeyama(src, dst, { withScale: undefined }), umeyama(src, dst));
  // SVG plots: no width="undefined", no title "undefined".
  const series = [{ label: 'a', errors: [0.01, 0.02, 0.05] }];
  assert.equal(cedCurveSvg(series, { width: undefined, height: undefined, title: undefined }), cedCurveSvg(series));
  const loss: [number, number][] = [[1, 0.5], [2, 0.25]];
  assert.equal(lossCurveSvg(loss, loss, { width: undefined, title: undefined, nme: undefined }), lossCurveSvg(loss, loss));
  // Augmentation: an undefined range is the default range, not NaN draws.
  const a = sampleAugmentation(createTrainRandom(3), { maxAngleDeg: undefined, scaleRange: undefined });
  assert.deepEqual(a, sampleAugmentation(createTrainRandom(3)));
  assert.ok(Number.isFinite(a.angle) && Number.isFinite(a.scale));
});
