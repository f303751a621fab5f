import { readFile } from 'node:fs/promises';
import { benchRuntime } from './bench/lib/sgemmRate.js';
const web = await benchRuntime('web', 1);
const x = new Float32Array(128 * 128 * 3).map((_, i) => ((i * 2654435761) % 1000) / 1000);
for (const f of process.argv.slice(2)) {
  const session = await web.create(new Uint8Array(await readFile(f)));
  const feeds = { [session.inputNames[0]!]: web.tensor(x, [1, 128, 128, 3]) };
  for (let i = 0; i < 12; i++) await session.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < 15; i++) { const t = performance.now(); await session.run(feeds); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(f, 'median', ts[7]!.toFixed(1), 'min', ts[0]!.toFixed(1));
  await session.release();
}
