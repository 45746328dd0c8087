// Writes docs/rules.md from the rule objects (bundled on the fly with esbuild, so the script
// needs no TypeScript runtime).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const out = await build({
  stdin: {
    contents: "export { RULES } from './macro/rules'; export { renderRulesDoc, withReadmeTable } from './scripts/rules-doc';",
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'warning',
});
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const text = mod.exports.renderRulesDoc(mod.exports.RULES);
writeFileSync('docs/rules.md', text);
writeFileSync('README.md', mod.exports.withReadmeTable(readFileSync('README.md', 'utf8'), mod.exports.RULES));
console.log(`docs/rules.md and the README's rule table: ${mod.exports.RULES.length} rules`);
