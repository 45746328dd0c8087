// Writes macro/spec/resources.generated.ts from the installed @aws-cdk/aws-service-spec and the
// registered rules (their `changes` name the types whose replacing properties the table keeps).
// The rules and the renderer are TypeScript, loaded with scripts/load-ts.mjs as gen-docs does.
import { loadTs } from './load-ts.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const OUT = 'macro/spec/resources.generated.ts';
const require = createRequire(import.meta.url);

// The rules import the table (DATA-001 takes its types from it), but what they declare in
// `changes` does not depend on it: bundle them against an empty table, so a stale or missing one
// cannot stop its own regeneration.
const EMPTY = "export const SPEC_VERSION = '';\nexport const TYPES_PACKED = '';\nexport const NAMES_PACKED = '';\nexport const REPLACEMENT: Readonly<Record<string, string>> = {};\n";
const emptyTable = {
  name: 'empty-spec-table',
  setup(b) {
    b.onLoad({ filter: /resources\.generated\.ts$/ }, () => ({ contents: EMPTY, loader: 'ts' }));
  },
};

const mod = { exports: await loadTs("export { RULES } from './macro/rules'; export { renderSpecTable, specTableData } from './scripts/spec-table';", [emptyTable]) };

const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec');
const { version } = JSON.parse(readFileSync(require.resolve('@aws-cdk/aws-service-spec/package.json'), 'utf8'));
const data = mod.exports.specTableData(loadAwsServiceSpecSync(), mod.exports.RULES, version);
const text = mod.exports.renderSpecTable(data);
writeFileSync(OUT, text);
console.log(`${OUT}: @aws-cdk/aws-service-spec ${version}, ${data.stats.types} types, ${Buffer.byteLength(text)} bytes (per-type table ${data.types.length} bytes plain)`);
