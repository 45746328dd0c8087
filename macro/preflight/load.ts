/**
 * Loads the KMS client bundle lazily. In the built handler it is the sibling file
 * `preflight/kms-client.js` (esbuild keeps it out of dist/handler.js, and SAM's esbuild build
 * writes the same layout); from the TypeScript sources (tests) it is `./kms-client`.
 */
import path from 'node:path';

export type KmsClientModule = typeof import('./kms-client');

let loaded: KmsClientModule | undefined;

export function loadKmsClient(): KmsClientModule {
  if (!loaded) {
    const file = __filename.endsWith('.ts') ? path.join(__dirname, 'kms-client') : path.join(__dirname, 'preflight', 'kms-client.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as KmsClientModule;
  }
  return loaded;
}
