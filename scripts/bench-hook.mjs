// `node scripts/bench-hook.mjs`: what the Lambda Hook (dist/hook.js) costs on the benchmark's
// 490-resource template (scripts/bench-templates.mjs, the mix `npm run bench` uses for its 500
// case), as Hooks would invoke it: the payload `{template, previousTemplate}` served over https
// from a local server (loopback, a certificate made for the run, trusted through the agent), the
// request parsed, the payload fetched and parsed, the engine run, the answer serialised.
// Prints the median and minimum of warm runs, the first run, and the answer's size.
// Options: --runs N (default 15), --yaml (serve the template as YAML instead of JSON).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { synth } from './bench-templates.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 15;
const require = createRequire(import.meta.url);
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const { createHookHandler } = require(path.join(ROOT, 'dist/hook.js'));
const YAML = args.includes('--yaml');

const dir = mkdtempSync(path.join(tmpdir(), 'tap-bench-hook-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
const key = readFileSync(`${dir}/key.pem`, 'utf8');
const cert = readFileSync(`${dir}/cert.pem`, 'utf8');
rmSync(dir, { recursive: true, force: true });

const template = synth(490);
const text = YAML ? stringify(template) : JSON.stringify(template);
const body = JSON.stringify({ template: text, previousTemplate: '' });
const server = createServer({ key, cert }, (_req, res) => res.end(body));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `https://127.0.0.1:${server.address().port}/payload.json?X-Amz-Signature=bench`;
const agent = new Agent({ ca: cert, keepAlive: true });
const handler = createHookHandler({ fetch: { agent }, env: { TAP_HARDENING_MACRO_NAME: 'TapHardening' } });
const request = JSON.stringify({
  clientRequestToken: 'bench-1', awsAccountId: '123456789012',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/bench/1a2345b6-0000-00a0-a123-00abc0abc000',
  changeSetId: null, hookTypeName: 'TapHardening::Stack::Hook', hookTypeVersion: '00000001',
  hookModel: { LambdaFunction: 'arn:aws:lambda:us-east-1:123456789012:function:TapHardening-hook' },
  actionInvocationPoint: 'CREATE_PRE_PROVISION',
  requestData: { targetName: 'STACK', targetType: 'STACK', targetLogicalId: 'bench', payload: url },
  requestContext: { invocation: 1, callbackContext: null },
});

const once = async () => {
  const t0 = performance.now();
  const answer = JSON.stringify(await handler(JSON.parse(request), { getRemainingTimeInMillis: () => 25_000 }));
  return { ms: performance.now() - t0, answer };
};
const first = await once();
const times = [];
let last = first;
for (let i = 0; i < RUNS; i++) {
  last = await once();
  times.push(last.ms);
}
times.sort((a, b) => a - b);
const response = JSON.parse(last.answer);
server.close();
agent.destroy();
const round = (x) => Math.round(x * 10) / 10;
const summary = {
  resources: Object.keys(template.Resources).length,
  format: YAML ? 'yaml' : 'json',
  templateBytes: Buffer.byteLength(text),
  payloadBytes: Buffer.byteLength(body),
  firstMs: round(first.ms),
  medianMs: round(times[Math.floor(times.length / 2)]),
  minMs: round(times[0]),
  runs: RUNS,
  hookStatus: response.hookStatus,
  errorCode: response.errorCode,
  messageChars: response.message.length,
  annotations: response.annotations?.length ?? 0,
  responseBytes: Buffer.byteLength(last.answer),
};
console.log(JSON.stringify(summary, null, 2));
