/**
 * `--report sarif`: valid SARIF 2.1.0 (checked against the OASIS schema in tests/fixtures/sarif),
 * shaped like cfn-lint's, with each result at the line and column of its resource.
 */
import Ajv from 'ajv';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderSarif } from '../../macro/report/sarif';
import { RULES } from '../../macro/rules';
import { VERSION } from '../../macro/version';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tap-sarif-'));
const file = (name: string, text: string): string => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, TAP_HARDENING_DEFAULTS: '', TAP_HARDENING_DOCS_URL: '' } });

/** Ajv with the three formats the schema uses, checked for real rather than ignored. */
function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const absolute = (s: string): boolean => {
    try {
      return /^[a-z][a-z0-9+.-]*:/i.test(s) && new URL(s).href.length > 0;
    } catch {
      return false;
    }
  };
  ajv.addFormat('uri', absolute);
  ajv.addFormat('uri-reference', (s: string) => !/[\s<>"{}|\\^`]/.test(s) && (absolute(s) || !/^[a-z][a-z0-9+.-]*:/i.test(s)));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s));
  return ajv.compile(SCHEMA);
}
const validate = validator();

type Sarif = {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: Array<{ id: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri?: string }> } };
    invocations: Array<{ executionSuccessful: boolean }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      suppressions?: Array<{ kind: string; justification: string }>;
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } }; logicalLocations?: Array<{ name: string }> }>;
    }>;
    properties: { tapHardening: { version: string; rules: string[] } };
  }>;
};

const TEMPLATE = [
  'AWSTemplateFormatVersion: "2010-09-09"', // 1
  'Resources:', // 2
  '  Topic:', // 3
  '    Type: AWS::SNS::Topic', // 4
  '  Data:', // 5
  '    Type: AWS::S3::Bucket', // 6
  '    Properties:', // 7
  '      BucketName: !Sub "data-${AWS::AccountId}"', // 8
  '  Public:', // 9
  '    Type: AWS::S3::Bucket', // 10
  '    Metadata:', // 11
  '      TapHardening:', // 12
  '        Skip:', // 13
  '          - Rule: S3-001', // 14
  '            Reason: Public downloads, reviewed in SEC-1', // 15
  '',
].join('\n');

describe('--report sarif', () => {
  const template = file('stack.yaml', TEMPLATE);
  const run = cli([template, '--report', 'sarif', '--report-file', 'out.sarif', '--docs-url', 'https://example.com/tap/docs/rules.md']);
  const log = JSON.parse(readFileSync(path.join(tmp, 'out.sarif'), 'utf8')) as Sarif;
  const [sarifRun] = log.runs;

  test('is valid SARIF 2.1.0 per the OASIS schema', () => {
    expect(run.status).toBe(0);
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('names the tool, its version and every rule that ran, with help links to docs/rules.md anchors', () => {
    const { driver } = sarifRun!.tool;
    expect(driver.name).toBe('tap-harden');
    expect(driver.version).toBe(VERSION);
    expect(driver.informationUri).toBe('https://example.com/tap/docs/rules.md');
    const ids = driver.rules.map((r) => r.id);
    expect(ids.slice(0, RULES.length)).toEqual(RULES.map((r) => r.id));
    const s3 = driver.rules.find((r) => r.id === 'S3-002')!;
    expect(s3.shortDescription.text).toBe(RULES.find((r) => r.id === 'S3-002')!.title);
    expect(s3.fullDescription.text).toBe(RULES.find((r) => r.id === 'S3-002')!.rationale);
    expect(s3.helpUri).toBe('https://example.com/tap/docs/rules.md#s3-002');
    expect(sarifRun!.properties.tapHardening).toMatchObject({ version: VERSION, rules: RULES.map((r) => r.id) });
  });

  test('puts each result at its resource: the key in the source, or the deepest part of the path the source has', () => {
    const at = (rule: string, resource: string) =>
      sarifRun!.results.filter((r) => r.ruleId === rule && r.locations[0]!.logicalLocations?.[0]!.name === resource).map((r) => r.locations[0]!.physicalLocation);
    // S3-001 adds Properties.PublicAccessBlockConfiguration, which the source lacks: Properties (line 7) is the deepest part it has.
    expect(at('S3-001', 'Data')[0]).toEqual({ artifactLocation: { uri: 'stack.yaml', uriBaseId: 'EXECUTIONROOT' }, region: { startLine: 7, startColumn: 5 } });
    // Public has no Properties: the resource key itself.
    expect(at('S3-003', 'Public')[0]!.region).toEqual({ startLine: 9, startColumn: 3 });
    // DataPolicy is created: it points at the bucket it serves.
    expect(at('S3-002', 'DataPolicy')[0]!.region).toEqual({ startLine: 5, startColumn: 3 });
    for (const r of sarifRun!.results) expect(r.ruleIndex).toBe(sarifRun!.tool.driver.rules.findIndex((d) => d.id === r.ruleId));
  });

  test('changes are notes, and a skip is a suppressed note with its reason', () => {
    const change = sarifRun!.results.find((r) => r.ruleId === 'S3-001' && r.locations[0]!.logicalLocations?.[0]!.name === 'Data')!;
    expect(change.level).toBe('note');
    expect(change.message.text).toContain('Properties.PublicAccessBlockConfiguration');
    const skip = sarifRun!.results.find((r) => r.suppressions)!;
    expect(skip.ruleId).toBe('S3-001');
    expect(skip.suppressions).toEqual([{ kind: 'inSource', state: 'accepted', justification: 'Public downloads, reviewed in SEC-1' }]);
    // The record's path is Metadata.TapHardening.Skip: the result sits on the Skip key.
    expect(skip.locations[0]!.physicalLocation.region).toEqual({ startLine: 13, startColumn: 9 });
  });

  test('JSON templates get positions too', () => {
    const json = file('stack.json', '{\n  "Resources": {\n    "Data": {\n      "Type": "AWS::S3::Bucket"\n    }\n  }\n}\n');
    const r = cli([json, '--report', 'sarif', '--report-file', 'json.sarif', '--check']);
    expect(r.status).toBe(1);
    const out = JSON.parse(readFileSync(path.join(tmp, 'json.sarif'), 'utf8')) as Sarif;
    expect(validate(out)).toBe(true);
    const first = out.runs[0]!.results.find((x) => x.ruleId === 'S3-001')!;
    expect(first.locations[0]!.physicalLocation.region).toEqual({ startLine: 3, startColumn: 5 });
  });

  test('many templates make one run; a template that cannot be read is an error result at its line', () => {
    const broken = file('broken.yaml', 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n   Properties: [\n');
    const r = cli(['--check', 'stack.yaml', 'broken.yaml', '--report', 'sarif', '--report-file', 'many.sarif']);
    expect(r.status).toBe(2);
    const out = JSON.parse(readFileSync(path.join(tmp, 'many.sarif'), 'utf8')) as Sarif;
    expect(validate(out)).toBe(true);
    expect(out.runs).toHaveLength(1);
    expect(out.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    const parse = out.runs[0]!.results.find((x) => x.ruleId === 'PARSE')!;
    expect(parse.level).toBe('error');
    expect(parse.locations[0]!.physicalLocation.artifactLocation.uri).toBe('broken.yaml');
    expect(parse.locations[0]!.physicalLocation.region.startLine).toBe(4);
    expect(new Set(out.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['stack.yaml', 'broken.yaml']));
    expect(broken).toContain('broken.yaml');
  });

  test('without --docs-url the rule links point at the installed docs/rules.md', () => {
    const r = cli([template, '--report', 'sarif', '--report-file', 'default.sarif']);
    expect(r.status).toBe(0);
    const out = JSON.parse(readFileSync(path.join(tmp, 'default.sarif'), 'utf8')) as Sarif;
    expect(validate(out)).toBe(true);
    expect(out.runs[0]!.tool.driver.rules[0]!.helpUri).toMatch(/^file:\/\/.*\/docs\/rules\.md#/);
  });
});

describe('renderSarif', () => {
  test('an engine record about the whole template points at line 1 and is described without a rule doc link', () => {
    const out = JSON.parse(
      renderSarif(
        [{ file: 'a b/t.yaml', status: 'changed', report: { version: VERSION, mode: 'fix', rules: [], records: [{ rule: 'ENGINE', resource: '-', action: 'finding', severity: 'warning', path: '', detail: 'big' }] }, positions: [null] }],
        { rules: RULES, docsUrl: 'https://example.com/rules.md' },
      ),
    ) as Sarif;
    expect(validate(out)).toBe(true);
    const [result] = out.runs[0]!.results;
    expect(result!.level).toBe('warning');
    expect(result!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'a%20b/t.yaml', uriBaseId: 'EXECUTIONROOT' }, region: { startLine: 1, startColumn: 1 } });
    expect(out.runs[0]!.tool.driver.rules[0]!.helpUri).toBeUndefined();
  });
});
