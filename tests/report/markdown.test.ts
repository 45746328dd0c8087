/**
 * `--report markdown`: ready for a pull request comment or a job summary. The summary (per rule,
 * per template) first, the records per template in <details>, the connections hardening added
 * as a Mermaid diagram, full rationales, links to the hosted rule docs, and never over GitHub's
 * 65,536-character comment limit.
 */
import { connectionsDiagram, COMMENT_LIMIT } from '../../macro/report/markdown';
import { renderReport, renderResults } from '../../macro/report/render';
import type { ConnectionRecord } from '../../macro/report/connections';
import type { Report, ReportRecord } from '../../macro/report/records';
import type { FileResult, RuleInfo } from '../../macro/report/results';
import { RULES } from '../../macro/rules';
import { RELEASE } from '../../macro/version';

const RULE_INFO: RuleInfo[] = [
  { id: 'S3-001', title: 'Block public access on every bucket', rationale: 'A bucket without a public access block can be made public by one ACL or policy statement. All four flags are written explicitly.' },
  { id: 'S3-002', title: 'Deny requests to buckets that do not use TLS', rationale: 'Requests over plain HTTP expose data in transit.' },
  { id: 'KMS-001', title: 'Rotate symmetric KMS keys', rationale: 'Unused here.' },
];
const HOSTED = `https://github.com/tap-hardening/tap-hardening/blob/v${RELEASE}/docs/rules.md`;

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

  test('puts the per-rule summary before the details, linked to the hosted rule docs of this release', () => {
    expect(md).toContain('| Rule | Changes | Findings | Suppressed | Templates |');
    expect(md).toContain(`| [S3-002](${HOSTED}#s3-002) Deny requests to buckets that do not use TLS | 1 | 1 | 0 | 1 |`);
    expect(md.indexOf('| Rule |')).toBeLessThan(md.indexOf('<details>'));
    expect(md).not.toContain('](docs/rules.md');
  });

  test('lists changes and findings by resource inside <details>', () => {
    const details = md.slice(md.indexOf('<details><summary><code>stacks/data.yaml</code>'), md.indexOf('</details>'));
    expect(details).toContain('<summary><code>stacks/data.yaml</code> — would change · 2 changes, 1 finding, 1 suppressed</summary>');
    const rows = details.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Resource') && !l.startsWith('| ---'));
    expect(rows).toEqual([
      `| \`Data\` | [S3-001](${HOSTED}#s3-001) | added | \`Properties.PublicAccessBlockConfiguration\` | block public access |`,
      `|  | [S3-002](${HOSTED}#s3-002) | warning | \`Properties.BucketName\` | a \\| pipe stays in its cell |`,
      `| \`DataPolicy\` | [S3-002](${HOSTED}#s3-002) | created |  | AWS::S3::BucketPolicy for Data: deny requests that do not use TLS |`,
      `| \`Public\` | [S3-001](${HOSTED}#s3-001) | suppressed | \`Metadata.TapHardening.Skip\` | reviewed in SEC-1 |`,
    ]);
  });

  test('gives each rule that appears its title and full rationale, and leaves out rules that did nothing', () => {
    expect(md).toContain('<details><summary>Why these rules</summary>');
    expect(md).toContain(`- [S3-001](${HOSTED}#s3-001) **Block public access on every bucket.** A bucket without a public access block can be made public by one ACL or policy statement. All four flags are written explicitly.`);
    expect(md).not.toContain('KMS-001](');
  });

  test('links to a published docs/rules.md when --docs-url gives one', () => {
    const linked = renderReport(REPORT, 'markdown', 'x.yaml', { rules: RULE_INFO, docsUrl: 'https://git.example.com/tap/blob/main/docs/rules.md' });
    expect(linked).toContain('[S3-001](https://git.example.com/tap/blob/main/docs/rules.md#s3-001)');
  });

  test('every rationale of the registry is whole sentences, and none speaks of how the project was made', () => {
    for (const rule of RULES) {
      expect([rule.id, /[.!?)]$/.test(rule.rationale.trim())]).toEqual([rule.id, true]);
      expect([rule.id, /\bseeds?\b/i.test(`${rule.title} ${rule.rationale}`)]).toEqual([rule.id, false]);
    }
    const all = renderResults([{ file: 'a.yaml', status: 'changed', report: { ...REPORT, records: RULES.map((r) => ({ rule: r.id, resource: 'X', action: 'added' as const, path: 'P', detail: 'd' })) } }], 'markdown', { rules: RULES });
    for (const rule of RULES) expect(all).toContain(`**${rule.title}.** ${rule.rationale.replace(/\|/g, '\\|')}`);
  });
});

describe('renderResults markdown for several templates', () => {
  const results: FileResult[] = [
    { file: 'a.yaml', status: 'changed', report: REPORT },
    { file: 'b.yaml', status: 'unchanged', report: { ...REPORT, records: [] } },
    { file: 'c.yaml', status: 'failed', problems: [{ rule: 'PARSE', resource: '-', path: '-', message: 'unexpected end of input', position: { line: 4, column: 1 } }] },
  ];
  const md = renderResults(results, 'markdown', { rules: RULE_INFO });

  test('one total, a table per template (failed first), then a details block per template with records', () => {
    expect(md).toContain('### TapHardening 9.9.9: 3 templates');
    expect(md).toContain('**1 would change, 1 unchanged, 1 failed · 2 changes, 1 finding, 1 suppressed** (mode `fix`)');
    const table = md.split('\n').filter((l) => /^\| `[abc]\.yaml` \|/.test(l));
    expect(table).toEqual(['| `c.yaml` | failed | 0 | 1 | 0 |', '| `a.yaml` | would change | 2 | 1 | 1 |', '| `b.yaml` | unchanged | 0 | 0 | 0 |']);
    expect(md).toContain('<summary><code>a.yaml</code> — would change · 2 changes, 1 finding, 1 suppressed</summary>');
    expect(md).not.toContain('<summary><code>b.yaml</code>');
    expect(md).toContain('| PARSE | unexpected end of input (line 4) |');
  });

  test('the --check verdict is in the total line', () => {
    const gated = renderResults(results, 'markdown', { rules: RULE_INFO, gate: { code: 2, changed: 1, failed: 1, failing: 0, failOn: 'error', check: true, unmatched: false } });
    expect(gated).toContain('· error: 1 template could not be hardened');
  });
});

describe('fitting a GitHub comment', () => {
  // 1,000 templates with 20 records each: far more than a comment holds.
  const detail = 'Retain: the resource and its data stay when it leaves the stack (AWS::S3::Bucket is stateful)';
  const many: FileResult[] = Array.from({ length: 1000 }, (_, i) => ({
    file: `stacks/team-${i}/template.yaml`,
    status: 'changed',
    report: { version: '9.9.9', mode: 'fix', rules: RULES.map((r) => r.id), records: Array.from({ length: 20 }, (_, j): ReportRecord => ({ rule: RULES[j % RULES.length]!.id, resource: `Bucket${j}`, action: j === 3 && i % 7 === 0 ? 'finding' : 'added', ...(j === 3 && i % 7 === 0 ? { severity: 'error' as const } : {}), path: 'DeletionPolicy', detail })) },
  }));
  const md = renderResults(many, 'markdown', { rules: RULES, fullReport: 'the job artifact tap-harden.json' });

  test(`stays within ${COMMENT_LIMIT} characters, says what was left out and where the full report is`, () => {
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md).toMatch(/> \*\*Left out to fit GitHub's 65,536-character comment limit:\*\* the details of \d+ templates \(\d+ records\)/);
    expect(md).toContain('Full report: the job artifact tap-harden.json.');
    // The totals still count everything.
    expect(md).toContain('**1000 would change, 0 unchanged, 0 failed · ');
    expect(md).toContain('<details><summary>Why these rules</summary>');
  });

  test('keeps the most important templates: those with findings come first', () => {
    const first = /<summary><code>([^<]+)<\/code>/.exec(md)![1];
    expect(first).toBe('stacks/team-0/template.yaml');
    const shown = [...md.matchAll(/<summary><code>stacks\/team-(\d+)\//g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((n) => n % 7 === 0)).toBe(true);
  });

  test('never cuts inside a block: every <details> that opens closes', () => {
    expect((md.match(/<details>/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
    expect((md.match(/```/g) ?? []).length % 2).toBe(0);
  });

  test('a small limit still keeps the summary, with the table rows capped', () => {
    const small = renderResults(many, 'markdown', { rules: RULES });
    expect(small.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    const tiny = renderResults(many.slice(0, 50), 'markdown', { rules: RULES, gate: undefined });
    expect(tiny.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  });
});

describe('connections diagram', () => {
  const connections: ConnectionRecord[] = [
    { rule: 'S3N-002', kind: 's3-notification-queue', source: 'Uploads', destination: 'IngestQueue', principal: 's3.amazonaws.com', status: 'added', added: ['queue policy IngestQueuePolicy: sqs:SendMessage for s3.amazonaws.com'] },
    { rule: 'CT-001', kind: 'cloudtrail-bucket', source: 'Trail', destination: 'TrailBucket', status: 'added', added: ['bucket policy'] },
    { rule: 'CT-003', kind: 'cloudtrail-key', source: 'Trail', destination: 'arn:aws:kms:"x"<y>#1', status: 'added', added: ['key statement'] },
    { rule: 'S3N-001', kind: 's3-notification-function', source: 'Uploads', destination: 'Thumbnailer', status: 'present', added: [] },
  ];

  test('draws each connection hardening added, once per node, with labels Mermaid cannot misread', () => {
    expect(connectionsDiagram(connections)).toEqual([
      '```mermaid',
      'flowchart LR',
      '  n0["Uploads"]',
      '  n1["IngestQueue"]',
      '  n0 -->|"S3N-002 s3-notification-queue"| n1',
      '  n2["Trail"]',
      '  n3["TrailBucket"]',
      '  n2 -->|"CT-001 cloudtrail-bucket"| n3',
      '  n4["arn:aws:kms:#quot;x#quot;#lt;y#gt;#35;1"]',
      '  n2 -->|"CT-003 cloudtrail-key"| n4',
      '```',
    ]);
  });

  test('is in the template details when the report has connections, and absent without any', () => {
    const md = renderReport({ ...REPORT, connections }, 'markdown', 'x.yaml', { rules: RULE_INFO });
    expect(md).toContain('Connections hardening added:\n\n```mermaid\nflowchart LR');
    expect(renderReport(REPORT, 'markdown', 'x.yaml', { rules: RULE_INFO })).not.toContain('mermaid');
    expect(connectionsDiagram(connections.filter((c) => c.status !== 'added'))).toEqual([]);
  });

  test('caps the edges and says how many more there are', () => {
    const lots = Array.from({ length: 80 }, (_, i): ConnectionRecord => ({ rule: 'S3N-002', kind: 'k', source: `S${i}`, destination: 'Q', status: 'added', added: ['x'] }));
    const lines = connectionsDiagram(lots, 60);
    expect(lines.filter((l) => l.includes('-->'))).toHaveLength(60);
    expect(lines[lines.length - 1]).toBe('_20 more connections hardening added are not drawn._');
  });
});
