/**
 * SAM templates in the CLI (the built dist/cli.js): expanded with the AWS SAM translator before
 * hardening, findings on generated resources named after their SAM resource and its line, --write
 * never writing the expansion, and the one line said when the translator is not there (a Python
 * without it, named by TAP_HARDENING_PYTHON).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTemplate } from '../../macro/template/yaml';

const CLI = path.join(__dirname, '../../dist/cli.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-sam-'));
const file = (name: string, text: string): string => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, TAP_HARDENING_DEFAULTS: '', ...env } });
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

const hasTranslator = spawnSync(process.env.TAP_HARDENING_PYTHON || 'python3', ['-c', 'import samtranslator'], { encoding: 'utf8' }).status === 0;
if (!hasTranslator) console.warn('the AWS SAM translator is not installed for python3: the SAM expansion tests are skipped (pip install aws-sam-translator)');
const withTranslator = hasTranslator ? describe : describe.skip;

/** A Python that cannot import site-packages, so the translator is not there. */
const NO_TRANSLATOR = file('python-without-sam', `#!/bin/sh\nexec python3 -S "$@"\n`);
chmodSync(NO_TRANSLATOR, 0o755);

/** The report on stderr, without the closing `tap-harden: check …` verdict line that --check adds. */
function reportOf(stderr: string): any {
  return JSON.parse(stderr.replace(/\ntap-harden: check (passed|failed)[^\n]*\n?$/, '\n'));
}

const API = `AWSTemplateFormatVersion: '2010-09-09'
Transform:
  - AWS::Serverless-2016-10-31
  - TapHardening
Metadata:
  TapHardening:
    RuntimeCheckDate: '2026-12-01'
Globals:
  Function:
    Runtime: nodejs20.x
  Api:
    MethodSettings:
      - LoggingLevel: INFO
        ResourcePath: '/*'
        HttpMethod: '*'
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: src/
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
`;

/** Only a plain resource of the source changes: the function and its role need nothing. */
const PLAIN = `Transform: AWS::Serverless-2016-10-31
# a comment the rewrite keeps
Resources:
  Data:
    Type: AWS::S3::Bucket
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      InlineCode: "def handler(e, c): return e"
`;

withTranslator('a SAM template with the translator', () => {
  test('--check hardens the expanded template and names the SAM resource, and its line, behind generated resources', () => {
    // Prepare
    const f = file('api.yaml', API);
    // Act
    const r = cli([f, '--check', '--report', 'json']);
    // Assess
    expect(r.status).toBe(1);
    const records = reportOf(r.stderr).records as Array<{ rule: string; resource: string; path: string; detail: string }>;
    const stage = records.find((x) => x.rule === 'APIGW-002' && x.resource === 'ServerlessRestApiProdStage');
    expect(stage?.detail).toContain(`generates from OrdersFunction, line ${lineOf(API, '  OrdersFunction:')}`);
    expect(records.some((x) => x.rule === 'APIGW-001' && x.resource === 'ApiGatewayAccount')).toBe(true);
    // LAMBDA-001 sees the runtime SAM copied from Globals onto the function.
    expect(records.find((x) => x.rule === 'LAMBDA-001')?.resource).toBe('OrdersFunction');
    // The template is right: no transform-order advice, no per-resource SAM warnings.
    expect(records.filter((x) => x.rule === 'ENGINE')).toEqual([]);
  });

  test('SARIF points a finding on a generated resource at its SAM resource', () => {
    const f = file('api-sarif.yaml', API);
    const r = cli([f, '--check', '--report', 'sarif', '--sarif-changes']);
    const results = reportOf(r.stderr).runs[0].results as Array<{ ruleId: string; message: { text: string }; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }>;
    const stage = results.find((x) => x.ruleId === 'APIGW-002');
    expect(stage?.locations[0]?.physicalLocation.region.startLine).toBe(lineOf(API, '  OrdersFunction:'));
  });

  test('the printed template is the expanded, hardened one; --diff says it is about the expansion', () => {
    const f = file('api-out.yaml', API);
    const out = parseTemplate(cli([f, '--format', 'json']).stdout).value as { Resources: Record<string, { Type: string }> };
    expect(out.Resources.OrdersFunction?.Type).toBe('AWS::Lambda::Function');
    expect(out.Resources.ApiGatewayAccount?.Type).toBe('AWS::ApiGateway::Account');
    expect(Object.values(out.Resources).some((x) => x.Type.startsWith('AWS::Serverless::'))).toBe(false);
    expect(cli([f, '--diff']).stdout).toContain('as AWS::Serverless-2016-10-31 expands it');
  });

  test('--write leaves a file unwritten when the changes land on resources SAM generates, and says so', () => {
    // Prepare
    const f = file('api-write.yaml', API);
    // Act
    const r = cli(['--write', f]);
    // Assess
    expect(r.status).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe(API);
    expect(r.stdout).toMatch(/not written: \d+ of \d+ changes land on resources AWS::Serverless-2016-10-31 generates at deploy \(.*ServerlessRestApiProdStage \(from OrdersFunction\)/);
  });

  test('--write writes the source when every change lands on a plain resource of it, keeping the SAM resources', () => {
    // Prepare
    const f = file('plain-write.yaml', PLAIN);
    // Act
    const r = cli(['--write', f]);
    // Assess
    expect(r.status).toBe(0);
    const text = readFileSync(f, 'utf8');
    expect(text).toContain('# a comment the rewrite keeps');
    expect(text).toContain('Type: AWS::Serverless::Function');
    expect(text).not.toContain('WorkerRole');
    expect(text).toContain('PublicAccessBlockConfiguration');
    expect(cli([f, '--check']).status).toBe(0);
  });

  test('BlockDeprecatedRuntimes fails a SAM template whose Globals runtime is deprecated, naming the function and its line', () => {
    const text = API.replace("RuntimeCheckDate: '2026-12-01'", "RuntimeCheckDate: '2026-12-01'\n    BlockDeprecatedRuntimes: true");
    const f = file('api-block.yaml', text);
    const r = cli([f, '--check']);
    expect(r.status).toBe(2);
    // The runtime comes from Globals: the deepest part of the path the function has is its Properties.
    expect(r.stderr).toContain(`api-block.yaml:${lineOf(text, '    Properties:\n      Handler: index.handler')}:`);
    expect(r.stderr).toContain('LAMBDA-001 OrdersFunction Properties.Runtime: runtime nodejs20.x');
  });

  test('a template SAM refuses fails as the deploy would, exit 2, naming the resource', () => {
    const f = file('bad.yaml', 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs24.x\n      Handler: i.h\n      InlineCode: x\n      Events:\n        E:\n          Type: NoSuchEvent\n');
    const r = cli([f, '--check']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('AWS::Serverless-2016-10-31 cannot expand the template');
    expect(r.stderr).toContain('[Fn]');
  });
});

describe('a SAM template without the translator', () => {
  test('one line says the SAM resources are hardened at deploy and how to install the translator; no per-resource warnings', () => {
    // Prepare
    const f = file('api-absent.yaml', API);
    // Act
    // --fail-on never: the Globals runtime is an error finding (LAMBDA-001), which this case is not about.
    const r = cli([f, '--check', '--fail-on', 'never', '--report', 'json'], { TAP_HARDENING_PYTHON: NO_TRANSLATOR });
    // Assess
    const records = reportOf(r.stderr).records as Array<{ rule: string; resource: string; path: string; detail: string; hint?: string; severity?: string }>;
    const engine = records.filter((x) => x.rule === 'ENGINE');
    expect(engine).toHaveLength(1);
    expect(engine[0]).toMatchObject({ resource: '-', path: 'Transform', severity: 'info' });
    expect(engine[0]?.detail).toContain('hardened at deploy time');
    expect(engine[0]?.hint).toContain('pip install aws-sam-translator');
    // LAMBDA-001 still reads the SAM function's runtime from Globals.
    expect(records.find((x) => x.rule === 'LAMBDA-001')?.detail).toContain('from Globals.Function.Runtime');
    expect(r.status).toBe(0);
  });

  test('a Python that is not there is the same case', () => {
    const f = file('api-nopython.yaml', API);
    const r = cli([f, '--check', '--fail-on', 'never'], { TAP_HARDENING_PYTHON: path.join(tmp, 'no-such-python') });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('pip install aws-sam-translator');
    expect(r.stderr.match(/not expanded/g)).toHaveLength(1);
  });
});
