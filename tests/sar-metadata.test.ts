/**
 * template.yaml as the AWS Serverless Application Repository reads it: `sam publish` takes the
 * application's metadata from `Metadata: AWS::ServerlessRepo::Application` ("Publishing
 * serverless applications using the AWS SAM CLI", AWS SAM Developer Guide), and its
 * SemanticVersion is the package's version, so a release is one version everywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTemplate } from '../macro/template/yaml';

const ROOT = join(__dirname, '..');
const template = parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8'), { file: 'template.yaml' }).value as { Metadata?: Record<string, Record<string, unknown>> };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string; homepage: string };
const app = template.Metadata?.['AWS::ServerlessRepo::Application'] ?? {};

describe('AWS::ServerlessRepo::Application metadata', () => {
  test('has every field sam publish uses', () => {
    for (const key of ['Name', 'Description', 'Author', 'SpdxLicenseId', 'LicenseUrl', 'ReadmeUrl', 'Labels', 'HomePageUrl', 'SemanticVersion', 'SourceCodeUrl']) {
      expect([key, app[key] !== undefined && app[key] !== '']).toEqual([key, true]);
    }
  });

  test("SemanticVersion is package.json's version, and the source URL names its tag", () => {
    expect(app.SemanticVersion).toBe(pkg.version);
    expect(app.SourceCodeUrl).toBe(`${app.HomePageUrl as string}/tree/v${pkg.version}`);
    expect(pkg.homepage.startsWith(app.HomePageUrl as string)).toBe(true);
  });

  test('the licence is the package licence, and the files it names exist (sam publish uploads them)', () => {
    expect(app.SpdxLicenseId).toBe(pkg.license);
    for (const key of ['LicenseUrl', 'ReadmeUrl']) expect(existsSync(join(ROOT, app[key] as string))).toBe(true);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  });

  test('within the repository limits: Name ≤ 140, Description ≤ 256, at most 10 labels of ≤ 127 characters', () => {
    expect((app.Name as string).length).toBeLessThanOrEqual(140);
    expect((app.Description as string).length).toBeLessThanOrEqual(256);
    const labels = app.Labels as string[];
    expect(labels.length).toBeLessThanOrEqual(10);
    for (const l of labels) expect(l).toMatch(/^[a-zA-Z0-9+\-_:/@]{1,127}$/);
  });
});

describe('release bookkeeping', () => {
  test('CHANGELOG.md has a section for this version and for 0.1.0', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    expect(changelog).toMatch(/^## \[0\.1\.0\] - \d{4}-\d{2}-\d{2}$/m);
  });

  test('the README names the tag of this version for pre-commit and the action', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`rev: v${pkg.version}`);
    expect(readme).toContain(`tap-hardening/tap-hardening@v${pkg.version}`);
  });
});
