/**
 * Builds the demo page with Vite's JavaScript API (the same `vite.config.ts` as
 * `npm run build:web`), into any folder; returns what went into the bundle so tests can
 * check that no Node-only module slipped in.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'vite';
import { REPO_ROOT } from './demoAssets.js';

/** One emitted JavaScript chunk: its file name, code, and the module ids it contains. */
export interface BuiltChunk {
  fileName: string;
  code: string;
  moduleIds: string[];
  /** Imports left in the chunk (other chunks, or externals). */
  imports: string[];
}

/** A Node built-in some bundled module asked for (Vite replaces it with an empty stub). */
export interface BuiltinImport {
  /** The specifier, e.g. `node:fs`. */
  source: string;
  /** The importing module's id. */
  importer: string;
}

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Records every import of a Node built-in, with its importer (Vite's stub hides both). */
function recordBuiltins(into: BuiltinImport[]): Plugin {
  return {
    name: 'prnet-record-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (BUILTINS.has(source) || source.startsWith('node:')) into.push({ source, importer: importer ?? '' });
      return null;
    },
  };
}

/**
 * Runs `vite build` of `web/` into `outDir`.
 *
 * ```ts
 * const { chunks, builtinImports } = await buildDemo('/tmp/demo');
 * ```
 */
export async function buildDemo(outDir: string, options: { quiet?: boolean } = {}): Promise<{ chunks: BuiltChunk[]; builtinImports: BuiltinImport[] }> {
  const builtinImports: BuiltinImport[] = [];
  const result = await build({
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    logLevel: options.quiet ? 'error' : 'info',
    build: { outDir, emptyOutDir: true },
    plugins: [recordBuiltins(builtinImports)],
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunks: BuiltChunk[] = [];
  for (const out of outputs) {
    if (!('output' in out)) throw new Error('vite build returned a watcher, expected a bundle');
    for (const item of out.output) {
      if (item.type === 'chunk') chunks.push({ fileName: item.fileName, code: item.code, moduleIds: [...item.moduleIds], imports: [...item.imports, ...item.dynamicImports] });
    }
  }
  return { chunks, builtinImports };
}
