/**
 * Checks the SAM application that deploys the macro (template.yaml, samconfig.toml) without
 * AWS: what it grants, how it is built and how the pieces reference each other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTemplate } from '../macro/template/yaml';

const ROOT = join(__dirname, '..');
const TEMPLATE_TEXT = readFileSync(join(ROOT, 'template.yaml'), 'utf8');
const SAMCONFIG_TEXT = readFileSync(join(ROOT, 'samconfig.toml'), 'utf8');

type Obj = Record<string, unknown>;

function obj(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`);
  }
  return value as Obj;
}

/** IAM and CloudFormation accept a single item wherever they accept a list. */
function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** `Resource.Attribute` of a Fn::GetAtt in either of its forms. */
function getAttTarget(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const arg = (value as Obj)['Fn::GetAtt'];
  if (Array.isArray(arg)) return arg.join('.');
  return typeof arg === 'string' ? arg : undefined;
}

const parsed = parseTemplate(TEMPLATE_TEXT, { file: 'template.yaml' });
const template = obj(parsed.value, 'template');
const parameters = obj(template.Parameters, 'Parameters');
const resources = obj(template.Resources, 'Resources');

/** Throws rather than expects: it also runs while describe blocks are collected. */
function resource(logicalId: string, type: string): Obj {
  const res = obj(resources[logicalId], logicalId);
  if (res.Type !== type) throw new Error(`${logicalId}: expected Type ${type}, got ${String(res.Type)}`);
  return res;
}
const props = (logicalId: string, type: string): Obj =>
  obj(resource(logicalId, type).Properties, `${logicalId}.Properties`);
const param = (name: string): Obj => obj(parameters[name], `Parameters.${name}`);

const FUNCTION = 'TapHardeningFunction';
const ROLE = 'TapHardeningFunctionRole';
const LOG_GROUP = 'TapHardeningLogGroup';
const MACRO = 'TapHardeningMacro';
const HOOK = 'TapHardeningHook';
const HOOK_FUNCTION = 'TapHardeningHookFunction';
const HOOK_ROLE = 'TapHardeningHookFunctionRole';
const HOOK_LOG_GROUP = 'TapHardeningHookLogGroup';
const HOOK_EXECUTION_ROLE = 'TapHardeningHookExecutionRole';
const HOOK_RESOURCES = [HOOK, HOOK_FUNCTION, HOOK_ROLE, HOOK_LOG_GROUP, HOOK_EXECUTION_ROLE];

describe('template.yaml', () => {
  it('is YAML processed by the SAM transform alone', () => {
    expect(parsed.format).toBe('yaml');
    expect(list(template.Transform)).toEqual(['AWS::Serverless-2016-10-31']);
  });

  it('spells no partition literally, so it deploys in China and GovCloud too', () => {
    expect(TEMPLATE_TEXT).not.toMatch(/arn:aws(-[a-z]+)*:/);
  });

  it('declares the four resources of the macro stack, and the five of the optional hook', () => {
    expect(Object.keys(resources).sort()).toEqual([FUNCTION, LOG_GROUP, MACRO, ROLE, ...HOOK_RESOURCES].sort());
    for (const id of [FUNCTION, LOG_GROUP, MACRO, ROLE]) expect(obj(resources[id], id).Condition).toBeUndefined();
  });

  it('outputs the macro name, function ARN and log group (and the hook ARN when there is one)', () => {
    const outputs = obj(template.Outputs, 'Outputs');
    expect(Object.keys(outputs).sort()).toEqual(['FunctionArn', 'HookArn', 'LogGroupName', 'MacroName']);
    expect(obj(outputs.HookArn, 'HookArn')).toMatchObject({ Condition: 'HookEnabled', Value: { Ref: HOOK } });
  });
});

describe('macro function', () => {
  const fn = props(FUNCTION, 'AWS::Serverless::Function');
  const metadata = obj(resource(FUNCTION, 'AWS::Serverless::Function').Metadata, 'Metadata');
  const build = obj(metadata.BuildProperties, 'BuildProperties');
  const entryPoints = list(build.EntryPoints) as string[];

  it('runs on Node.js 24 on arm64', () => {
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('handler.handler');
  });

  it('is bundled by esbuild from the handler and the KMS preflight', () => {
    expect(metadata.BuildMethod).toBe('esbuild');
    expect(entryPoints).toEqual(expect.arrayContaining(['macro/handler.ts', 'macro/preflight/kms-client.ts']));
    expect(build.Target).toBe('node20');
    expect(build.Format).toBe('cjs');
  });

  it('bundles the AWS SDK instead of taking the runtime copy', () => {
    for (const external of list(build.External)) {
      expect(String(external)).not.toMatch(/^@aws-sdk\/|^aws-sdk$/);
      // SAM reads this entry as "leave every dependency out of the bundle".
      expect(external).not.toBe('./node_modules/*');
    }
  });

  it('names the handler where esbuild writes it', () => {
    // With several entry points esbuild keeps paths relative to their common directory.
    const dirs = entryPoints.map((p) => p.split('/').slice(0, -1));
    const common: string[] = [];
    for (let i = 0; dirs.every((d) => i < d.length && d[i] === dirs[0][i]); i++) common.push(dirs[0][i]);
    const handlerEntry = entryPoints.find((p) => p.endsWith('/handler.ts'));
    expect(handlerEntry).toBeDefined();
    const output = (handlerEntry as string)
      .split('/')
      .slice(common.length)
      .join('/')
      .replace(/\.ts$/, '');
    expect(fn.Handler).toBe(`${output}.handler`);
  });

  it('answers CloudFormation quickly and is never throttled to zero', () => {
    // CloudFormation waits on the macro before it can create a consumer's change set.
    expect(typeof fn.Timeout).toBe('number');
    expect(fn.Timeout as number).toBeLessThanOrEqual(60);
    if (fn.ReservedConcurrentExecutions !== undefined) {
      expect(fn.ReservedConcurrentExecutions).not.toBe(0);
    }
  });

  it('runs as the explicit role, without SAM-generated policies', () => {
    expect(getAttTarget(fn.Role)).toBe(`${ROLE}.Arn`);
    expect(fn.Policies).toBeUndefined();
  });

  it('takes organisation defaults from the OrganisationDefaults parameter', () => {
    const env = obj(obj(fn.Environment, 'Environment').Variables, 'Variables');
    expect(env.TAP_HARDENING_DEFAULTS).toEqual({ Ref: 'OrganisationDefaults' });
    expect(env.POWERTOOLS_LOG_LEVEL).toEqual({ Ref: 'LogLevel' });

    const defaults = param('OrganisationDefaults');
    expect(defaults.Type).toBe('String');
    expect(defaults.Default).toBe('{}');
    const pattern = new RegExp(String(defaults.AllowedPattern));
    expect(pattern.test('{}')).toBe(true);
    expect(pattern.test('{"Mode": "report"}')).toBe(true);
    // What `sam deploy --parameter-overrides` leaves of an unquoted JSON value.
    expect(pattern.test('{')).toBe(false);
  });

  it('logs to the log group of the stack', () => {
    const logging = obj(fn.LoggingConfig, 'LoggingConfig');
    expect(logging.LogGroup).toEqual({ Ref: LOG_GROUP });
  });
});

describe('execution role', () => {
  const role = props(ROLE, 'AWS::IAM::Role');
  const inlineStatements = list(role.Policies).flatMap((p, i) =>
    list(obj(obj(p, `Policies[${i}]`).PolicyDocument, `Policies[${i}].PolicyDocument`).Statement).map((s, j) =>
      obj(s, `Policies[${i}].Statement[${j}]`),
    ),
  );

  it('can be assumed by Lambda only', () => {
    const trust = list(obj(role.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument').Statement).map((s, i) =>
      obj(s, `AssumeRolePolicyDocument.Statement[${i}]`),
    );
    expect(trust.length).toBeGreaterThan(0);
    const services: unknown[] = [];
    for (const statement of trust) {
      expect(statement.Effect).toBe('Allow');
      expect(list(statement.Action)).toEqual(['sts:AssumeRole']);
      const principal = obj(statement.Principal, 'Principal');
      expect(Object.keys(principal)).toEqual(['Service']);
      services.push(...list(principal.Service));
    }
    expect([...new Set(services)]).toEqual(['lambda.amazonaws.com']);
  });

  it('grants exactly log writes and the read-only KMS calls of the preflight', () => {
    expect(list(role.ManagedPolicyArns)).toEqual([]);
    // Policies attached from elsewhere in the template would escape the set below.
    const attached = Object.values(resources).filter((r) =>
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy'].includes(
        String(obj(r, 'resource').Type),
      ),
    );
    expect(attached).toEqual([]);

    const actions = new Set<string>();
    for (const statement of inlineStatements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      for (const action of list(statement.Action)) actions.add(String(action));
    }
    expect([...actions].sort()).toEqual(
      ['apigateway:GET', 'kms:DescribeKey', 'kms:GetKeyPolicy', 'logs:CreateLogStream', 'logs:PutLogEvents'].sort(),
    );
  });

  it('scopes logs to its own log group, KMS to keys of this account and API Gateway to the account settings', () => {
    const resourcesOf = (prefix: string): unknown[] =>
      inlineStatements
        .filter((s) => list(s.Action).some((a) => String(a).startsWith(prefix)))
        .flatMap((s) => list(s.Resource));
    expect(resourcesOf('logs:')).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TapHardeningLogGroup}:*',
      },
    ]);
    expect(resourcesOf('kms:')).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' }]);
    // GetAccount only: apigateway:GET on the account settings of this Region, nothing else of API Gateway.
    expect(resourcesOf('apigateway:')).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}::/account' }]);
  });
});

describe('log group', () => {
  const group = props(LOG_GROUP, 'AWS::Logs::LogGroup');

  it('keeps logs as long as the LogRetentionInDays parameter says', () => {
    expect(group.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
    const retention = param('LogRetentionInDays');
    expect(retention.Default).toBe(90);
    expect(retention.AllowedValues).toEqual([
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]);
  });

  it("carries the Lambda default name of the function's log group", () => {
    const fn = props(FUNCTION, 'AWS::Serverless::Function');
    const functionName = obj(fn.FunctionName, 'FunctionName')['Fn::Sub'];
    expect(obj(group.LogGroupName, 'LogGroupName')['Fn::Sub']).toBe(`/aws/lambda/${String(functionName)}`);
  });
});

describe('macro', () => {
  const macro = props(MACRO, 'AWS::CloudFormation::Macro');

  it('points at the function and takes its name from the MacroName parameter', () => {
    expect(macro.Name).toEqual({ Ref: 'MacroName' });
    expect(getAttTarget(macro.FunctionName)).toBe(`${FUNCTION}.Arn`);
  });

  it('accepts only names that also make a valid Lambda function name', () => {
    const name = param('MacroName');
    expect(name.Default).toBe('TapHardening');
    const pattern = new RegExp(String(name.AllowedPattern));
    expect(pattern.test('TapHardening')).toBe(true);
    expect(pattern.test('tap_hardening-2')).toBe(true);
    expect(pattern.test('AWS::TapHardening')).toBe(false);
    expect(pattern.test('Tap Hardening')).toBe(false);
    // FunctionName is `${MacroName}-macro` and Lambda stops at 64 characters.
    expect(pattern.test('x'.repeat(64 - '-macro'.length))).toBe(true);
    expect(pattern.test('x'.repeat(64 - '-macro'.length + 1))).toBe(false);
  });
});

describe('lambda hook', () => {
  const statementsOf = (role: Obj): Obj[] =>
    list(role.Policies).flatMap((p, i) => list(obj(obj(p, `Policies[${i}]`).PolicyDocument, 'PolicyDocument').Statement).map((x) => obj(x, 'Statement')));
  const trustedBy = (role: Obj): unknown[] =>
    list(obj(role.AssumeRolePolicyDocument, 'AssumeRolePolicyDocument').Statement).flatMap((x) => {
      const st = obj(x, 'Statement');
      expect([st.Effect, list(st.Action)]).toEqual(['Allow', ['sts:AssumeRole']]);
      return list(obj(st.Principal, 'Principal').Service);
    });

  it('exists only when the EnableHook parameter is true', () => {
    const enable = param('EnableHook');
    expect(enable).toMatchObject({ Type: 'String', Default: 'false', AllowedValues: ['true', 'false'] });
    expect(obj(template.Conditions, 'Conditions').HookEnabled).toEqual({ 'Fn::Equals': [{ Ref: 'EnableHook' }, 'true'] });
    for (const id of HOOK_RESOURCES) expect([id, obj(resources[id], id).Condition]).toEqual([id, 'HookEnabled']);
  });

  it('is an AWS::CloudFormation::LambdaHook on stacks and change sets, WARN or FAIL as the parameter says', () => {
    const hook = props(HOOK, 'AWS::CloudFormation::LambdaHook');
    expect(Object.keys(hook).sort()).toEqual(['Alias', 'ExecutionRole', 'FailureMode', 'HookStatus', 'LambdaFunction', 'StackFilters', 'TargetOperations']);
    expect(hook.HookStatus).toBe('ENABLED');
    expect(hook.TargetOperations).toEqual(['STACK', 'CHANGE_SET']);
    expect(hook.FailureMode).toEqual({ Ref: 'HookFailureMode' });
    expect(param('HookFailureMode')).toMatchObject({ Default: 'WARN', AllowedValues: ['WARN', 'FAIL'] });
    expect(getAttTarget(hook.LambdaFunction)).toBe(`${HOOK_FUNCTION}.Arn`);
    expect(getAttTarget(hook.ExecutionRole)).toBe(`${HOOK_EXECUTION_ROLE}.Arn`);
  });

  it('leaves out the stack that deploys it', () => {
    const hook = props(HOOK, 'AWS::CloudFormation::LambdaHook');
    expect(hook.StackFilters).toEqual({ FilteringCriteria: 'ALL', StackNames: { Exclude: [{ Ref: 'AWS::StackName' }] } });
  });

  it('takes an alias of the form CloudFormation accepts', () => {
    const alias = param('HookAlias');
    const pattern = new RegExp(String(alias.AllowedPattern));
    expect(pattern.test(String(alias.Default))).toBe(true);
    expect(pattern.test('Private::Lambda::MyTestHook')).toBe(true);
    expect(pattern.test('AWS::Lambda::Hook')).toBe(false);
    expect(pattern.test('aws::Lambda::Hook')).toBe(false);
    expect(pattern.test('TapHardening::Hook')).toBe(false);
    expect(props(HOOK, 'AWS::CloudFormation::LambdaHook').Alias).toEqual({ Ref: 'HookAlias' });
  });

  it('has an execution role the Hooks service assumes, which may only invoke the hook function', () => {
    const role = props(HOOK_EXECUTION_ROLE, 'AWS::IAM::Role');
    expect([...new Set(trustedBy(role))]).toEqual(['hooks.cloudformation.amazonaws.com']);
    expect(list(role.ManagedPolicyArns)).toEqual([]);
    const statements = statementsOf(role);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'lambda:InvokeFunction' });
    expect(getAttTarget(statements[0].Resource)).toBe(`${HOOK_FUNCTION}.Arn`);
  });

  it('runs the hook bundle with its own role, which only writes its own logs', () => {
    const fn = props(HOOK_FUNCTION, 'AWS::Serverless::Function');
    const build = obj(obj(resource(HOOK_FUNCTION, 'AWS::Serverless::Function').Metadata, 'Metadata').BuildProperties, 'BuildProperties');
    expect(list(build.EntryPoints)).toEqual(['macro/hook.ts']);
    expect(fn.Handler).toBe('hook.handler');
    expect([fn.Runtime, fn.Architectures]).toEqual(['nodejs24.x', ['arm64']]);
    // Hooks wait 30 seconds for the answer.
    expect(fn.Timeout as number).toBeLessThan(30);
    expect(getAttTarget(fn.Role)).toBe(`${HOOK_ROLE}.Arn`);
    expect(fn.Policies).toBeUndefined();
    const env = obj(obj(fn.Environment, 'Environment').Variables, 'Variables');
    expect(env.TAP_HARDENING_DEFAULTS).toEqual({ Ref: 'OrganisationDefaults' });
    expect(env.TAP_HARDENING_MACRO_NAME).toEqual({ Ref: 'MacroName' });
    expect(obj(fn.LoggingConfig, 'LoggingConfig').LogGroup).toEqual({ Ref: HOOK_LOG_GROUP });

    const role = props(HOOK_ROLE, 'AWS::IAM::Role');
    expect([...new Set(trustedBy(role))]).toEqual(['lambda.amazonaws.com']);
    expect(list(role.ManagedPolicyArns)).toEqual([]);
    const statements = statementsOf(role);
    expect(statements.flatMap((x) => list(x.Action)).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements.flatMap((x) => list(x.Resource))).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TapHardeningHookLogGroup}:*' },
    ]);
    const group = props(HOOK_LOG_GROUP, 'AWS::Logs::LogGroup');
    expect(group).toEqual({ LogGroupName: { 'Fn::Sub': '/aws/lambda/${MacroName}-hook' }, RetentionInDays: { Ref: 'LogRetentionInDays' } });
    expect(obj(fn.FunctionName, 'FunctionName')).toEqual({ 'Fn::Sub': '${MacroName}-hook' });
  });
});

describe('samconfig.toml', () => {
  /** Keys of each [table]; enough TOML for the flat tables SAM writes. */
  function tables(text: string): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>([['', new Map()]]);
    let current = out.get('') as Map<string, string>;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const header = /^\[([^\]]+)\]$/.exec(line);
      if (header) {
        current = new Map();
        out.set(header[1].trim(), current);
        continue;
      }
      const pair = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
      if (pair) current.set(pair[1], pair[2].trim());
    }
    return out;
  }
  const config = tables(SAMCONFIG_TEXT);
  const deploy = config.get('default.deploy.parameters');

  it('deploys with CAPABILITY_IAM and a SAM-managed artifact bucket', () => {
    expect(config.get('')?.get('version')).toBe('0.1');
    expect(deploy).toBeDefined();
    expect(deploy?.get('capabilities')).toContain('CAPABILITY_IAM');
    expect(deploy?.get('resolve_s3')).toBe('true');
  });
});
