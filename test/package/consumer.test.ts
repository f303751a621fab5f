/**
 * The package as a consumer sees it (issue 14, point 5): the compiled `dist/` behind
 * package.json's `exports`, imported by name from another project. Types check, a Node
 * script finds each entry's main names, and a browser bundle of `prnet` and `prnet/web`
 * pulls in nothing that only Node has.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => path.join(repo, 'node_modules', '.bin', name);

/** Each public entry and names a user of it reaches for first. */
const ENTRIES: Record<string, string[]> = {
  prnet: ['facePipeline', 'faceResult', 'decodeUvAssetPack', 'encodeObj', 'encodeGlb', 'estimatePose', 'faceTracker', 'oneEuroFilter', 'renderDepth'],
  'prnet/node': ['PRNet', 'loadOnnxModel', 'loadUvAssets', 'decodeImage', 'facePipeline', 'trackVideo', 'openPipedVideo', 'probeVideo'],
  'prnet/web': ['WebPRNet', 'loadOnnxWebModel', 'facePipeline'],
  'prnet/train': ['trainLoop', 'weightedPositionLoss', 'teacherLabel'],
  'prnet/node/train': ['trainRun', 'exportTrainedModel'],
  'prnet/eval': ['evaluateAflw2000', 'boxNormalizer'],
  'prnet/formats': ['parseNpy', 'parseMat', 'encodeObj'],
};

/** What a library meant for the browser must not bundle. */
const NODE_ONLY = /^(node:|fs$|path$|os$|child_process$|worker_threads$)|onnxruntime-node|sharp|@tensorflow\/tfjs-node/;

test('the package exports work from a consumer project: types, Node, a browser bundle', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-consumer-'));
  try {
    // The package as npm would install it: package.json, dist/ from the build, shipped files.
    const pkg = path.join(dir, 'pkg');
    await run(bin('tsc'), ['-p', path.join(repo, 'tsconfig.json'), '--outDir', path.join(pkg, 'dist'), '--sourceMap', 'false']);
    await copyFile(path.join(repo, 'package.json'), path.join(pkg, 'package.json'));
    for (const d of ['models', 'assets', 'node_modules', 'build']) await symlink(path.join(repo, d), path.join(pkg, d));
    const consumer = path.join(dir, 'consumer');
    await mkdir(path.join(consumer, 'node_modules', '@types'), { recursive: true });
    await symlink(pkg, path.join(consumer, 'node_modules', 'prnet'));
    await symlink(path.join(repo, 'node_modules/@types/node'), path.join(consumer, 'node_modules/@types/node'));
    await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));

    // Package exports match the entries tested here.
    const exportsField = (JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports;
    assert.deepEqual(Object.keys(exportsField).filter((k) => k !== './package.json').sort(), Object.keys(ENTRIES).map((e) => e.replace(/^prnet/, '.')).sort());

    // Types: each entry's names resolve through the exports' .d.ts files.
    const imports = Object.entries(ENTRIES).map(([entry, names], i) => `import { ${names.map((n) => `${n} as n${i}_${n}`).join(', ')} } from '${entry}';\nconsole.log(${names.map((n) => `typeof n${i}_${n}`).join(', ')});`);
    await writeFile(path.join(consumer, 'types.ts'), `${imports.join('\n')}\nimport type { FaceResult, ReconstructResult } from 'prnet';\nexport type Check = [FaceResult['landmarks'], ReconstructResult['faces']];\n`);
    await writeFile(path.join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2023', 'DOM'] }, files: ['types.ts'] }));
    await run(bin('tsc'), ['-p', path.join(consumer, 'tsconfig.json')], { cwd: consumer });

    // Node: each entry loads by name and has its names.
    const script = `const entries = ${JSON.stringify(ENTRIES)};\nconst out = {};\nfor (const [e, names] of Object.entries(entries)) { const m = await import(e); out[e] = names.filter((n) => !(n in m)); }\nconsole.log(JSON.stringify(out));`;
    await writeFile(path.join(consumer, 'node.mjs'), script);
    const { stdout } = await run(process.execPath, ['node.mjs'], { cwd: consumer });
    const missing = JSON.parse(stdout.trim()) as Record<string, string[]>;
    for (const [entry, names] of Object.entries(missing)) assert.deepEqual(names, [], `${entry} lacks ${names.join(', ')}`);

    // Browser: bundle prnet and prnet/web for the browser; no input of ours imports Node.
    for (const entry of ['prnet', 'prnet/web']) {
      const file = path.join(consumer, 'browser.mjs');
      await writeFile(file, `import * as p from '${entry}';\nconsole.log(Object.keys(p).length);\n`);
      const meta = path.join(dir, 'meta.json');
      // node:* stays external only so that third-party dynamic imports guarded for Node
      // (glTF Transform's NodeIO) do not fail the build; the check below is on our inputs.
      await run(bin('esbuild'), [file, '--bundle', '--platform=browser', '--format=esm', `--outfile=${path.join(dir, 'bundle.js')}`, `--metafile=${meta}`, '--external:node:*', '--log-level=error'], { cwd: consumer });
      const { inputs } = JSON.parse(await readFile(meta, 'utf8')) as { inputs: Record<string, { imports: { path: string }[] }> };
      const ours = Object.entries(inputs).filter(([f]) => f.includes('/pkg/dist/'));
      assert.ok(ours.length > 20, `${entry}: the bundle holds ${ours.length} of our modules`);
      const nodeImports = ours.flatMap(([f, i]) => i.imports.filter((im) => NODE_ONLY.test(im.path)).map((im) => `${f} -> ${im.path}`));
      assert.deepEqual(nodeImports, [], `${entry} imports Node-only modules in a browser bundle`);
      const all = Object.keys(inputs).filter((f) => /onnxruntime-node|\/sharp\//.test(f));
      assert.deepEqual(all, [], `${entry}'s browser bundle holds Node runtimes`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
