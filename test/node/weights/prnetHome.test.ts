import test from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { prnetHome } from '../../../src/node/weights/prnetHome.js';

test('prnetHome follows PRNET_HOME, then the platform cache directory', () => {
  assert.equal(prnetHome({ PRNET_HOME: '/data/prnet' }, 'linux'), path.resolve('/data/prnet'));
  assert.equal(prnetHome({ XDG_CACHE_HOME: '/xdg' }, 'linux'), path.join('/xdg', 'prnet'));
  assert.equal(prnetHome({}, 'linux'), path.join(os.homedir(), '.cache', 'prnet'));
  assert.equal(prnetHome({ XDG_CACHE_HOME: '/xdg' }, 'darwin'), path.join(os.homedir(), 'Library', 'Caches', 'prnet'));
  assert.equal(prnetHome({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32'), path.join('C:\\Users\\a\\AppData\\Local', 'prnet'));
});
