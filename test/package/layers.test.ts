/**
 * The direction of imports (../shared/DESIGN.md): each layer uses only the ones below it,
 * and nothing outside the Node and server edges imports Node's modules, so the browser
 * runs the same core. A datum's path reads straight down the layers.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Layer of each top folder of src/: foundations 1, face operations 2, the pipeline 3, its uses 4, the service's isomorphic pieces 5, edges 6–7. */
const LAYER: Record<string, number> = {
  model: 1, uv: 1, geometry: 1, io: 1,
  face: 2, render: 2,
  reconstruct: 3,
  eval: 4, apps: 4, print: 4, video: 4, labels: 4, train: 4,
  service: 5,
  node: 6, web: 6,
  cli: 7, server: 7,
};
/** Public entries re-export across layers by design. */
const ENTRIES = new Set(['index.ts', 'train/index.ts', 'eval/index.ts', 'io/formats.ts', 'node/index.ts', 'node/train/index.ts', 'web/index.ts', 'version.ts']);

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('imports run down the layers; only the edges import Node', async () => {
  const files = await sources(src);
  const top = (file: string) => path.relative(src, file).split(path.sep)[0]!;
  const unknown = [...new Set(files.map(top).filter((t) => !t.endsWith('.ts') && LAYER[t] === undefined))];
  assert.deepEqual(unknown, [], 'every folder of src/ has a layer here');
  const wrong: string[] = [];
  let checked = 0;
  for (const file of files) {
    const rel = path.relative(src, file).split(path.sep).join('/');
    if (ENTRIES.has(rel)) continue;
    const layer = LAYER[top(file)]!;
    // Code only: comments may show Node usage in examples.
    const code = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)) {
      const spec = (m[1] ?? m[2])!;
      checked++;
      if (layer < 6 && (spec.startsWith('node:') || /^(sharp|onnxruntime-node|fastify|bullmq|ioredis|commander|cli-progress)$/.test(spec))) wrong.push(`${rel} imports ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = top(path.resolve(path.dirname(file), spec));
      if (LAYER[target] !== undefined && LAYER[target]! > layer) wrong.push(`${rel} (${top(file)}) imports ${spec} (${target}, a higher layer)`);
    }
  }
  assert.ok(checked > 500, `read ${checked} imports`);
  assert.deepEqual(wrong, []);
});
