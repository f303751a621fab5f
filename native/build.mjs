#!/usr/bin/env node
// Builds the optional native convolution kernels (build/Release/prnet_conv.node) with
// node-gyp. Run by `npm install` / `npm ci` (the package's "install" script) and by
// `npm run build:native`. A failed build is not fatal: training then falls back to the
// pure-JS tfjs kernels and says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

if (process.env.PRNET_SKIP_NATIVE === '1') {
  console.log('prnet: PRNET_SKIP_NATIVE=1, not building the native training kernels');
  process.exit(0);
}

// npm passes its bundled node-gyp to lifecycle scripts; otherwise look next to npm.
const candidates = [process.env.npm_config_node_gyp];
try {
  const npmCli = process.env.npm_execpath;
  if (npmCli) candidates.push(path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
} catch { /* ignore */ }
try {
  candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
} catch { /* not installed as a package */ }
candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
const gyp = candidates.find((c) => c && existsSync(c));

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = ['rebuild'];
// Use the headers of the running Node when it ships them (no download needed offline).
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.warn('prnet: WARNING: could not build the native training kernels (needs python3, make and a C++17 compiler);');
  console.warn('prnet: `prnet train` will use the much slower pure-JS kernels. Retry with `npm run build:native` in a prnet checkout,');
  console.warn('prnet: or `npm rebuild prnet` in a project that depends on prnet.');
}
process.exit(0);
