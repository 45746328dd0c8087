/**
 * `--report sarif`: valid SARIF 2.1.0 (checked against the OASIS schema in tests/fixtures/sarif),
 * shaped like cfn-lint's, with each result at the line and column of its resource.
 */
import Ajv from 'ajv';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderSarif, MAX_RESULTS } from '../../macro/report/sarif';
import type { ReportRecord } from '../../macro/report/records';
import { RULES } from '../../macro/rules';
import { RELEASE, VERSION } from '../../macro/version';

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
    invocations: Array<{ executionSuccessful: boolean; exitCode?: number; toolExecutionNotifications?: Array<{ level: string; message: { text: string } }> }>;
    originalUriBaseIds: Record<string, { uri?: string }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      suppressions?: Array<{ kind: string; justification: string }>;
      partialFingerprints?: Record<string, string>;
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
  const run = cli([template, '--report', 'sarif', '--report-file', 'out.sarif', '--sarif-changes', '--docs-url', 'https://example.com/tap/docs/rules.md']);
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
    // Built from a git checkout, dist/ carries the commit as SemVer build metadata.
    expect(driver.version).toMatch(new RegExp(`^${RELEASE.replace(/\./g, '\\.')}(\\+[0-9a-f]{7,40})?$`));
    expect(driver.informationUri).toBe('https://example.com/tap/docs/rules.md');
    const ids = driver.rules.map((r) => r.id);
    expect(ids.slice(0, RULES.length)).toEqual(RULES.map((r) => r.id));
    const s3 = driver.rules.find((r) => r.id === 'S3-002')!;
    expect(s3.shortDescription.text).toBe(RULES.find((r) => r.id === 'S3-002')!.title);
    expect(s3.fullDescription.text).toBe(RULES.find((r) => r.id === 'S3-002')!.rationale);
    expect(s3.helpUri).toBe('https://example.com/tap/docs/rules.md#s3-002');
    expect(sarifRun!.properties.tapHardening).toMatchObject({ version: driver.version, rules: RULES.map((r) => r.id) });
  });

  test('puts each result at its resource: the key in the source, or the deepest part of the path the source has', () => {
    const at = (rule: string, resource: string) =>
      sarifRun!.results.filter((r) => r.ruleId === rule && r.locations[0]!.logicalLocations?.[0]!.name === resource).map((r) => r.locations[0]!.physicalLocation);
    // S3-001 adds Properties.PublicAccessBlockConfiguration, which the source lacks: Properties (line 7) is the deepest part it has.
    expect(at('S3-001', 'Data')[0]).toEqual({ artifactLocation: { uri: 'stack.yaml', uriBaseId: 'SRCROOT' }, region: { startLine: 7, startColumn: 5 } });
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
    const r = cli([json, '--report', 'sarif', '--report-file', 'json.sarif', '--check', '--sarif-changes']);
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

  test('without --docs-url the rule links are https links to the rule docs of this release at the package homepage', () => {
    const r = cli([template, '--report', 'sarif', '--report-file', 'default.sarif']);
    expect(r.status).toBe(0);
    const out = JSON.parse(readFileSync(path.join(tmp, 'default.sarif'), 'utf8')) as Sarif;
    expect(validate(out)).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
    const repo = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(out.runs[0]!.tool.driver.rules.find((d) => d.id === 'S3-002')!.helpUri).toBe(`${repo}/blob/v${pkg.version}/docs/rules.md#s3-002`);
  });

  test('every rule descriptor carries a security-severity and tags, security rules above reliability ones', () => {
    const rules = sarifRun!.tool.driver.rules as Array<{ id: string; properties?: { 'security-severity'?: string; tags?: string[] } }>;
    for (const id of RULES.map((r) => r.id)) {
      const d = rules.find((x) => x.id === id)!;
      expect(d.properties!['security-severity']).toMatch(/^\d+\.\d$/);
      expect(d.properties!.tags).toEqual(expect.arrayContaining(['cloudformation']));
    }
    const score = (id: string) => Number(rules.find((x) => x.id === id)!.properties!['security-severity']);
    expect(rules.find((x) => x.id === 'S3-001')!.properties!.tags).toContain('security');
    expect(rules.find((x) => x.id === 'APIGW-003')!.properties!.tags).toContain('reliability');
    expect(score('S3-001')).toBeGreaterThanOrEqual(7);
    expect(score('APIGW-003')).toBeLessThan(score('KMS-001'));
  });

  test('by default only findings, skips and problems are results; changes need --sarif-changes', () => {
    const r = cli([template, '--report', 'sarif', '--report-file', 'findings.sarif']);
    expect(r.status).toBe(0);
    const out = JSON.parse(readFileSync(path.join(tmp, 'findings.sarif'), 'utf8')) as Sarif;
    expect(validate(out)).toBe(true);
    const action = (x: Sarif['runs'][number]['results'][number]) => (x as unknown as { properties: { action: string } }).properties.action;
    const notChanges = sarifRun!.results.filter((x) => action(x) === 'finding' || action(x) === 'suppressed');
    expect(out.runs[0]!.results.map(action).sort()).toEqual(notChanges.map(action).sort());
    expect(out.runs[0]!.results.filter((x) => x.suppressions)).toHaveLength(1);
    expect(sarifRun!.results.length).toBeGreaterThan(out.runs[0]!.results.length);
  });

  test('executionSuccessful and exitCode agree with the exit code of --check, --fail-on included', () => {
    const rds = file('rds.yaml', 'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot\n    UpdateReplacePolicy: Snapshot\n    Properties:\n      Engine: postgres\n      DBInstanceClass: db.t4g.micro\n      AllocatedStorage: "20"\n      MasterUsername: admin\n      MasterUserPassword: ChangeMe12345\n');
    const cases: Array<[string[], number]> = [
      [[], 1],
      [['--fail-on', 'never'], 0],
      [['--fail-on', 'warning'], 1],
    ];
    for (const [flags, code] of cases) {
      const r = cli([rds, '--check', '--report', 'sarif', '--report-file', 'gate.sarif', ...flags]);
      expect([flags, r.status]).toEqual([flags, code]);
      const out = JSON.parse(readFileSync(path.join(tmp, 'gate.sarif'), 'utf8')) as Sarif;
      expect(validate(out)).toBe(true);
      expect(out.runs[0]!.invocations[0]).toMatchObject({ executionSuccessful: true, exitCode: code });
      expect(r.stderr).toContain(code === 1 ? 'check failed' : 'check passed');
    }
  });
});

describe('SARIF file URIs are relative to the repository root', () => {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'tap-sarif-repo-'));
  const sub = path.join(repo, 'infra', 'stacks');
  mkdirSync(sub, { recursive: true });
  writeFileSync(path.join(sub, 'app.yaml'), TEMPLATE);
  const git = spawnSync('git', ['init', '-q', repo], { encoding: 'utf8' });
  const inSub = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: sub, env: { ...process.env, TAP_HARDENING_DEFAULTS: '' } });
  const read = (name: string) => JSON.parse(readFileSync(path.join(sub, name), 'utf8')) as Sarif;

  test('run from a subfolder, a file is named from the git top level, which originalUriBaseIds declares', () => {
    expect(git.status).toBe(0);
    expect(inSub(['app.yaml', '--report', 'sarif', '--report-file', 'a.sarif', '--sarif-changes']).status).toBe(0);
    const out = read('a.sarif');
    expect(validate(out)).toBe(true);
    expect(new Set(out.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['infra/stacks/app.yaml']));
    expect(out.runs[0]!.originalUriBaseIds.SRCROOT!.uri).toBe(`${pathToFileURL(realpathSync(repo)).href}/`);
  });

  test('--sarif-root names another root, for many files as for one', () => {
    expect(inSub(['--check', '.', '--report', 'sarif', '--report-file', 'b.sarif', '--sarif-changes', '--sarif-root', path.join(repo, 'infra')]).status).toBe(1);
    const out = read('b.sarif');
    expect(validate(out)).toBe(true);
    expect(new Set(out.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['stacks/app.yaml']));
  });

  test('partialFingerprints stay the same when the template moves down the file, and differ between results', () => {
    expect(inSub(['app.yaml', '--report', 'sarif', '--report-file', 'c1.sarif', '--sarif-changes']).status).toBe(0);
    writeFileSync(path.join(sub, 'app.yaml'), `# a comment\n# and another\n${TEMPLATE}`);
    expect(inSub(['app.yaml', '--report', 'sarif', '--report-file', 'c2.sarif', '--sarif-changes']).status).toBe(0);
    const [before, after] = [read('c1.sarif'), read('c2.sarif')];
    const prints = (log: Sarif) => log.runs[0]!.results.map((x) => JSON.stringify(x.partialFingerprints));
    expect(prints(after)).toEqual(prints(before));
    expect(new Set(prints(before)).size).toBe(before.runs[0]!.results.length);
    expect(after.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine).toBe(before.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine + 2);
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
    expect(result!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'a%20b/t.yaml', uriBaseId: 'SRCROOT' }, region: { startLine: 1, startColumn: 1 } });
    expect(out.runs[0]!.tool.driver.rules[0]!.helpUri).toBeUndefined();
  });

  test(`keeps at most ${MAX_RESULTS} results, the most severe, and says in a run-level notification how many were left out`, () => {
    // Prepare: 6,000 findings, 100 of them errors at the end, 900 warnings, the rest info.
    const records: ReportRecord[] = Array.from({ length: 6000 }, (_, i) => ({
      rule: 'RDS-001',
      resource: `Db${i}`,
      action: 'finding',
      severity: i >= 5900 ? 'error' : i >= 5000 ? 'warning' : 'info',
      path: 'Properties.StorageEncrypted',
      detail: 'storage is not encrypted',
    }));
    // Act
    const out = JSON.parse(renderSarif([{ file: 't.yaml', status: 'unchanged', report: { version: VERSION, mode: 'fix', rules: ['RDS-001'], records }, positions: records.map(() => null) }], { rules: RULES, docsUrl: 'https://example.com/rules.md' })) as Sarif;
    // Assess
    expect(validate(out)).toBe(true);
    const results = out.runs[0]!.results;
    expect(results).toHaveLength(MAX_RESULTS);
    expect(results.filter((r) => r.level === 'error')).toHaveLength(100);
    expect(results.filter((r) => r.level === 'warning')).toHaveLength(900);
    const [note] = out.runs[0]!.invocations[0]!.toolExecutionNotifications!;
    expect(note!.message.text).toMatch(/^1000 of 6000 results were left out/);
  });
});
