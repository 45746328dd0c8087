/**
 * Many templates at once: `tap-harden --check|--write <files | dirs | globs>`: one line per file
 * and a total, exit 1 when any would change and 2 when any fails, worker threads for long runs,
 * a progress bar only on a terminal, and --write keeping comments and short forms.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../macro/cli';
import { expandTemplates } from '../../macro/batch/files';
import { workerCount, WORKER_THRESHOLD } from '../../macro/batch/run-many';

const CLI = path.join(__dirname, '../../dist/cli.js');
const EXAMPLES = path.join(__dirname, '../../examples');

const BUCKET = 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n';
const COMMENTED = [
  '# Team storage. Owner: data-platform',
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Resources:',
  '  # Raw uploads land here',
  '  Raw:',
  '    Type: AWS::S3::Bucket',
  '    Properties:',
  "      BucketName: !Sub 'raw-${AWS::AccountId}' # account-scoped",
  '      Tags:',
  '        - {Key: team, Value: data}',
  'Outputs:',
  '  RawArn:',
  '    Value: !GetAtt Raw.Arn # used by the ingest stack',
  '',
].join('\n');

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tap-many-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
const cli = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TAP_HARDENING_DEFAULTS: '' } });

describe('tap-harden on many templates', () => {
  jest.setTimeout(60000);

  test('globs, directories and files: one line per file in order, a total, exit 1 when any would change', () => {
    const cwd = workspace({
      'templates/a.yaml': BUCKET,
      'templates/nested/b.yml': BUCKET,
      'templates/readme.md': '# not a template',
      'other.json': '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}',
      'stacks/c.template': BUCKET,
      'stacks/node_modules/x.yaml': BUCKET,
      'ci.yaml': 'steps: [build]\n',
    });
    const r = cli(cwd, '--check', 'templates/**/*.y*ml', 'other.json', 'stacks/', 'ci.yaml');
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['templates/a.yaml', 'templates/nested/b.yml', 'other.json', 'stacks/c.template', 'ci.yaml', '5 templates']);
    expect(lines[0]).toMatch(/^templates\/a\.yaml: would change · \d+ changes, \d+ findings?, 0 suppressed$/);
    expect(lines[2]).toMatch(/^other\.json: (unchanged|would change) · /);
    expect(lines[4]).toBe('ci.yaml: skipped (no Resources section: not a CloudFormation template)');
    expect(lines[5]).toMatch(/^5 templates: \d would change, \d unchanged, 0 failed, 1 skipped · \d+ changes/);
    expect(r.stderr).toBe('');
  });

  test('exit 0 when nothing would change, 2 when any file fails (and the others are still checked)', () => {
    const cwd = workspace({ 'a.yaml': BUCKET, 'broken.yaml': 'Resources:\n  A:\n    Type: AWS::S3::Bucket\n   Properties: [\n', 'b.yaml': BUCKET });
    const hardened = cli(cwd, '--write', 'a.yaml', 'b.yaml');
    expect(hardened.status).toBe(0);
    expect(cli(cwd, '--check', 'a.yaml', 'b.yaml').status).toBe(0);
    const r = cli(cwd, '--check', '.');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^broken\.yaml:4:\d+: failed: /m);
    expect(r.stdout).toMatch(/^a\.yaml: unchanged/m);
    expect(r.stdout).toMatch(/1 failed/);
  });

  test('a pattern that matches nothing is an error, and several templates need --check or --write', () => {
    const cwd = workspace({ 'a.yaml': BUCKET });
    const none = cli(cwd, '--check', 'a.yaml', 'missing/**/*.yaml');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('missing/**/*.yaml: no such file, and no template matches it');
    const bare = cli(cwd, 'a.yaml', 'a.yaml');
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('--check');
    expect(cli(cwd, '--check', 'a.yaml', '.', '-o', 'x.yaml').stderr).toContain('--output works on one template');
  });

  test('--write rewrites changed files in place, keeping comments, short forms and quoting; a second --check finds nothing', () => {
    const cwd = workspace({ 'stack.yaml': COMMENTED, 'clean.yaml': 'Resources: {}\n' });
    const r = cli(cwd, '--write', 'stack.yaml', 'clean.yaml');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^stack\.yaml: written · /m);
    expect(r.stdout).toMatch(/^clean\.yaml: unchanged/m);
    const text = readFileSync(path.join(cwd, 'stack.yaml'), 'utf8');
    for (const kept of ['# Team storage. Owner: data-platform', '  # Raw uploads land here', "BucketName: !Sub 'raw-${AWS::AccountId}' # account-scoped", '- {Key: team, Value: data}', 'Value: !GetAtt Raw.Arn # used by the ingest stack']) {
      expect(text).toContain(kept);
    }
    expect(text).toContain('PublicAccessBlockConfiguration:');
    // The report belongs to the processed template, not to the source file.
    expect(text).not.toContain('Report:');
    expect(readFileSync(path.join(cwd, 'clean.yaml'), 'utf8')).toBe('Resources: {}\n');
    expect(cli(cwd, '--check', 'stack.yaml', 'clean.yaml').status).toBe(0);
  });

  test('worker threads give the same lines as the main thread', () => {
    const cwd = workspace({});
    const names: string[] = [];
    for (let i = 0; i < WORKER_THRESHOLD + 2; i++) {
      for (const example of ['data-platform.yaml', 'rest-api.yaml']) {
        const name = `t${i}-${example}`;
        cpSync(path.join(EXAMPLES, example), path.join(cwd, name));
        names.push(name);
      }
    }
    const inline = cli(cwd, '--check', '.', '--workers', '0', '--report', 'json', '--report-file', path.join(os.tmpdir(), `${path.basename(cwd)}-inline.json`));
    const threaded = cli(cwd, '--check', '.', '--workers', '2', '--report', 'json', '--report-file', path.join(os.tmpdir(), `${path.basename(cwd)}-threaded.json`));
    expect(threaded.status).toBe(inline.status);
    expect(threaded.stdout).toBe(inline.stdout);
    expect(readFileSync(path.join(os.tmpdir(), `${path.basename(cwd)}-threaded.json`), 'utf8')).toBe(readFileSync(path.join(os.tmpdir(), `${path.basename(cwd)}-inline.json`), 'utf8'));
    expect(threaded.stdout.trim().split('\n')).toHaveLength(names.length + 1);
  });

  test('a progress bar on a terminal, then the lines; plain lines without one', async () => {
    const cwd = workspace({ 'a.yaml': BUCKET, 'b.yaml': BUCKET, 'c.yaml': BUCKET });
    const run = async (isTTY: boolean) => {
      const bar = new PassThrough();
      let drawn = '';
      bar.on('data', (d: Buffer) => (drawn += d.toString()));
      Object.assign(bar, { isTTY, columns: 80 });
      let out = '';
      const code = await main(['--check', '.'], { stdout: (t) => (out += t), stderr: () => undefined, readStdin: () => '', env: {}, cwd, progressStream: bar as unknown as NodeJS.WritableStream & { isTTY: boolean } });
      return { code, out, drawn };
    };
    const tty = await run(true);
    expect(tty.code).toBe(1);
    expect(tty.drawn).toContain('templates');
    expect(tty.out.split('\n').filter(Boolean)).toHaveLength(4);
    const plain = await run(false);
    expect(plain.drawn).toBe('');
    expect(plain.out).toBe(tty.out);
  });
});

describe('expandTemplates and workerCount', () => {
  test('directories find yaml, yml, json and template files, but not node_modules', () => {
    const cwd = workspace({ 'd/a.yaml': '', 'd/b.json': '', 'd/c.template': '', 'd/e.yml': '', 'd/f.txt': '', 'd/node_modules/g.yaml': '', 'd/.hidden/h.yaml': '' });
    expect(expandTemplates(['d'], cwd)).toEqual({ files: ['d/a.yaml', 'd/b.json', 'd/c.template', 'd/e.yml'], unmatched: [], errors: [], notices: [] });
    expect(expandTemplates(['d/a.yaml', 'd/*.yaml', 'nope.yaml'], cwd)).toEqual({ files: ['d/a.yaml'], unmatched: ['nope.yaml'], errors: [], notices: [] });
  });

  test('threads start from WORKER_THRESHOLD files, one per CPU, never more than files', () => {
    expect(workerCount(WORKER_THRESHOLD - 1)).toBe(0);
    expect(workerCount(WORKER_THRESHOLD)).toBeGreaterThanOrEqual(1);
    expect(workerCount(3, 2)).toBe(2);
    expect(workerCount(1, 4)).toBe(1);
  });
});
