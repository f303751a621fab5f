import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNativeConv, nativeLoadError } from '../../../src/node/train/trainBackend.js';

// The addon's path is computed from the module's own location; a move of the module once
// left training silently on the slow pure-JS kernels.
test('the native convolution addon loads whenever the install step built it', (t) => {
  const built = fileURLToPath(new URL('../../../build/Release/prnet_conv.node', import.meta.url));
  if (!existsSync(built) || process.env['PRNET_NO_NATIVE'] === '1') {
    t.skip('no native build here');
    return;
  }
  const native = loadNativeConv();
  assert.ok(native, `native kernels not loaded: ${nativeLoadError()}`);
});
