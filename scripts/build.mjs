// Bundles the Lambda handler and the CLI with esbuild (the same settings SAM's esbuild build uses,
// see template.yaml): CommonJS, Node 20 syntax (runs on nodejs20.x locally and nodejs24.x on
// Lambda), minified, with source maps. The AWS SDK is bundled, never taken from the runtime, and
// lives only in dist/preflight/kms-client.js, which the handler loads when a KMS preflight runs.
// The CLI comes with dist/batch/worker.js (worker threads for many templates). It does not bundle
// @aws-cdk/cloudformation-diff: that library reads the CloudFormation resource specification
// database from its own package at run time, so `--diff` requires it from node_modules, lazily.
// Last, dist/stackset.yaml: the transform-free template that rolls the macro out with StackSets.
// Every bundle gets the commit it was built from (macro/version.ts: `0.2.0+<short sha>`); outside
// a git checkout the version stays plain. The build prints nothing on success: `npm pack` runs it
// (prepack) and pre-commit reads the tarball's name from what `npm pack` prints.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

// Enough to read the StackSet template: each short form as a tag whose value is kept as written.
const SHORT_FORMS = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Split', 'FindInMap', 'Equals', 'Not', 'And', 'Or', 'Condition', 'Base64', 'GetAZs', 'ImportValue', 'Cidr'].flatMap((n) => [
  { tag: `!${n}`, resolve: (v) => v },
  { tag: `!${n}`, collection: 'seq' },
  { tag: `!${n}`, collection: 'map' },
]);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  outbase: 'macro',
  outdir: 'dist',
  define: { TAP_HARDENING_BUILD: JSON.stringify(gitCommit()) },
};

rmSync('dist', { recursive: true, force: true });
// dist/hook.js is the CloudFormation Lambda Hook (macro/hook.ts): the same engine, no AWS SDK.
// The API Gateway account client is built only when its SDK package is installed; without it the
// preflight reports "could not check" and APIGW-001 works as it does offline.
const apiGatewayClient = existsSync('node_modules/@aws-sdk/client-api-gateway') ? ['macro/preflight/apigateway-client.ts'] : [];
const lambdaEntries = ['macro/handler.ts', 'macro/hook.ts', 'macro/preflight/kms-client.ts', ...apiGatewayClient].filter((f) => existsSync(f));
await build({ ...common, entryPoints: lambdaEntries, external: ['./preflight/kms-client.js', './preflight/apigateway-client.js'] });
await build({
  ...common,
  entryPoints: ['macro/cli.ts', 'macro/batch/worker.ts', ...['macro/action.ts'].filter((f) => existsSync(f))],
  banner: { js: '#!/usr/bin/env node' },
  external: ['./preflight/kms-client.js', './preflight/apigateway-client.js', '@aws-cdk/cloudformation-diff'],
});
chmodSync('dist/cli.js', 0o755);
// The CLI expands SAM templates with the AWS SAM translator through this script (macro/sam/).
mkdirSync('dist/sam', { recursive: true });
copyFileSync('macro/sam/sam-translate.py', 'dist/sam/sam-translate.py');
writeFileSync('dist/stackset.yaml', checkedStackSetTemplate('stackset/template.yaml'));

/** The short commit of the checkout being built, or '' outside git (an unpacked tarball). */
function gitCommit() {
  if (process.env.TAP_HARDENING_BUILD !== undefined) return process.env.TAP_HARDENING_BUILD;
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/**
 * The StackSet template, checked before it is copied: StackSets with service-managed
 * permissions refuse templates that declare a transform, and a literal partition would break
 * the China and GovCloud partitions. tests/stackset.test.ts checks the rest.
 */
function checkedStackSetTemplate(file) {
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { customTags: SHORT_FORMS });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  const template = doc.toJS();
  if (template === null || typeof template !== 'object' || 'Transform' in template) throw new Error(`${file}: must be a template without Transform`);
  if (/arn:aws(-[a-z]+)*:/.test(text)) throw new Error(`${file}: build ARNs with \${AWS::Partition}, not a literal partition`);
  return text;
}
