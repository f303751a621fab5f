/** `prnet --version` (issue 15, point 10). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

test('prnet --version and -V print the package version and exit 0', async () => {
  const { version } = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const { stdout } = await run(process.execPath, [path.join(repo, 'bin/prnet.js'), flag]);
    assert.equal(stdout.trim(), version);
  }
});
