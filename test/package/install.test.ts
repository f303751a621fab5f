/** Installing (issue 15, point 5): no npm warnings from project config; the documented switch is used. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

test('npm prints no "Unknown project config" warning in this repository', async () => {
  const { stderr } = await run('npm', ['config', 'get', 'registry'], { cwd: repo });
  assert.doesNotMatch(stderr, /Unknown (project|user|cli) config/);
});

test('CI and the README skip onnxruntime-node\'s CUDA download with its documented variable', async () => {
  const ci = await readFile(path.join(repo, '.ci/run'), 'utf8');
  assert.match(ci, /export ONNXRUNTIME_NODE_INSTALL=skip\n(?:.*\n)*npm ci/);
  const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
  assert.match(readme, /ONNXRUNTIME_NODE_INSTALL=skip npm install prnet/);
  // The variable is what onnxruntime-node's install script reads.
  const utils = await readFile(path.join(repo, 'node_modules/onnxruntime-node/script/install-utils.js'), 'utf8');
  assert.match(utils, /process\.env\.ONNXRUNTIME_NODE_INSTALL\b/);
});

/** What npm runs at install for a package: its install hooks, or `node-gyp rebuild` when it has a binding.gyp and no install hook. */
async function installScripts(dir: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const hooks = ['preinstall', 'install', 'postinstall'].filter((h) => pkg.scripts?.[h]);
  if (hooks.length) return hooks;
  const gyp = await readFile(path.join(dir, 'binding.gyp')).then(() => true, () => false);
  return gyp ? ['install (implicit node-gyp rebuild)'] : [];
}

/** Every installed package folder under node_modules, nested ones and scopes included. */
async function installedPackages(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = async (modules: string): Promise<void> => {
    const entries = await readdir(modules, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const dir = path.join(modules, e.name);
      if (e.name.startsWith('@')) { await visit(dir); continue; }
      const name = await readFile(path.join(dir, 'package.json'), 'utf8').then((t) => (JSON.parse(t) as { name?: string }).name, () => undefined);
      if (name) found.set(dir, name);
      await visit(path.join(dir, 'node_modules'));
    }
  };
  await visit(path.join(root, 'node_modules'));
  return found;
}

test('every installed dependency with an install script is reviewed in package.json "allowScripts"', async () => {
  // npm ≥ 11.16 lists unreviewed install scripts after every install, and npm 12 skips them:
  // a dependency added later with one must be approved or denied here on purpose.
  const { allowScripts } = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  const unreviewed: string[] = [];
  const withScripts = new Set<string>();
  for (const [dir, name] of await installedPackages(repo)) {
    const hooks = await installScripts(dir);
    if (!hooks.length) continue;
    withScripts.add(name);
    if (typeof allowScripts[name] !== 'boolean') unreviewed.push(`${name} (${hooks.join(', ')})`);
  }
  assert.deepEqual(unreviewed, []);
  // The walk finds what it must: onnxruntime-node's CUDA download hook, denied so that an
  // offline `npm ci` on npm ≥ 11.16 needs no ONNXRUNTIME_NODE_INSTALL=skip.
  assert.ok(withScripts.has('onnxruntime-node'), 'onnxruntime-node has a postinstall hook');
  assert.equal(allowScripts['onnxruntime-node'], false);
  // No stale entries: each names a package installed here that has an install script.
  assert.deepEqual(Object.keys(allowScripts).filter((n) => !withScripts.has(n)), []);
});
