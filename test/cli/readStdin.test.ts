import test from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readStdin, STDIN_ARG } from '../../src/cli/readStdin.js';
import { expandInputs } from '../../src/cli/expandInputs.js';
import { outputBases } from '../../src/cli/outputBases.js';

/** A stream of these chunks, as a pipe delivers them. */
function piped(chunks: Uint8Array[], isTTY = false): Readable & { isTTY?: boolean } {
  const s = Readable.from(chunks.map((c) => Buffer.from(c))) as Readable & { isTTY?: boolean };
  s.isTTY = isTTY;
  return s;
}

test('readStdin: the chunks in order, whole', async () => {
  const a = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 37) & 255);
  const b = Uint8Array.from({ length: 3 }, (_, i) => 200 + i);
  const bytes = await readStdin({ stream: piped([a.subarray(0, 65_536), a.subarray(65_536), b]) });
  assert.equal(bytes.length, 70_003);
  assert.ok(Buffer.from(a).equals(bytes.subarray(0, 70_000)));
  assert.deepEqual([...bytes.subarray(70_000)], [200, 201, 202]);
});

test('readStdin: a terminal, an empty pipe and an endless one each give one clear line', async () => {
  await assert.rejects(readStdin({ stream: piped([], true) }), /standard input is a terminal: pipe an image in/);
  await assert.rejects(readStdin({ stream: piped([]) }), /standard input is empty/);
  const chunk = new Uint8Array(1000).fill(7);
  await assert.rejects(readStdin({ stream: piped([chunk, chunk, chunk]), maxBytes: 2500 }), /more than 2500 bytes/);
  assert.equal((await readStdin({ stream: piped([chunk, chunk]), maxBytes: 2000 })).length, 2000, 'exactly maxBytes is allowed');
});

test('"-" is standard input: kept in argument order, named stdin in the output folder', async () => {
  const entries = await expandInputs(['-', 'no-such-file.jpg']);
  assert.deepEqual(entries, [{ file: STDIN_ARG }, { file: 'no-such-file.jpg', error: 'no such file or folder' }]);
  assert.deepEqual(outputBases(['-', 'photos/a.jpg']), ['stdin', 'a']);
  // A file called stdin still gets a distinct base, in another folder or the same one.
  assert.deepEqual(outputBases(['-', 'x/stdin.jpg']), ['stdin', 'x/stdin']);
  assert.deepEqual(outputBases(['-', 'stdin.jpg']), ['stdin', 'stdin.jpg']);
});
