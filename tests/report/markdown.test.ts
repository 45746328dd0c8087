/**
 * `--report markdown`: ready to paste into a pull request. A summary line, the rule set and
 * version, a table of changes and findings grouped by resource with rule ids, and each rule's
 * one-line rationale linking to docs/rules.md.
 */
import { renderReport, renderResults } from '../../macro/report/render';
import type { Report } from '../../macro/report/records';
import type { RuleInfo } from '../../macro/report/results';

const RULE_INFO: RuleInfo[] = [
  { id: 'S3-001', title: 'Block public access on every bucket', rationale: 'A bucket without a public access block can be made public by one ACL or policy statement. All four flags are written explicitly.' },
  { id: 'S3-002', title: 'Deny requests to buckets that do not use TLS', rationale: 'Requests over plain HTTP expose data in transit.' },
  { id: 'KMS-001', title: 'Rotate symmetric KMS keys', rationale: 'Unused here.' },
];

const REPORT: Report = {
  version: '9.9.9',
  mode: 'fix',
  rules: ['S3-001', 'S3-002', 'KMS-001'],
  records: [
    { rule: 'S3-001', resource: 'Data', action: 'added', path: 'Properties.PublicAccessBlockConfiguration', detail: 'block public access' },
    { rule: 'S3-002', resource: 'DataPolicy', action: 'created', path: '', detail: 'AWS::S3::BucketPolicy for Data: deny requests that do not use TLS' },
    { rule: 'S3-002', resource: 'Data', action: 'finding', severity: 'warning', path: 'Properties.BucketName', detail: 'a | pipe stays in its cell' },
    { rule: 'S3-001', resource: 'Public', action: 'suppressed', path: 'Metadata.TapHardening.Skip', detail: 'reviewed in SEC-1' },
  ],
};

describe('renderReport markdown', () => {
  const md = renderReport(REPORT, 'markdown', 'stacks/data.yaml', { rules: RULE_INFO });

  test('opens with the version, the file, a summary line and the rule set', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('### TapHardening 9.9.9 — `stacks/data.yaml`');
    expect(md).toContain('**2 changes, 1 finding, 1 suppressed** (mode `fix`)');
    expect(md).toContain('Rules: S3-001 S3-002 KMS-001');
  });

  test('lists changes and findings by resource, each with its rule id linked to docs/rules.md', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Resource') && !l.startsWith('| ---'));
    expect(rows).toEqual([
      '| `Data` | [S3-001](docs/rules.md#s3-001) | added | `Properties.PublicAccessBlockConfiguration` | block public access |',
      '|  | [S3-002](docs/rules.md#s3-002) | warning | `Properties.BucketName` | a \\| pipe stays in its cell |',
      '| `DataPolicy` | [S3-002](docs/rules.md#s3-002) | created |  | AWS::S3::BucketPolicy for Data: deny requests that do not use TLS |',
      '| `Public` | [S3-001](docs/rules.md#s3-001) | suppressed | `Metadata.TapHardening.Skip` | reviewed in SEC-1 |',
    ]);
  });

  test("gives each rule that appears its title and one-line rationale, linked, and leaves out rules that did nothing", () => {
    expect(md).toContain('**Why these rules**');
    expect(md).toContain('- [S3-001](docs/rules.md#s3-001) Block public access on every bucket: A bucket without a public access block can be made public by one ACL or policy statement.');
    expect(md).not.toContain('All four flags');
    expect(md).toContain('- [S3-002](docs/rules.md#s3-002) Deny requests to buckets that do not use TLS: Requests over plain HTTP expose data in transit.');
    expect(md).not.toContain('KMS-001](');
  });

  test('links to a published docs/rules.md when --docs-url gives one', () => {
    const linked = renderReport(REPORT, 'markdown', 'x.yaml', { rules: RULE_INFO, docsUrl: 'https://git.example.com/tap/blob/main/docs/rules.md' });
    expect(linked).toContain('[S3-001](https://git.example.com/tap/blob/main/docs/rules.md#s3-001)');
  });
});

describe('renderResults markdown for several templates', () => {
  test('one total, then a section per file; problems are listed with their line', () => {
    const md = renderResults(
      [
        { file: 'a.yaml', status: 'changed', report: REPORT },
        { file: 'b.yaml', status: 'unchanged', report: { ...REPORT, records: [] } },
        { file: 'c.yaml', status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: 'unexpected end of input', position: { line: 4, column: 1 } }] },
      ],
      'markdown',
      { rules: RULE_INFO },
    );
    expect(md).toContain('### TapHardening 9.9.9: 3 templates');
    expect(md).toContain('**1 would change, 1 unchanged, 1 failed** · 2 changes, 1 finding, 1 suppressed');
    expect(md).toContain('#### `a.yaml` — changed');
    expect(md).toContain('#### `b.yaml` — unchanged');
    expect(md).toContain('| PARSE | unexpected end of input (line 4) |');
  });
});
