// Runs the built handler on a macro event, as `sam local invoke` does, without SAM or Docker:
//   npm run invoke -- events/s3-public-access-block.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run invoke -- events/<case>.json');
  process.exit(2);
}
// The response is what this prints; the handler's own structured log line is for CloudWatch.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const require = createRequire(import.meta.url);
const { handler } = require(path.resolve('dist/handler.js'));
const event = JSON.parse(readFileSync(file, 'utf8'));
const response = await handler(event, { awsRequestId: 'local-invoke' });
process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
