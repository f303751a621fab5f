import test from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createVideoProgress } from '../../src/cli/videoProgress.js';

/** A terminal-like stream that keeps what is written. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const w = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY: true, columns: 120 });
  return { stream: w, text: () => text };
}

test('video progress: a known length shows frames of the total and the time left; a piped stream only what is done', () => {
  const known = terminal();
  const a = createVideoProgress({ total: 40, stream: known.stream, bar: true });
  for (let i = 0; i < 3; i++) a.tick(1);
  a.stop();
  assert.match(known.text(), /\/40 frames/);
  assert.match(known.text(), /left/);

  const piped = terminal();
  const b = createVideoProgress({ total: 0, stream: piped.stream, bar: true });
  for (let i = 0; i < 3; i++) b.tick(1);
  b.stop();
  assert.match(piped.text(), /prnet video \d+ frames \| [\d.]+ fps \| 1 faces/);
  assert.doesNotMatch(piped.text(), /\/\d+ frames|left/, 'no total and no time left for a stream of unknown length');
});
