// Bundles the Lambda handler and the CLI with esbuild (the same settings SAM's esbuild build uses,
// see template.yaml): CommonJS, Node 20 syntax (runs on nodejs20.x locally and nodejs24.x on
// Lambda), minified, with source maps. The AWS SDK is bundled, never taken from the runtime, and
// lives only in dist/preflight/kms-client.js, which the handler loads when a KMS preflight runs.
import { build } from 'esbuild';
import { chmodSync, existsSync, rmSync } from 'node:fs';

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
};

rmSync('dist', { recursive: true, force: true });
const lambdaEntries = ['macro/handler.ts', 'macro/preflight/kms-client.ts'].filter((f) => existsSync(f));
await build({ ...common, entryPoints: lambdaEntries, external: ['./preflight/kms-client.js'] });
await build({ ...common, entryPoints: ['macro/cli.ts'], banner: { js: '#!/usr/bin/env node' }, external: ['./preflight/kms-client.js'] });
chmodSync('dist/cli.js', 0o755);
