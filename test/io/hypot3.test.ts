import test from 'node:test';
import assert from 'node:assert/strict';
import { hypot3 } from '../../src/io/hypot3.js';
import { seededRandom } from '../support/random.js';

test('hypot3 returns exactly what Math.hypot returns for three numbers (V8), over 40 orders of magnitude and the special values', () => {
  const random = seededRandom(31);
  const value = () => (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
  let checked = 0;
  for (let i = 0; i < 300000; i++) {
    const x = value(), y = random() < 0.05 ? 0 : value(), z = random() < 0.05 ? x : value();
    const want = Math.hypot(x, y, z);
    const got = hypot3(x, y, z);
    if (!Object.is(got, want)) assert.fail(`hypot3(${x}, ${y}, ${z}) = ${got}, Math.hypot = ${want}`);
    checked++;
  }
  assert.equal(checked, 300000);
  for (const t of [[NaN, Infinity, 1], [Infinity, NaN, 0], [0, 0, 0], [NaN, 1, 2], [-0, 0, -0], [1e300, 1e300, 1e300], [5e-324, 0, 5e-324], [-3, 4, 12]] as const) {
    assert.ok(Object.is(hypot3(t[0], t[1], t[2]), Math.hypot(t[0], t[1], t[2])), `hypot3(${t.join(", ")})`);
  }
  assert.equal(hypot3(-3, 4, 12), 13);
});
