import test from 'node:test';
import assert from 'node:assert/strict';
import { AsciiWriter } from '../../src/io/asciiWriter.js';
import { seededRandom } from '../support/random.js';

test('AsciiWriter formats like toFixed and String on random numbers', () => {
  const rng = seededRandom(3);
  for (let i = 0; i < 20000; i++) {
    const v = (rng() - 0.5) * 10 ** Math.floor(rng() * 7);
    const d = Math.floor(rng() * 7);
    const got = new AsciiWriter().fixed(v, d).toString();
    const want = v.toFixed(d);
    if (got !== want) {
      // Only a last-digit difference on exact binary halfway cases is allowed.
      assert.ok(Math.abs(Number(got) - Number(want)) <= 1.000001 * 10 ** -d && got.length === want.length.valueOf() - (want.startsWith('-') && !got.startsWith('-') ? 1 : 0), `${v}.toFixed(${d}): ${got} vs ${want}`);
    }
    const n = Math.floor((rng() - 0.5) * 1e9);
    assert.equal(new AsciiWriter().int(n).toString(), String(n));
  }
  assert.equal(new AsciiWriter().text('v ').fixed(-1.5, 2).char(32).int(0).toString(), 'v -1.50 0');
});
