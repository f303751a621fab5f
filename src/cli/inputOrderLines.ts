/**
 * Puts the lines of a batch's images on a stream in the inputs' order, whatever order the
 * images finish in (`prnet reconstruct -o -`): an image without a face is done before the
 * network has run on the one before it, and a reader matching lines to inputs (`paste`,
 * `jq -s`) wants them in order, as `parallel --keep-order` gives them.
 */
import { Writable } from 'node:stream';
import { writeToStream } from '../node/files/writeToStream.js';

/** What {@link inputOrderLines} returns. */
export interface InputOrderLines {
  /** A stream for image `i`'s line (writes are held until the images before it are settled). */
  slot(i: number): NodeJS.WritableStream;
  /** Image `i` is settled: with no line if none was written (it failed). Settling twice is harmless. */
  settle(i: number): void;
  /** Sends what is held, in order, passing over images never settled (an interrupted batch); resolves once written. */
  end(): Promise<void>;
}

/**
 * Lines of `count` images in input order onto `out`.
 *
 * ```ts
 * const order = inputOrderLines(process.stdout, files.length);
 * await writeToStream(order.slot(3), line); order.settle(3);
 * await order.end();
 * ```
 */
export function inputOrderLines(out: NodeJS.WritableStream, count: number): InputOrderLines {
  /** Per image: its text (possibly empty) once settled; undefined while pending. */
  const held: Array<string | undefined> = new Array(count);
  const pending: string[] = new Array(count).fill('');
  let next = 0;
  let sending: Promise<void> = Promise.resolve();
  const send = (text: string): void => {
    if (text) sending = sending.then(() => writeToStream(out, text));
  };
  const flush = (): void => {
    while (next < count && held[next] !== undefined) {
      send(held[next]!);
      held[next] = '';
      next++;
    }
  };
  return {
    slot(i) {
      return new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          pending[i] += String(chunk);
          callback();
        },
      });
    },
    settle(i) {
      if (i < 0 || i >= count || held[i] !== undefined || i < next) return;
      held[i] = pending[i]!;
      pending[i] = '';
      flush();
    },
    async end() {
      for (; next < count; next++) {
        send(held[next] ?? pending[next]!);
        held[next] = '';
      }
      await sending;
    },
  };
}
