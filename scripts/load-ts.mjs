// Loads TypeScript modules of this project into a plain Node script: esbuild bundles an entry
// that re-exports them (in memory) and the bundle is evaluated as CommonJS. The generators use
// it, so they need no TypeScript runtime.
import { build } from 'esbuild';
import { createRequire } from 'node:module';

/**
 * @param {string} contents the entry, e.g. "export { RULES } from './macro/rules';"
 * @param {import('esbuild').Plugin[]} [plugins]
 * @returns {Promise<Record<string, any>>} the entry's exports
 */
export async function loadTs(contents, plugins = []) {
  const out = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
    plugins,
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
  return mod.exports;
}
