/**
 * dist/stackset.yaml: the macro stack without any transform, for StackSets with
 * service-managed permissions (which cannot deploy templates that reference macros, SAM's
 * included). It must stay in step with template.yaml: same function settings, same
 * least-privilege role, same log group, same macro.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseTemplate } from '../macro/template/yaml';

const ROOT = path.join(__dirname, '..');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (file: string): { text: string; value: Obj } => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return { text, value: parseTemplate(text, { file }).value as Obj };
};
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('dist/stackset.yaml', () => {
  const built = path.join(ROOT, 'dist/stackset.yaml');
  const { text, value: stackset } = load(existsSync(built) ? 'dist/stackset.yaml' : 'stackset/template.yaml');
  const { value: sam } = load('template.yaml');
  const res = stackset.Resources as Obj;
  const fn = res.TapHardeningFunction.Properties as Obj;
  const samFn = sam.Resources.TapHardeningFunction.Properties as Obj;

  test('is built by npm run build from stackset/template.yaml, unchanged', () => {
    expect(existsSync(built)).toBe(true);
    expect(readFileSync(built, 'utf8')).toBe(readFileSync(path.join(ROOT, 'stackset/template.yaml'), 'utf8'));
  });

  test('declares no Transform and spells no partition', () => {
    expect(stackset.Transform).toBeUndefined();
    expect(text).not.toMatch(/^Transform:/m);
    expect(text).not.toMatch(/arn:aws(-[a-z]+)*:/);
  });

  test('holds a plain Lambda function, its role, its log group and the macro, and the optional hook', () => {
    expect(Object.fromEntries(Object.entries(res).map(([id, r]) => [id, (r as Obj).Type]))).toEqual({
      TapHardeningFunction: 'AWS::Lambda::Function',
      TapHardeningFunctionRole: 'AWS::IAM::Role',
      TapHardeningLogGroup: 'AWS::Logs::LogGroup',
      TapHardeningMacro: 'AWS::CloudFormation::Macro',
      TapHardeningHookFunction: 'AWS::Lambda::Function',
      TapHardeningHookFunctionRole: 'AWS::IAM::Role',
      TapHardeningHookLogGroup: 'AWS::Logs::LogGroup',
      TapHardeningHookExecutionRole: 'AWS::IAM::Role',
      TapHardeningHook: 'AWS::CloudFormation::LambdaHook',
    });
    expect(res.TapHardeningMacro.Properties).toEqual({ Name: { Ref: 'MacroName' }, Description: sam.Resources.TapHardeningMacro.Properties.Description, FunctionName: { 'Fn::GetAtt': ['TapHardeningFunction', 'Arn'] } });
  });

  test('takes its code from the per-Region bucket and key parameters', () => {
    expect(fn.Code).toEqual({ S3Bucket: { 'Fn::Sub': '${CodeBucketPrefix}-${AWS::Region}' }, S3Key: { Ref: 'CodeKey' } });
    expect(Object.keys(stackset.Parameters).sort()).toEqual([...Object.keys(sam.Parameters), 'CodeBucketPrefix', 'CodeKey'].sort());
    for (const name of Object.keys(sam.Parameters)) expect(stackset.Parameters[name].Default).toEqual(sam.Parameters[name].Default);
    const prefix = new RegExp(stackset.Parameters.CodeBucketPrefix.AllowedPattern);
    expect(prefix.test('acme-tap-hardening')).toBe(true);
    expect(prefix.test('Acme.Bucket')).toBe(false);
    // The longest bucket name still fits S3's 63 characters with the longest Region names.
    expect(`${'a'.repeat(47)}-ap-southeast-5`.length).toBeLessThanOrEqual(63);
    expect(prefix.test('a'.repeat(47))).toBe(true);
    expect(prefix.test('a'.repeat(48))).toBe(false);
    expect(new RegExp(stackset.Parameters.CodeKey.AllowedPattern).test('tap-hardening/0.1.0/macro.zip')).toBe(true);
  });

  test('runs like the SAM function: nodejs24.x on arm64, same handler, memory, timeout, logging and environment', () => {
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Architectures).toEqual(['arm64']);
    for (const key of ['FunctionName', 'Handler', 'Runtime', 'Architectures', 'MemorySize', 'Timeout', 'Role', 'LoggingConfig', 'Environment']) {
      expect([key, fn[key]]).toEqual([key, samFn[key]]);
    }
  });

  test('grants exactly what template.yaml grants, and keeps logs as long as the parameter says', () => {
    const statements = (t: Obj) => list(t.Resources.TapHardeningFunctionRole.Properties.Policies).flatMap((p) => list((p as Obj).PolicyDocument.Statement)) as Obj[];
    const actions = (t: Obj) => statements(t).flatMap((s) => list(s.Action)).sort();
    expect(actions(stackset)).toEqual(actions(sam));
    expect(statements(stackset)).toEqual(statements(sam));
    expect(res.TapHardeningFunctionRole.Properties.AssumeRolePolicyDocument).toEqual(sam.Resources.TapHardeningFunctionRole.Properties.AssumeRolePolicyDocument);
    expect(res.TapHardeningFunctionRole.Properties.ManagedPolicyArns).toBeUndefined();
    expect(res.TapHardeningLogGroup.Properties).toEqual(sam.Resources.TapHardeningLogGroup.Properties);
    expect(res.TapHardeningLogGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
  });

  test('has the hook of template.yaml: same condition, parameters, hook, roles and log group; code from the same zip', () => {
    expect(stackset.Conditions).toEqual(sam.Conditions);
    for (const name of ['EnableHook', 'HookFailureMode', 'HookAlias']) expect(stackset.Parameters[name]).toEqual(sam.Parameters[name]);
    for (const id of ['TapHardeningHook', 'TapHardeningHookFunctionRole', 'TapHardeningHookLogGroup', 'TapHardeningHookExecutionRole']) {
      expect([id, res[id]]).toEqual([id, sam.Resources[id]]);
    }
    const hookFn = res.TapHardeningHookFunction as Obj;
    const samHookFn = sam.Resources.TapHardeningHookFunction as Obj;
    expect(hookFn.Condition).toBe('HookEnabled');
    expect(hookFn.Properties.Code).toEqual(fn.Code);
    for (const key of ['FunctionName', 'Handler', 'Runtime', 'Architectures', 'MemorySize', 'Timeout', 'Role', 'LoggingConfig', 'Environment']) {
      expect([key, hookFn.Properties[key]]).toEqual([key, samHookFn.Properties[key]]);
    }
  });

  test('outputs what template.yaml outputs', () => {
    expect(stackset.Outputs).toEqual(sam.Outputs);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Obj[];

  test('offers tap-harden --check (and a --write variant) as serial node hooks on where templates live', () => {
    const check = hooks.find((h) => h.id === 'tap-harden')!;
    expect(check).toMatchObject({ language: 'node', entry: 'tap-harden --check', require_serial: true });
    const files = new RegExp(check.files);
    for (const f of ['templates/a.yaml', 'infra/net/b.yml', 'cfn/c.json', 'd.template', 'e.cfn.yaml', 'sam/template.yaml']) expect([f, files.test(f)]).toEqual([f, true]);
    for (const f of ['README.md', '.gitlab-ci.yml', 'docker-compose.yaml', 'package.json', '.github/workflows/ci.yml']) expect([f, files.test(f)]).toEqual([f, false]);
    expect(hooks.find((h) => h.id === 'tap-harden-write')).toMatchObject({ language: 'node', entry: 'tap-harden --write', require_serial: true });
  });

  test('main builds the CLI in prepack (npm pack, npm publish); release trees, which pre-commit installs, carry it built (tests/release.test.ts)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin['tap-harden']).toBe('dist/cli.js');
    expect(pkg.files).toContain('dist/cli.js');
    expect(pkg.scripts.prepack).toContain('scripts/build.mjs');
    expect(pkg.scripts.prepare).toBeUndefined();
  });
});
