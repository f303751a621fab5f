import os from 'node:os';
import path from 'node:path';

/**
 * The per-user prnet directory for downloaded assets and models: `$PRNET_HOME`, else
 * the platform's cache directory — `$XDG_CACHE_HOME/prnet` or `~/.cache/prnet` on
 * Linux, `~/Library/Caches/prnet` on macOS, `%LOCALAPPDATA%\prnet` on Windows.
 *
 * ```ts
 * const uvDir = path.join(prnetHome(), 'uv-data');
 * ```
 */
export function prnetHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PRNET_HOME) return path.resolve(env.PRNET_HOME);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'prnet');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'prnet');
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'prnet');
  return path.join(os.homedir(), '.cache', 'prnet');
}
