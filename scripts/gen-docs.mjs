// Writes docs/rules.md from the rule objects (bundled on the fly with esbuild, so the script
// needs no TypeScript runtime).
import { readFileSync, writeFileSync } from 'node:fs';
import { loadTs } from './load-ts.mjs';

const mod = { exports: await loadTs("export { RULES } from './macro/rules'; export { renderRulesDoc, withReadmeTable } from './scripts/rules-doc';") };
const text = mod.exports.renderRulesDoc(mod.exports.RULES);
writeFileSync('docs/rules.md', text);
writeFileSync('README.md', mod.exports.withReadmeTable(readFileSync('README.md', 'utf8'), mod.exports.RULES));
console.log(`docs/rules.md and the README's rule table: ${mod.exports.RULES.length} rules`);
