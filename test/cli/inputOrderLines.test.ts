import test from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { inputOrderLines } from '../../src/cli/inputOrderLines.js';
import { writeToStream } from '../../src/node/files/writeToStream.js';

const collect = (s: PassThrough): (() => string) => {
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return () => text;
};
const tick = () => new Promise((r) => setImmediate(r));

test('inputOrderLines: lines leave in input order as soon as the images before them are settled; failures leave none', async () => {
  const out = new PassThrough();
  const text = collect(out);
  const order = inputOrderLines(out, 5);
  await writeToStream(order.slot(2), 'two\n');
  order.settle(2);
  await writeToStream(order.slot(1), 'one\n');
  order.settle(1);
  await tick();
  assert.equal(text(), '', 'image 0 is not settled: nothing leaves');
  order.settle(0); // failed: no line
  await tick();
  assert.equal(text(), 'one\ntwo\n');
  order.settle(0); // settling again changes nothing
  order.settle(7); // out of range: ignored
  await writeToStream(order.slot(4), 'four\n');
  order.settle(4);
  await tick();
  assert.equal(text(), 'one\ntwo\n', 'image 3 holds image 4 back');
  await order.end(); // image 3 never settled (interrupted): passed over
  assert.equal(text(), 'one\ntwo\nfour\n');
});
