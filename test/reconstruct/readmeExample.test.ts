/**
 * The README's first steps, as a new user runs them: a fresh home folder, no
 * `PRNET_DATA`, no `PRNET_MODEL`, no network (a download would need one). The library
 * example is taken from README.md verbatim; only `prnet/node` is mapped to the sources.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const photo = fileURLToPath(new URL('../../../shared/fixtures/photos/photo1.jpg', import.meta.url));

/** An environment without any prnet configuration and with an empty home. */
function freshEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PRNET_HOME: path.join(home, '.cache', 'prnet'), XDG_CACHE_HOME: path.join(home, '.cache') };
  delete env.PRNET_DATA;
  delete env.PRNET_MODEL;
  delete env.NODE_OPTIONS;
  return env;
}

/** The first ```ts block of the README's "## Library" section. */
async function libraryExample(): Promise<string> {
  const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
  const section = readme.split('\n## Library\n')[1];
  const code = section?.match(/```ts\n([\s\S]*?)```/)?.[1];
  assert.ok(code, 'README has a ## Library section with a ts block');
  return code;
}

test('README library example runs verbatim with no network, no PRNET_DATA and an empty home', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-readme-'));
  try {
    const code = await libraryExample();
    assert.match(code, /from 'prnet\/node'/);
    await copyFile(photo, path.join(dir, 'photo.jpg'));
    // tsx maps the package's name to the sources through tsconfig paths; the code is untouched.
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', paths: { 'prnet/node': [path.join(repo, 'src/node/index.ts')] } } }));
    await writeFile(path.join(dir, 'example.mts'), `${code}\nconsole.log(JSON.stringify({ faces: faces.length, texture: faces[0]?.texture?.width, visible: faces[0]?.visibility?.reduce((a, b) => a + b, 0) }));\n`);
    const home = path.join(dir, 'home');
    await mkdir(home);
    const { stdout } = await run(process.execPath, ['--import', import.meta.resolve('tsx'), 'example.mts'], { cwd: dir, env: freshEnv(home) });
    const got = JSON.parse(stdout.trim().split('\n').pop()!) as { faces: number; texture: number; visible: number };
    assert.equal(got.faces, 1);
    assert.equal(got.texture, 256);
    assert.ok(got.visible > 10000, `visible vertices: ${got.visible}`);
    // (onnxruntime-node itself writes a device id under ~/.cache/Microsoft.)
    await assert.rejects(readdir(path.join(home, '.cache', 'prnet')), { code: 'ENOENT' }, 'nothing downloaded into the prnet cache');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('README quick start: prnet reconstruct photo.jpg -o out/ works offline with an empty home', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prnet-readme-'));
  try {
    await copyFile(photo, path.join(dir, 'photo.jpg'));
    const home = path.join(dir, 'home');
    await mkdir(home);
    const { stderr } = await run(process.execPath, [path.join(repo, 'bin/prnet.js'), 'reconstruct', 'photo.jpg', '-o', 'out/'], { cwd: dir, env: freshEnv(home) });
    assert.match(stderr, /1 image, 1 face, 0 failed/);
    assert.deepEqual((await readdir(path.join(dir, 'out'))).sort(), ['photo.json', 'photo_0.obj']);
    // (onnxruntime-node itself writes a device id under ~/.cache/Microsoft.)
    await assert.rejects(readdir(path.join(home, '.cache', 'prnet')), { code: 'ENOENT' }, 'nothing downloaded into the prnet cache');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
