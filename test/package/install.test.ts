/** Installing (issue 15, point 5): no npm warnings from project config; the documented switch is used. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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
