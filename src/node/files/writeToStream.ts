/**
 * Writes a line to a stream a reader consumes (standard output): `prnet video -o -` and
 * `prnet reconstruct -o -` send their JSON records this way.
 */

/**
 * Writes `text` to `stream`; when the stream is full, waits until it drains, fails or
 * closes. A stream already destroyed (the reader went away) takes nothing, without error:
 * the caller learns that from the stream's `error` event.
 *
 * ```ts
 * await writeToStream(process.stdout, `${JSON.stringify(record)}\n`);
 * ```
 */
export function writeToStream(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if ((stream as NodeJS.WritableStream & { destroyed?: boolean }).destroyed) return Promise.resolve();
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}
