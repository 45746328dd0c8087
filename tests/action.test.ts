/**
 * The GitHub Action: action.yml's inputs and outputs, and its entry point (dist/action.js) run
 * as the runner runs it, with the inputs in INPUT_* variables and GitHub's files and API faked.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { COMMENT_MARKER } from '../macro/action';

const ROOT = path.join(__dirname, '..');
const ENTRY = path.join(ROOT, 'dist/action.js');
const run = promisify(execFile);

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; steps: Array<{ env: Record<string, string>; run: string }> };
};

describe('action.yml', () => {
  test('has the inputs a workflow needs, and passes every one to the entry point', () => {
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['paths', 'fail-on', 'report-formats', 'sarif-file', 'comment']));
    expect(action.inputs['fail-on']!.default).toBe('error');
    const env = action.runs.steps[0]!.env;
    for (const name of Object.keys(action.inputs)) expect(env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`]).toBe(`\${{ inputs.${name} }}`);
  });

  test('runs the bundled CLI on the runner\'s Node: the checkout\'s build, else the npm package of its own version', () => {
    expect(action.runs.using).toBe('composite');
    const script = action.runs.steps[0]!.run;
    expect(script).toContain('node "$entry"');
    expect(script).toContain('"tap-hardening@$version"');
    expect(script).toContain("require(process.env.GITHUB_ACTION_PATH + '/package.json').version");
  });
});

interface Request {
  method: string;
  url: string;
  body: string;
}

describe('dist/action.js', () => {
  let server: Server;
  let api = '';
  const requests: Request[] = [];
  const comments: Array<{ id: number; body: string }> = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET') return res.end(JSON.stringify(comments));
        const parsed = JSON.parse(body) as { body: string };
        if (req.method === 'POST') comments.push({ id: 7, body: parsed.body });
        else if (req.method === 'PATCH') comments[0]!.body = parsed.body;
        res.statusCode = req.method === 'POST' ? 201 : 200;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function workspace() {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'tap-action-'));
    mkdirSync(path.join(ws, 'templates'));
    writeFileSync(path.join(ws, 'templates', 'bucket.yaml'), 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n');
    writeFileSync(path.join(ws, 'templates', 'topic.yaml'), 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n');
    writeFileSync(path.join(ws, 'event.json'), JSON.stringify({ pull_request: { number: 42 } }));
    writeFileSync(path.join(ws, 'output.txt'), '');
    writeFileSync(path.join(ws, 'summary.md'), '');
    return ws;
  }

  async function act(ws: string, inputs: Record<string, string>) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GITHUB_WORKSPACE: ws,
      GITHUB_OUTPUT: path.join(ws, 'output.txt'),
      GITHUB_STEP_SUMMARY: path.join(ws, 'summary.md'),
      GITHUB_EVENT_PATH: path.join(ws, 'event.json'),
      GITHUB_REPOSITORY: 'acme/infra',
      GITHUB_API_URL: api,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '99',
    };
    // The runner's own form keeps hyphens (INPUT_FAIL-ON); action.yml passes underscores.
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    try {
      const r = await run(process.execPath, [ENTRY], { cwd: ws, env });
      return { code: 0, stdout: r.stdout };
    } catch (e) {
      const err = e as { code: number; stdout: string };
      return { code: err.code, stdout: err.stdout };
    }
  }

  test('checks the paths, writes SARIF, Markdown and the job summary, sets outputs, and fails as --check does', async () => {
    const ws = workspace();
    const r = await act(ws, { paths: 'templates/', 'fail-on': 'error', 'report-formats': 'sarif,markdown,json', 'sarif-file': 'out/../th.sarif', comment: 'false' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 templates: 1 would change, 1 unchanged, 0 failed');
    const sarif = JSON.parse(readFileSync(path.join(ws, 'th.sarif'), 'utf8'));
    expect(sarif.runs[0].invocations[0]).toMatchObject({ executionSuccessful: true, exitCode: 1 });
    const md = readFileSync(path.join(ws, 'tap-harden.md'), 'utf8');
    expect(md).toContain('### TapHardening');
    expect(readFileSync(path.join(ws, 'summary.md'), 'utf8')).toBe(md);
    expect(JSON.parse(readFileSync(path.join(ws, 'tap-harden.json'), 'utf8')).summary.files).toBe(2);
    const outputs = readFileSync(path.join(ws, 'output.txt'), 'utf8');
    expect(outputs).toContain('exit-code=1\n');
    expect(outputs).toContain(`sarif-file=${path.join(ws, 'th.sarif')}\n`);
    expect(outputs).toContain('changed=1\n');
    expect(requests).toHaveLength(0);
  });

  test('with fail-on never and only unchanged templates the step passes', async () => {
    const ws = workspace();
    const r = await act(ws, { paths: 'templates/topic.yaml', fail_on: 'never' });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(ws, 'output.txt'), 'utf8')).toContain('exit-code=0\n');
  });

  test('comment: true posts one pull request comment and updates it on the next run', async () => {
    const ws = workspace();
    await act(ws, { paths: 'templates/', comment: 'true', 'github-token': 't0ken' });
    expect(requests.map((q) => `${q.method} ${q.url.replace(/\?.*$/, '')}`)).toEqual(['GET /repos/acme/infra/issues/42/comments', 'POST /repos/acme/infra/issues/42/comments']);
    expect(comments[0]!.body.startsWith(`${COMMENT_MARKER}\n### TapHardening`)).toBe(true);
    expect(comments[0]!.body.length).toBeLessThanOrEqual(65536);
    const r = await act(ws, { paths: 'templates/', comment: 'true', 'github-token': 't0ken' });
    expect(requests.slice(2).map((q) => `${q.method} ${q.url.replace(/\?.*$/, '')}`)).toEqual(['GET /repos/acme/infra/issues/42/comments', 'PATCH /repos/acme/infra/issues/comments/7']);
    expect(r.stdout).toContain('updated the report on pull request #42');
    expect(comments).toHaveLength(1);
  });

  test('a bad input is exit 2 with an error annotation', async () => {
    const r = await act(workspace(), { paths: 'templates/', 'fail-on': 'sometimes' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('::error::fail-on must be one of error, warning, never, not sometimes');
  });
});
